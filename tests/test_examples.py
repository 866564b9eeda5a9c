"""examples/: plain CloudFormation templates, linted and run through the local lifecycle."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest

from offline_cloud.deployment import LocalCloud
from offline_cloud.template import load_template, load_yaml_template
from tests.cfn_lint import assert_lint_clean
from tests.support import ROOT

pytestmark = pytest.mark.slow
EXAMPLE = ROOT / "examples" / "async-config.yaml"
STACK = "orders"


def test_cfn_lint_finds_nothing_in_the_examples() -> None:
    assert_lint_clean(sorted((ROOT / "examples").glob("*.yaml")))


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


def test_the_example_goes_through_create_update_delete(cdk_out: Path, cloud: LocalCloud) -> None:
    provider_stack = cloud.engine.create_stack(
        "EventInvokeConfigProvider", load_template(cdk_out, "EventInvokeConfigProvider")
    )
    assert provider_stack.status == "CREATE_COMPLETE", "it exports the ServiceToken"
    lambda_client = cloud.lambda_client
    template = load_yaml_template(EXAMPLE)

    created = cloud.engine.create_stack(STACK, template)
    assert created.status == "CREATE_COMPLETE", created.events
    physical_id = created.resources["WorkerAsyncConfig"].physical_id
    assert str(physical_id).endswith(":function:async-orders-worker:$LATEST")
    config: dict[str, Any] = lambda_client.get_function_event_invoke_config(
        FunctionName="async-orders-worker"
    )
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (1, 3600)
    assert config["DestinationConfig"]["OnFailure"]["Destination"].endswith(
        created.resources["Failures"].attributes["QueueName"]
    )

    template["Resources"]["WorkerAsyncConfig"]["Properties"]["MaximumEventAgeInSeconds"] = 60
    updated = cloud.engine.update_stack(STACK, template)
    assert updated.status == "UPDATE_COMPLETE"
    assert updated.resources["WorkerAsyncConfig"].physical_id == physical_id
    assert (
        lambda_client.get_function_event_invoke_config(FunctionName="async-orders-worker")[
            "MaximumEventAgeInSeconds"
        ]
        == 60
    )

    assert cloud.engine.delete_stack(STACK).status == "DELETE_COMPLETE"
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function_event_invoke_config(FunctionName="async-orders-worker")
