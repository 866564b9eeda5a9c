"""Issue 22, item 8: the offline engine refuses what CloudFormation refuses, resumes a failed
rollback with ContinueUpdateRollback, and rolls back independent branches past a failure.

Custom resources answer from test_engine's recording stand-in (the physical id is the Target
property), so each test shows the exact requests CloudFormation sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from offline_cloud.cloudformation_api import CloudFormationApi
from offline_cloud.engine import CloudFormation
from offline_cloud.engine_resources import CustomResourceSender
from offline_cloud.fake_aws import REGION
from offline_cloud.native_resources import FAILING_TYPE
from offline_cloud.physical_resources import Created
from offline_cloud.stack_state import Stack
from tests.engine_recorder import Recorder, name, thing

FAILS = {"Type": FAILING_TYPE}


def refusing_rollback_of(logical_id: str, recorder: Recorder) -> CustomResourceSender:
    """Sends through `recorder`, which refuses the first rollback Update of `logical_id`."""
    refused: list[str] = []

    def send(stack: Stack, event: dict[str, Any]) -> Created:
        rolling_back = stack.status == "UPDATE_ROLLBACK_IN_PROGRESS"
        if rolling_back and event["LogicalResourceId"] == logical_id and not refused:
            refused.append(logical_id)
            recorder.fail_on.append(("Update", logical_id))
        return recorder(stack, event)

    return send


def refusal(stack: Stack) -> str:
    """CloudFormation's ValidationError for an update from the stack's status."""
    return f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."


def stuck_update(engine: CloudFormation, recorder: Recorder) -> Stack:
    """X and Y updated, Y refused; Y's rollback refused too: UPDATE_ROLLBACK_FAILED."""
    engine.create_stack(stack := name(), {"Resources": {"X": thing("x1"), "Y": thing("y1")}})
    recorder.fail_on += [("Update", "Y"), ("Update", "Y")]
    new = {"Resources": {"X": thing("x2"), "New": thing("n"), "Y": thing("y2")}}
    return engine.update_stack(stack, new)


def rollback_failed(engine: CloudFormation, recorder: Recorder) -> Stack:
    return stuck_update(engine, recorder)


def delete_failed(engine: CloudFormation, recorder: Recorder) -> Stack:
    """A resource that refers to a role fails its Delete (the update issue 22 tried next
    crashed the engine with KeyError: 'Role')."""
    role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
    uses = {"Type": "Custom::Thing", "Properties": {"Target": {"Fn::GetAtt": ["Role", "Arn"]}}}
    engine.create_stack(stack := name(), {"Resources": {"Role": role, "Uses": uses}})
    recorder.fail_on.append(("Delete", "Uses"))
    return engine.delete_stack(stack)


def create_rolled_back(engine: CloudFormation, recorder: Recorder) -> Stack:
    return engine.create_stack(name(), {"Resources": {"A": thing("a"), "Fails": FAILS}})


def create_rollback_failed(engine: CloudFormation, recorder: Recorder) -> Stack:
    recorder.fail_on.append(("Delete", "A"))
    return create_rolled_back(engine, recorder)


@pytest.mark.parametrize(
    ("reach", "status"),
    [
        (rollback_failed, "UPDATE_ROLLBACK_FAILED"),
        (delete_failed, "DELETE_FAILED"),
        (create_rolled_back, "ROLLBACK_COMPLETE"),
        (create_rollback_failed, "ROLLBACK_FAILED"),
    ],
)
def test_an_update_from_a_failed_or_rolled_back_status_is_refused_before_anything_is_sent(
    engine: CloudFormation,
    recorder: Recorder,
    reach: Callable[[CloudFormation, Recorder], Stack],
    status: str,
) -> None:
    stack = reach(engine, recorder)
    assert stack.status == status
    sent, events = list(recorder.sent), list(stack.events)

    with pytest.raises(ValueError) as refused:
        engine.update_stack(stack.name, stack.template)  # the deploy, tried again

    assert str(refused.value) == refusal(stack)
    assert (recorder.sent, stack.events, stack.status) == (sent, events, status)


