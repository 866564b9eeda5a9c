"""The drift report (event_invoke_config/drift.py): what it resolves, and one stack's report.

The stack test deploys with the real provider in the offline cloud, changes Lambda by hand, and
runs the report as a user would: `python -m event_invoke_config.drift` in a subprocess where
aws_cdk, constructs and crhelper cannot be imported, with credentials of a role that holds only
the README's read-only policy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from event_invoke_config.drift import cli
from event_invoke_config.drift_report import (
    DELETED,
    IN_SYNC,
    MODIFIED,
    UNMANAGED,
)
from offline_cloud.deployment import LocalCloud
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.local_cloud import create_functions
from offline_cloud.template import load_template
from scripts import demo
from scripts.demo_drift import change_one_and_report
from tests.engine_templates import ALIAS, FIRST, ROLE, SECOND, THIRD, config, deployed, function
from tests.readme_commands import README
from tests.support import ROOT

NO_CDK = (
    "import runpy, sys\n"
    "for name in ('aws_cdk', 'constructs', 'crhelper', 'jsii'):\n"
    "    sys.modules[name] = None\n"
    "runpy.run_module('event_invoke_config.drift', run_name='__main__')\n"
)


def _reader_role(stack: str, prefix: str) -> dict[str, Any]:
    """A role with exactly the README's read-only policy, for the stack and its functions."""
    section = README.read_text().split("\n## Drift\n", 1)[1].split("\n## ", 1)[0]
    policy = section.split("```json\n", 1)[1].split("```", 1)[0]
    for placeholder, value in (
        ("REGION", REGION),
        ("ACCOUNT", ACCOUNT),
        ("STACK", stack),
        ("NAME", f"{prefix}-*"),
    ):
        policy = policy.replace(placeholder, value)
    role: dict[str, Any] = ROLE
    inline = {"PolicyName": "drift", "PolicyDocument": json.loads(policy)}
    return {"Type": "AWS::IAM::Role", "Properties": {**role["Properties"], "Policies": [inline]}}


