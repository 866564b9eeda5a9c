"""examples/: plain CloudFormation templates, linted and run through the local lifecycle."""

from __future__ import annotations

import fnmatch
import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.deployment import LocalDeployment, load_template, load_yaml_template, provider_asset
from devtools.local_cloud import ResponseCollector
from tests.conftest import ROOT, which

pytestmark = pytest.mark.slow
EXAMPLE = ROOT / "examples" / "async-config.yaml"
STACK = "orders"


def test_cfn_lint_passes_the_examples() -> None:
    examples = sorted(map(str, (ROOT / "examples").glob("*.yaml")))
    lint = subprocess.run(
        [which("cfn-lint"), *examples], capture_output=True, text=True, check=False
    )

    assert examples
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_example_uses_the_exported_service_token_and_an_allowed_function_name(
    cdk_out: Path,
) -> None:
    template = load_yaml_template(EXAMPLE)
    config = template["Resources"]["WorkerAsyncConfig"]["Properties"]
    provider_stack = load_template(cdk_out, "EventInvokeConfigProvider")
    allowed = json.loads((ROOT / "cdk.json").read_text())["context"][
        "eventInvokeConfigProvider:functionNames"
    ]
    function_name = template["Resources"]["Worker"]["Properties"]["FunctionName"][
        "Fn::Sub"
    ].replace("${AWS::StackName}", STACK)

    assert config["ServiceToken"] == {
        "Fn::ImportValue": provider_stack["Outputs"]["ServiceToken"]["Export"]["Name"]
    }
    assert any(fnmatch.fnmatchcase(function_name, pattern) for pattern in allowed)


def test_the_example_goes_through_create_update_delete(
    cdk_out: Path, moto_endpoint: str, collector: ResponseCollector
) -> None:
    asset = provider_asset(cdk_out, load_template(cdk_out, "EventInvokeConfigProvider"))
    deployment = LocalDeployment(
        STACK, load_yaml_template(EXAMPLE), asset, moto_endpoint=moto_endpoint, collector=collector
    )
    lambda_client = boto3.client("lambda", endpoint_url=moto_endpoint)
    properties = deployment.properties_of("WorkerAsyncConfig")

    created = deployment.send("Create", "WorkerAsyncConfig", properties)
    assert created["Status"] == "SUCCESS", created["Reason"]
    physical_id = created["PhysicalResourceId"]
    assert physical_id.endswith(":function:async-orders-worker:$LATEST")
    config: dict[str, Any] = lambda_client.get_function_event_invoke_config(
        FunctionName="async-orders-worker"
    )
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (1, 3600)
    assert config["DestinationConfig"]["OnFailure"]["Destination"].endswith(":orders-Failures")

    changed = {**properties, "MaximumEventAgeInSeconds": "60"}
    updated = deployment.send(
        "Update", "WorkerAsyncConfig", changed, old_properties=properties, physical_id=physical_id
    )
    assert (updated["Status"], updated["PhysicalResourceId"]) == ("SUCCESS", physical_id)
    assert (
        lambda_client.get_function_event_invoke_config(FunctionName="async-orders-worker")[
            "MaximumEventAgeInSeconds"
        ]
        == 60
    )

    deleted = deployment.send("Delete", "WorkerAsyncConfig", changed, physical_id=physical_id)
    assert deleted["Status"] == "SUCCESS"
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function_event_invoke_config(FunctionName="async-orders-worker")