def test_an_update_while_any_operation_runs_is_refused(
    engine: CloudFormation, recorder: Recorder
) -> None:
    """From inside each request: create, update, its cleanup, rollback, rollback cleanup, delete."""
    answers: dict[str, str] = {}

    def update_meanwhile(stack: Stack, event: dict[str, Any]) -> Created:
        try:
            engine.update_stack(stack.name, {"Resources": {"Other": thing("other")}})
        except ValueError as refused:
            answers[stack.status] = str(refused)
        return recorder(stack, event)

    engine.send_custom = update_meanwhile
    stack = engine.create_stack(name(), {"Resources": {"X": thing("x1"), "Gone": thing("g")}})
    engine.update_stack(stack.name, {"Resources": {"X": thing("x2")}})
    fails = {**FAILS, "DependsOn": ["X", "New"]}
    engine.update_stack(
        stack.name, {"Resources": {"X": thing("x3"), "New": thing("n"), "F": fails}}
    )
    engine.delete_stack(stack.name)

    in_progress = [
        "CREATE_IN_PROGRESS",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
    ]
    assert answers == {
        status: f"Stack:{stack.stack_id} is in {status} state and can not be updated."
        for status in in_progress
    }
    assert stack.status == "DELETE_COMPLETE"


def test_continue_update_rollback_retries_the_failed_resource_then_cleans_up(
    engine: CloudFormation, recorder: Recorder
) -> None:
    events: list[dict[str, Any]] = []

    def keep(stack: Stack, event: dict[str, Any]) -> Created:
        events.append(event)
        return recorder(stack, event)

    engine.send_custom = keep
    stack = stuck_update(engine, recorder)
    assert stack.status == "UPDATE_ROLLBACK_FAILED"
    assert {k: (r.physical_id, r.status) for k, r in stack.resources.items()} == {
        "X": ("x1", "UPDATE_COMPLETE"),
        "Y": ("y1", "UPDATE_FAILED"),
        "New": ("n", "CREATE_COMPLETE"),  # no cleanup yet
    }
    failed_rollback = events[-1]
    recorder.clear()

    resumed = engine.continue_update_rollback(stack.name)

    assert resumed.status == "UPDATE_ROLLBACK_COMPLETE"
    assert recorder.sent == [
        ("Update", "Y", "y1"),  # retried; X, already rolled back, is not sent again
        ("Delete", "New", "n"),
        ("Delete", "X", "x2"),
    ]
    assert events[-3] == failed_rollback, "the same request as the rollback that failed"
    assert {k: r.physical_id for k, r in resumed.resources.items()} == {"X": "x1", "Y": "y1"}
    with pytest.raises(ValueError, match="UPDATE_ROLLBACK_COMPLETE state: ContinueUpdate"):
        engine.continue_update_rollback(stack.name)
    again = engine.update_stack(stack.name, {"Resources": {"X": thing("x4"), "Y": thing("y1")}})
    assert again.status == "UPDATE_COMPLETE"
    assert recorder.sent[-2:] == [("Update", "X", "x1"), ("Delete", "X", "x1")]


def test_resources_to_skip_are_only_those_whose_rollback_failed_and_are_marked_rolled_back(
    engine: CloudFormation, recorder: Recorder
) -> None:
    """Z's rollback fails; Y, whose own update failed, waits for Z: only Z may be skipped."""
    stable = {"Z": thing("z1"), "Y": thing("y1", DependsOn="Z"), "X": thing("x1")}
    engine.create_stack(stack := name(), {"Resources": stable})
    engine.send_custom = refusing_rollback_of("Z", recorder)
    recorder.fail_on.append(("Update", "Y"))
    new = {"Z": thing("z2"), "Y": thing("y2", DependsOn="Z"), "X": thing("x2", DependsOn="Y")}
    recorder.clear()

    stuck = engine.update_stack(stack, {"Resources": new})

    assert stuck.status == "UPDATE_ROLLBACK_FAILED"
    assert recorder.sent == [("Update", "Z", "z1"), ("Update", "Y", "y1"), ("Update", "Z", "z2")]
    for not_skippable in ("Y", "X", "Nope"):  # failed in the update, rolled back, no such one
        with pytest.raises(ValueError, match=f"Resource {not_skippable} cannot be skipped"):
            engine.continue_update_rollback(stack, [not_skippable])
    assert stuck.status == "UPDATE_ROLLBACK_FAILED"
    recorder.clear()

    done = engine.continue_update_rollback(stack, ["Z"])

    assert done.status == "UPDATE_ROLLBACK_COMPLETE"
    assert recorder.sent == [
        ("Update", "Y", "y1"),  # Z skipped: nothing sent to it; Y rolled back after it
        ("Delete", "Z", "z2"),  # the physical id the update gave Z: no record shows it now
    ]
    assert {k: (r.physical_id, r.status) for k, r in done.resources.items()} == {
        "Z": ("z1", "UPDATE_COMPLETE"),
        "Y": ("y1", "UPDATE_COMPLETE"),
        "X": ("x1", "CREATE_COMPLETE"),  # never reached by the update
    }
    assert done.resources["Z"].properties == {"Target": "z1"}, "the template's, as rolled back"


