"""DeletionPolicy and UpdateReplacePolicy in the offline engine (offline_cloud/engine.py).

What the UserGuide's "DeletionPolicy attribute" and "UpdateReplacePolicy attribute" pages say
each value does, in each operation that deletes a logical or a physical resource. Custom
resources answer from the recording stand-in of tests/engine_recorder.py; the native case uses
an SSM parameter in moto, replaced when its Name changes.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from offline_cloud.engine import CloudFormation
from offline_cloud.fake_aws import CREDENTIALS, REGION
from offline_cloud.native_resources import FAILING_TYPE
from tests.engine_recorder import Recorder, name, thing


def skipped(stack: Any) -> list[tuple[str, str | None]]:
    return [(e.logical_id, e.physical_id) for e in stack.events if e.status == "DELETE_SKIPPED"]


@pytest.mark.parametrize(
    ("policy", "deleted"),
    [("Retain", False), ("Delete", True), ("Snapshot", True), (None, True)],
)
def test_a_replaced_custom_resource_leaves_its_old_physical_id_as_update_replace_policy_says(
    engine: CloudFormation, recorder: Recorder, policy: str | None, deleted: bool
) -> None:
    # GIVEN a custom resource with the policy, whose Update answers a new physical id
    stack = name()
    attributes = {} if policy is None else {"UpdateReplacePolicy": policy}
    engine.create_stack(stack, {"Resources": {"Moved": thing("one", **attributes)}})
    recorder.clear()
    # WHEN
    moved = engine.update_stack(stack, {"Resources": {"Moved": thing("two", **attributes)}})
    # THEN the cleanup deletes the old physical id, unless Retain keeps it out of the stack
    assert moved.status == "UPDATE_COMPLETE"
    assert (("Delete", "Moved", "one") in recorder.sent) is deleted
    assert skipped(moved) == ([] if deleted else [("Moved", "one")])
    recorder.clear()
    engine.delete_stack(stack)
    assert recorder.sent == [("Delete", "Moved", "two")], "the stack holds only the new one"


def test_a_replaced_native_resource_with_update_replace_policy_retain_stays(
    engine: CloudFormation, moto_endpoint: str
) -> None:
    ssm = boto3.client("ssm", endpoint_url=moto_endpoint, region_name=REGION, **_credentials())
    first, second = (f"/policies/{uuid.uuid4().hex}" for _ in range(2))

    def parameter(parameter_name: str, policy: str) -> dict[str, Any]:
        properties = {"Name": parameter_name, "Value": "v", "Type": "String"}
        return {
            "Type": "AWS::SSM::Parameter",
            "Properties": properties,
            "UpdateReplacePolicy": policy,
        }

    stack = name()
    engine.create_stack(stack, {"Resources": {"P": parameter(first, "Retain")}})
    moved = engine.update_stack(stack, {"Resources": {"P": parameter(second, "Retain")}})

    assert moved.status == "UPDATE_COMPLETE"
    assert skipped(moved) == [("P", first)]
    assert ssm.get_parameter(Name=first)["Parameter"]["Value"] == "v", "kept"
    engine.delete_stack(stack)
    assert ssm.get_parameters(Names=[first, second])["InvalidParameters"] == [second]


def _credentials() -> dict[str, str]:
    return {key.lower(): value for key, value in CREDENTIALS.items()}


def test_deletion_policy_retain_does_not_keep_a_replaced_physical_id(
    engine: CloudFormation, recorder: Recorder
) -> None:
    stack = name()
    engine.create_stack(stack, {"Resources": {"R": thing("one", DeletionPolicy="Retain")}})

    engine.update_stack(stack, {"Resources": {"R": thing("two", DeletionPolicy="Retain")}})

    assert ("Delete", "R", "one") in recorder.sent


def test_the_new_templates_update_replace_policy_decides_the_cleanup(
    engine: CloudFormation, recorder: Recorder
) -> None:
    stack = name()
    engine.create_stack(stack, {"Resources": {"R": thing("one", UpdateReplacePolicy="Retain")}})

    engine.update_stack(stack, {"Resources": {"R": thing("two")}})

    assert ("Delete", "R", "one") in recorder.sent


@pytest.mark.parametrize(("policy", "kept"), [("Retain", True), ("RetainExceptOnCreate", False)])
def test_a_failed_create_rolls_back_keeping_only_what_retain_keeps(
    engine: CloudFormation, recorder: Recorder, policy: str, kept: bool
) -> None:
    fails = {"Type": FAILING_TYPE, "DependsOn": "A"}
    template = {"Resources": {"A": thing("a", DeletionPolicy=policy), "Fails": fails}}

    rolled_back = engine.create_stack(name(), template)

    assert rolled_back.status == "ROLLBACK_COMPLETE"
    assert (("Delete", "A", "a") in recorder.sent) is not kept
    assert skipped(rolled_back) == ([("A", "a")] if kept else [])


@pytest.mark.parametrize(("policy", "kept"), [("Retain", True), ("RetainExceptOnCreate", False)])
def test_an_update_rollback_deletes_what_it_created_unless_retain_keeps_it(
    engine: CloudFormation, recorder: Recorder, policy: str, kept: bool
) -> None:
    stack = name()
    engine.create_stack(stack, {"Resources": {"Old": thing("old")}})
    new = {"New": thing("new", DeletionPolicy=policy), "Fails": {"Type": FAILING_TYPE}}

    rolled_back = engine.update_stack(stack, {"Resources": {"Old": thing("old"), **new}})

    assert rolled_back.status == "UPDATE_ROLLBACK_COMPLETE"
    assert (("Delete", "New", "new") in recorder.sent) is not kept
    assert list(rolled_back.resources) == ["Old"]


def test_retain_except_on_create_keeps_on_removal_and_on_stack_delete(
    engine: CloudFormation, recorder: Recorder
) -> None:
    stack = name()
    both = {"Removed": thing("r"), "Kept": thing("k")}
    policy = {"DeletionPolicy": "RetainExceptOnCreate"}
    engine.create_stack(stack, {"Resources": {k: {**v, **policy} for k, v in both.items()}})

    engine.update_stack(stack, {"Resources": {"Kept": {**both["Kept"], **policy}}})
    deleted = engine.delete_stack(stack)

    assert deleted.status == "DELETE_COMPLETE"
    assert [request for request in recorder.sent if request[0] == "Delete"] == []
    assert skipped(deleted) == [("Removed", "r"), ("Kept", "k")]
