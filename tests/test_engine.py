"""The offline engine's model of CloudFormation: the order of requests, rollbacks, the stack API.

Custom resources here answer from a recording stand-in (the physical id is the Target
property, as a provider without ownership checks would answer), so each test shows the exact
sequence CloudFormation sends; the provider asset itself is driven in test_ownership.py. The
last test pins the policies a role holds at each request, phase by phase
(offline_cloud/iam_roles.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from offline_cloud.engine import CloudFormation
from offline_cloud.iam_policy import evaluate
from offline_cloud.native_resources import FAILING_TYPE
from offline_cloud.physical_resources import Created
from offline_cloud.stack_api import PAGE_SIZE, StackApi
from offline_cloud.stack_state import Stack
from tests.engine_recorder import CUSTOM, Recorder, name, thing


def test_create_goes_in_dependency_order_and_delete_in_reverse(
    engine: CloudFormation, recorder: Recorder
) -> None:
    stack = name()
    template = {
        "Resources": {
            "C": thing("c", DependsOn="B"),
            "B": {"Type": CUSTOM, "Properties": {"Target": {"Fn::Sub": "${A}-b"}}},
            "A": thing("a"),
        }
    }

    assert engine.create_stack(stack, template).status == "CREATE_COMPLETE"
    assert engine.delete_stack(stack).status == "DELETE_COMPLETE"

    assert recorder.sent == [
        ("Create", "A", None),
        ("Create", "B", None),
        ("Create", "C", None),
        ("Delete", "C", "c"),
        ("Delete", "B", "a-b"),
        ("Delete", "A", "a"),
    ]


def test_a_failed_create_rolls_back_what_was_created_in_reverse(
    engine: CloudFormation, recorder: Recorder
) -> None:
    template = {
        "Resources": {
            "A": thing("a"),
            "B": thing("b", DependsOn="A"),
            "Fails": {"Type": FAILING_TYPE, "DependsOn": "B"},
        }
    }

    stack = engine.create_stack(name(), template)

    assert stack.status == "ROLLBACK_COMPLETE"
    assert stack.resources == {}
    assert recorder.sent[2:] == [("Delete", "B", "b"), ("Delete", "A", "a")]
    assert recorder.seen_status[2:] == ["ROLLBACK_IN_PROGRESS"] * 2


def test_an_update_then_cleans_up_in_reverse_order_of_the_old_template_and_keeps_retained(
    engine: CloudFormation, recorder: Recorder
) -> None:
    stack = name()
    old = {
        "Resources": {
            "Moved": thing("one"),
            "Removed": thing("gone", DependsOn="Moved"),
            "Kept": thing("kept", DeletionPolicy="Retain"),
        }
    }
    engine.create_stack(stack, old)
    recorder.clear()

    new = {"Resources": {"Added": thing("new"), "Moved": thing("two")}}
    updated = engine.update_stack(stack, new)

    assert updated.status == "UPDATE_COMPLETE"
    assert recorder.sent == [
        ("Create", "Added", None),
        ("Update", "Moved", "one"),
        ("Delete", "Removed", "gone"),
        ("Delete", "Moved", "one"),  # the replaced physical id
    ]
    assert recorder.seen_status[-2:] == ["UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"] * 2
    assert {k: r.physical_id for k, r in updated.resources.items()} == {
        "Added": "new",
        "Moved": "two",
    }
    assert [e.logical_id for e in updated.events if e.status == "DELETE_SKIPPED"] == ["Kept"]


def test_the_cleanup_keeps_the_old_templates_order_through_a_resource_the_update_keeps(
    engine: CloudFormation, recorder: Recorder
) -> None:
    """Upgrading from 0.1.0: a config uses the provider, which DependsOn the policy the update
    removes; the provider stays."""
    stack = name()
    provider = thing("provider", DependsOn="Policy")
    old = {
        "Resources": {  # listed so that template order alone would delete the policy first
            "Config": {"Type": CUSTOM, "Properties": {"Target": {"Fn::Sub": "${Provider}-c"}}},
            "Provider": provider,
            "Policy": thing("policy"),
        }
    }
    engine.create_stack(stack, old)
    recorder.clear()

    updated = engine.update_stack(stack, {"Resources": {"Provider": thing("provider")}})

    assert updated.status == "UPDATE_COMPLETE"
    assert recorder.sent == [("Delete", "Config", "provider-c"), ("Delete", "Policy", "policy")]


def test_a_failed_update_puts_back_every_updated_resource_then_deletes_what_it_made(
    engine: CloudFormation, recorder: Recorder
) -> None:
    stack = name()
    engine.create_stack(stack, {"Resources": {"X": thing("x1"), "Y": thing("y1")}})
    recorder.clear()
    recorder.fail_on.append(("Update", "Y"))

    new = {"Resources": {"X": thing("x2"), "New": thing("n", DependsOn="X"), "Y": thing("y2")}}
    rolled_back = engine.update_stack(stack, new)

    assert rolled_back.status == "UPDATE_ROLLBACK_COMPLETE"
    assert recorder.sent == [
        ("Update", "X", "x1"),
        ("Create", "New", None),
        ("Update", "Y", "y1"),  # refused
        ("Update", "X", "x2"),  # back to x1: the rollback replaces x2
        ("Update", "Y", "y1"),  # the failed one is put back too
        ("Delete", "New", "n"),
        ("Delete", "X", "x2"),
    ]
    assert recorder.seen_status[3:5] == ["UPDATE_ROLLBACK_IN_PROGRESS"] * 2
    assert recorder.seen_status[5:] == ["UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"] * 2
    assert {k: r.physical_id for k, r in rolled_back.resources.items()} == {"X": "x1", "Y": "y1"}


def test_a_delete_that_fails_in_a_rollback_leaves_the_stack_rollback_failed(
    engine: CloudFormation, recorder: Recorder
) -> None:
    fails = {"Type": FAILING_TYPE, "DependsOn": "B"}
    recorder.fail_on.append(("Delete", "B"))
    template = {"Resources": {"A": thing("a"), "B": thing("b", DependsOn="A"), "Fails": fails}}

    stack = engine.create_stack(name(), template)

    assert stack.status == "ROLLBACK_FAILED"
    assert {k: r.status for k, r in stack.resources.items()} == {"B": "DELETE_FAILED"}
    assert recorder.sent[2:] == [("Delete", "B", "b"), ("Delete", "A", "a")]

    recorder.clear()
    recorder.fail_on += [("Update", "Y"), ("Update", "Y")]  # the update, then its rollback
    engine.create_stack(second := name(), {"Resources": {"X": thing("x1"), "Y": thing("y1")}})
    update = engine.update_stack(second, {"Resources": {"X": thing("x2"), "Y": thing("y2")}})

    assert update.status == "UPDATE_ROLLBACK_FAILED"
    assert recorder.sent[-2:] == [("Update", "X", "x2"), ("Update", "Y", "y1")]
    assert update.resources["Y"].status == "UPDATE_FAILED"


@pytest.fixture
def api(engine: CloudFormation) -> Iterator[Any]:
    with StackApi(engine) as endpoint:
        yield boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1")


def test_the_stack_api_shows_the_live_state_to_botocore(
    engine: CloudFormation, recorder: Recorder, api: Any
) -> None:
    stack = name()
    seen: list[Any] = []

    def look(stack_now: Stack, event: dict[str, Any]) -> Created:
        pages = api.get_paginator("list_stack_resources").paginate(StackName=stack_now.stack_id)
        summaries = [s for page in pages for s in page["StackResourceSummaries"]]
        [described] = api.describe_stacks(StackName=stack_now.stack_id)["Stacks"]
        seen.append((described["StackStatus"], summaries))
        return recorder(stack_now, event)

    engine.send_custom = look
    resources = {f"R{i}": thing(f"r{i}") for i in range(PAGE_SIZE + 1)}
    engine.create_stack(stack, {"Resources": resources})

    status, summaries = seen[-1]
    assert status == "CREATE_IN_PROGRESS"
    assert [
        (s["LogicalResourceId"], s.get("PhysicalResourceId"), s["ResourceStatus"])
        for s in summaries
    ] == [
        *[(f"R{i}", f"r{i}", "CREATE_COMPLETE") for i in range(PAGE_SIZE)],
        (f"R{PAGE_SIZE}", None, "CREATE_IN_PROGRESS"),
    ], "more than one page, read through NextToken"
    with pytest.raises(api.exceptions.ClientError, match="does not exist"):
        api.describe_stacks(StackName="no-such-stack")


def allow(action: str) -> dict[str, Any]:
    return {"Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def test_a_role_holds_each_policy_from_its_create_to_its_delete_whatever_the_phase(
    engine: CloudFormation, recorder: Recorder
) -> None:
    probes = ("test:Own", "test:Attached", "test:Inline", "test:Other", "test:First", "test:Next")
    seen: dict[tuple[str, str], set[str]] = {}

    def look(stack: Stack, event: dict[str, Any]) -> Created:
        documents = engine.native.role_policies.documents(str(stack.resources["Role"].physical_id))
        allowed = {probe for probe in probes if evaluate(documents, probe, "x").allowed}
        seen[(event["RequestType"], event["LogicalResourceId"])] = allowed
        return recorder(stack, event)

    engine.send_custom = look
    role_policies = [{"PolicyName": "own", "PolicyDocument": allow("test:Own")}]
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {},
            "Policies": role_policies,
            "ManagedPolicyArns": [{"Ref": "Attached"}],
        },
    }

    def policies(inline: str, managed: tuple[str, str]) -> dict[str, Any]:
        roles = [{"Ref": "Role"}]
        name, action = managed
        return {
            "Role": role,
            "Attached": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": allow("test:Attached")},
            },
            "Inline": {
                "Type": "AWS::IAM::Policy",
                "Properties": {"PolicyName": "p", "PolicyDocument": allow(inline), "Roles": roles},
            },
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": name,  # a new name replaces the policy
                    "PolicyDocument": allow(action),
                    "Roles": roles,
                },
            },
        }

    grants = ["Role", "Inline", "Managed"]
    stack = name()
    old = {"Resources": {**policies("test:Inline", (stack, "test:First")), "Old": thing("o")}}
    old["Resources"]["Old"]["DependsOn"] = grants
    engine.create_stack(stack, old)
    new_resources = {**policies("test:Other", (f"{stack}-2", "test:Next")), "New": thing("n")}
    new_resources["New"]["DependsOn"] = grants
    updated = engine.update_stack(stack, {"Resources": new_resources})
    assert updated.status == "UPDATE_COMPLETE"
    role_name = str(updated.resources["Role"].physical_id)
    engine.delete_stack(stack)

    both = {"test:Own", "test:Attached"}
    assert seen == {
        ("Create", "Old"): both | {"test:Inline", "test:First"},
        # update phase: the inline policy changed in place; the replaced managed policy is there
        ("Create", "New"): both | {"test:Other", "test:First", "test:Next"},
        # cleanup phase: deleted after what depends on it
        ("Delete", "Old"): both | {"test:Other", "test:First", "test:Next"},
        ("Delete", "New"): both | {"test:Other", "test:Next"},
    }
    assert engine.native.role_policies.documents(role_name) == [], "deleted with the stack"