def test_a_failed_rollback_still_rolls_back_the_independent_branches(
    engine: CloudFormation, recorder: Recorder
) -> None:
    """A's rollback fails: C, which depends on A, waits; B, listed last, is rolled back."""
    stable = {"A": thing("a1"), "C": thing("c1", DependsOn="A"), "B": thing("b1")}
    engine.create_stack(stack := name(), {"Resources": stable})
    new = {**{k: thing(f"{k.lower()}2") for k in "AB"}, "C": thing("c2", DependsOn="A")}
    new["Fails"] = {**FAILS, "DependsOn": ["A", "B", "C"]}
    engine.send_custom = refusing_rollback_of("A", recorder)
    recorder.clear()

    stuck = engine.update_stack(stack, {"Resources": new})

    assert recorder.sent == [
        *[("Update", k, f"{k.lower()}1") for k in "ABC"],
        ("Update", "A", "a2"),  # refused
        ("Update", "B", "b2"),  # rolled back all the same; C waits for A
    ]
    assert stuck.status == "UPDATE_ROLLBACK_FAILED"
    assert {k: (r.physical_id, r.status) for k, r in stuck.resources.items()} == {
        "A": ("a2", "UPDATE_FAILED"),
        "C": ("c2", "UPDATE_COMPLETE"),  # left as the update made it
        "B": ("b1", "UPDATE_COMPLETE"),
        "Fails": (None, "CREATE_FAILED"),
    }
    recorder.clear()

    done = engine.continue_update_rollback(stack)

    assert done.status == "UPDATE_ROLLBACK_COMPLETE"
    assert recorder.sent == [
        ("Update", "A", "a2"),  # retried
        ("Update", "C", "c2"),  # no longer waiting
        ("Delete", "C", "c2"),
        ("Delete", "B", "b2"),
        ("Delete", "A", "a2"),
    ]
    assert {k: r.physical_id for k, r in done.resources.items()} == {
        "A": "a1",
        "C": "c1",
        "B": "b1",
    }


@pytest.fixture
def api(moto_endpoint: str, recorder: Recorder) -> Iterator[tuple[CloudFormationApi, Any]]:
    """The AWS CLI's CloudFormation API, its custom resources answered by the recorder."""
    offline = CloudFormationApi(moto_endpoint)
    offline.engine(REGION).send_custom = recorder
    with offline as url:
        yield offline, boto3.client("cloudformation", endpoint_url=url, region_name=REGION)


def deploy(client: Any, stack: str, kind: str, resources: dict[str, Any]) -> str:
    """CreateChangeSet then ExecuteChangeSet, as `aws cloudformation deploy`; the status after."""
    body = json.dumps({"Resources": resources})
    change_set = f"c-{name()}"
    client.create_change_set(
        StackName=stack, ChangeSetName=change_set, ChangeSetType=kind, TemplateBody=body
    )
    client.execute_change_set(StackName=stack, ChangeSetName=change_set)
    [described] = client.describe_stacks(StackName=stack)["Stacks"]
    return str(described["StackStatus"])


def test_the_cli_api_refuses_the_change_set_and_serves_continue_update_rollback(
    api: tuple[CloudFormationApi, Any], recorder: Recorder
) -> None:
    _offline, client = api
    stack = name()
    deploy(client, stack, "CREATE", {"X": thing("x1"), "Y": thing("y1")})
    recorder.fail_on += [("Update", "Y"), ("Update", "Y")]
    stuck = deploy(client, stack, "UPDATE", {"X": thing("x2"), "Y": thing("y2")})
    assert stuck == "UPDATE_ROLLBACK_FAILED"
    [described] = client.describe_stacks(StackName=stack)["Stacks"]

    with pytest.raises(ClientError) as refused:
        deploy(client, stack, "UPDATE", {"X": thing("x3"), "Y": thing("y3")})
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationError",
        f"Stack:{described['StackId']} is in UPDATE_ROLLBACK_FAILED state and can not be updated.",
    )
    with pytest.raises(ClientError, match="Resource X cannot be skipped"):
        client.continue_update_rollback(StackName=stack, ResourcesToSkip=["X"])
    recorder.clear()

    client.continue_update_rollback(StackName=stack, ResourcesToSkip=["Y"])

    [described] = client.describe_stacks(StackName=stack)["Stacks"]
    assert described["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert recorder.sent == [("Delete", "X", "x2")], "Y skipped: nothing sent to it"
    assert deploy(client, stack, "UPDATE", {"X": thing("x3"), "Y": thing("y1")}) == (
        "UPDATE_COMPLETE"
    )