def _template(stack: str, prefix: str, fillers: int) -> dict[str, Any]:
    names = ("changed", "deleted", "arn", "param-a", "param-b")
    functions = {f"Fn{i}": function(f"{prefix}-{name}") for i, name in enumerate(names)}
    queue_arn = {"Fn::GetAtt": ["Queue", "Arn"]}
    by_arn = config(
        {"Fn::GetAtt": ["Fn2", "Arn"]},
        THIRD,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    alias = {k: json.loads(json.dumps(v).replace('"Fn"', '"Fn0"')) for k, v in ALIAS.items()}
    return {
        "Parameters": {"Target": {"Type": "String", "Default": f"{prefix}-param-a"}},
        "Resources": {
            "Role": ROLE,
            "Reader": _reader_role(stack, prefix),
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{prefix}-q"}},
            **functions,
            **alias,
            "Changed": config({"Ref": "Fn0"}, FIRST),
            "Deleted": config({"Ref": "Fn1"}, SECOND),
            "ByArn": by_arn,
            "ByParameter": config({"Ref": "Target"}, FIRST),
            **{f"Filler{i}": {"Type": "AWS::CDK::Metadata"} for i in range(fillers)},
        },
    }


def _report(cloud: LocalCloud, moto_endpoint: str, stack: str, role: str | None) -> tuple[int, Any]:
    """Run the report as a user would; its exit status and its JSON."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / d) for d in ("constructs", "handler")),
        "AWS_ENDPOINT_URL_CLOUDFORMATION": cloud.provider.env["AWS_ENDPOINT_URL_CLOUDFORMATION"],
        "AWS_ENDPOINT_URL_LAMBDA": moto_endpoint,
        **(cloud.iam.credentials(role) if role else {}),
    }
    ran = subprocess.run(
        [sys.executable, "-c", NO_CDK, stack, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return ran.returncode, json.loads(ran.stdout) if ran.stdout else ran.stderr


@pytest.mark.slow
def test_one_stack_shows_exactly_its_drift(cloud: LocalCloud, moto_endpoint: str) -> None:
    prefix, stack = f"drift-{uuid.uuid4().hex[:6]}", f"Drift{uuid.uuid4().hex[:6]}"
    template = _template(stack, prefix, fillers=100)
    deployed(cloud.engine.create_stack(stack, template), "CREATE_COMPLETE")
    moved = cloud.engine.update_stack(stack, template, parameters={"Target": f"{prefix}-param-b"})
    state = deployed(moved, "UPDATE_COMPLETE")
    assert len(state.resources) > 100
    role = str(state.resources["Reader"].physical_id)
    lam = cloud.lambda_client
    assert _report(cloud, moto_endpoint, stack, role)[0] == 0

    lam.put_function_event_invoke_config(
        FunctionName=f"{prefix}-changed", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=FIRST[1]
    )
    lam.delete_function_event_invoke_config(FunctionName=f"{prefix}-deleted")
    lam.put_function_event_invoke_config(
        FunctionName=f"{prefix}-changed", Qualifier="live", MaximumRetryAttempts=1
    )
    code, rows = _report(cloud, moto_endpoint, stack, role)

    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{prefix}"
    assert code == 1
    assert {(r["LogicalResourceId"], r["PhysicalResourceId"], r["Status"]) for r in rows} == {
        ("Changed", f"{arn}-changed:$LATEST", MODIFIED),
        ("Deleted", f"{arn}-deleted:$LATEST", DELETED),
        ("ByArn", f"{arn}-arn:$LATEST", IN_SYNC),
        ("ByParameter", f"{arn}-param-b:$LATEST", IN_SYNC),
        (None, f"{arn}-changed:live", UNMANAGED),
    }
    [changed] = [r for r in rows if r["Status"] == MODIFIED]
    assert changed["Differences"] == [
        {"Property": "MaximumRetryAttempts", "Expected": 0, "Actual": 2}
    ]
    checked = [c for c in cloud.iam.calls if c.role == role]
    assert checked and all(c.allowed for c in checked)
    assert {c.action.split(":")[1].startswith(("Get", "List", "Describe")) for c in checked} == {
        True
    }


@pytest.mark.slow
def test_a_stack_that_does_not_exist_is_an_error(cloud: LocalCloud, moto_endpoint: str) -> None:
    code, message = _report(cloud, moto_endpoint, "NoSuchStack", None)
    assert code == 2
    assert "does not exist" in message


def test_the_console_script_runs_the_drift_subcommand(
    local_aws: object, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'event-invoke-config = "event_invoke_config.drift:cli"' in pyproject
    assert cli(["drift", "NoSuchStack", "--region", REGION]) == 2
    assert "NoSuchStack does not exist" in capsys.readouterr().err


def test_moto_lists_every_qualifiers_config_in_pages(moto_endpoint: str) -> None:
    [arn] = create_functions(moto_endpoint, "drift-list")
    client = boto3.client("lambda", endpoint_url=moto_endpoint, region_name=REGION)
    version = client.publish_version(FunctionName=arn)["Version"]
    client.create_alias(FunctionName=arn, Name="live", FunctionVersion=version)
    for qualifier in ("$LATEST", "live"):
        client.put_function_event_invoke_config(
            FunctionName=arn, Qualifier=qualifier, MaximumRetryAttempts=1
        )
    pages = client.get_paginator("list_function_event_invoke_configs")
    listed = list(pages.paginate(FunctionName=arn, PaginationConfig={"PageSize": 1}))
    held = [c["FunctionArn"] for page in listed for c in page["FunctionEventInvokeConfigs"]]
    assert (len(listed), sorted(held)) == (2, [f"{arn}:$LATEST", f"{arn}:live"])


@pytest.mark.slow
def test_the_demo_shows_the_config_changed_by_hand_as_the_one_modified(
    cloud: LocalCloud, cdk_out: Path
) -> None:
    stack = cloud.engine.create_stack(demo.DEMO_STACK, load_template(cdk_out, demo.DEMO_STACK))
    places = demo._stack_configs(deployed(stack, "CREATE_COMPLETE"))

    shown = change_one_and_report(cloud, demo.DEMO_STACK, places).splitlines()

    statuses = [line.split()[0] for line in shown[1:] if not line.startswith(" " * 13)]
    assert sorted(statuses) == sorted([MODIFIED] + [IN_SYNC] * (len(places) - 1))
    assert "MaximumRetryAttempts: expected" in "\n".join(shown)
    cloud.engine.delete_stack(demo.DEMO_STACK)
