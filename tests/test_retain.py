"""Issue 22, item 3: with RETAIN a config that leaves its stack stays; a move deletes the old one.

Each test synthesizes a CDK app whose config has `removal_policy=RemovalPolicy.RETAIN` on a
function named by a parameter, and deploys it through the offline engine
(offline_cloud/engine.py, which models DeletionPolicy and UpdateReplacePolicy) with the stack's
own provider and IAM enforced. 0.2.1 also wrote `UpdateReplacePolicy: Retain`: a move then left
the old config in Lambda, owned by no resource; the first test shows both.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import aws_cdk as cdk
import pytest

from event_invoke_config import LambdaEventInvokeConfig
from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.local_cloud import create_functions
from offline_cloud.stack_state import Stack
from offline_cloud.template import Template

pytestmark = pytest.mark.slow
CUSTOM = "Custom::LambdaEventInvokeConfig"


def synth(folder: Path, *construct_ids: str) -> Template:
    """An app with a RETAIN config per construct id, each on the function parameter `<id>Fn`."""
    root = cdk.App(outdir=str(folder))
    stack = cdk.Stack(root, "Retained")
    for construct_id in construct_ids:
        LambdaEventInvokeConfig(
            stack,
            construct_id,
            function=cdk.CfnParameter(stack, f"{construct_id}Fn").value_as_string,
            retry_attempts=1,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
    template: Template = root.synth().get_stack_by_name("Retained").template
    return template


def held(cloud: LocalCloud, function_arn: str) -> bool:
    return read_config(cloud.lambda_client, f"{function_arn}:$LATEST") is not None


def ok(stack: Stack, status: str) -> Stack:
    assert stack.status == status, [e for e in stack.events if e.reason]
    return stack


def config_id(template: Template) -> str:
    (logical_id,) = (k for k, v in template["Resources"].items() if v["Type"] == CUSTOM)
    return str(logical_id)


def with_update_replace_policy(template: Template, policy: str) -> Template:
    resources = {
        logical_id: {**body, "UpdateReplacePolicy": policy} if body["Type"] == CUSTOM else body
        for logical_id, body in template["Resources"].items()
    }
    return {**template, "Resources": resources}


@pytest.mark.parametrize(("written", "leaked"), [("as synthesized", False), ("Retain", True)])
def test_a_move_deletes_the_old_config_in_the_cleanup(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str, written: str, leaked: bool
) -> None:
    # GIVEN a RETAIN config on function a (UpdateReplacePolicy as the construct writes it, or
    # as 0.2.1 wrote it)
    a, b = create_functions(moto_endpoint, "retain-move", 2)
    template = synth(tmp_path, "Config")
    assert template["Resources"][config_id(template)]["DeletionPolicy"] == "Retain"
    if written == "Retain":
        template = with_update_replace_policy(template, "Retain")
    name = f"retain-{uuid.uuid4().hex[:8]}"
    ok(cloud.engine.create_stack(name, template, {"ConfigFn": a}), "CREATE_COMPLETE")
    # WHEN it moves to function b
    moved = ok(cloud.engine.update_stack(name, template, {"ConfigFn": b}), "UPDATE_COMPLETE")
    # THEN b holds it, and the cleanup deleted a's (0.2.1's Retain: kept, and no stack owns it)
    assert cloud.denied_calls == [] and moved.reasons("DELETE_FAILED") == []
    assert (held(cloud, a), held(cloud, b)) == (leaked, True)
    ok(cloud.engine.delete_stack(name), "DELETE_COMPLETE")
    assert (held(cloud, a), held(cloud, b)) == (leaked, True), "RETAIN: b's config stays"


def test_removing_the_config_from_the_stack_keeps_it(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    a, b = create_functions(moto_endpoint, "retain-remove", 2)
    name = f"retain-{uuid.uuid4().hex[:8]}"
    first, second = synth(tmp_path / "1", "Config"), synth(tmp_path / "2", "Other")
    ok(cloud.engine.create_stack(name, first, {"ConfigFn": a}), "CREATE_COMPLETE")

    removed = ok(cloud.engine.update_stack(name, second, {"OtherFn": b}), "UPDATE_COMPLETE")

    assert held(cloud, a), "the removed config stays in Lambda"
    skipped = [e.logical_id for e in removed.events if e.status == "DELETE_SKIPPED"]
    assert skipped == [config_id(first)]
    assert cloud.denied_calls == []


def test_deleting_the_stack_keeps_the_config(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    (a,) = create_functions(moto_endpoint, "retain-delete")
    name = f"retain-{uuid.uuid4().hex[:8]}"
    ok(
        cloud.engine.create_stack(name, synth(tmp_path, "Config"), {"ConfigFn": a}),
        "CREATE_COMPLETE",
    )

    ok(cloud.engine.delete_stack(name), "DELETE_COMPLETE")

    assert held(cloud, a)
