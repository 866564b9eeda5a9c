"""Issue 25: an event acts only while CloudFormation could have sent it.

CloudFormation sends a custom resource's requests only during an operation on the stack the event
names, from that stack's region (handler ownership.py cites the pages). Anyone allowed to invoke
the provider can hand it an event: one for a stack of another account or region, for a stack with
no operation in progress, or for another resource type is answered FAILED, and the botocore
Stubbers prove that nothing but the stack's status was read.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import ORDERS_ARN, STACK_ID, Stubs, answer, event

CONFIG_ID = f"{ORDERS_ARN}:$LATEST"
FORGED: dict[str, dict[str, Any]] = {
    "Create": {"ResourceProperties": {"FunctionName": "orders", "AdoptExisting": "true"}},
    "Update": {
        "PhysicalResourceId": CONFIG_ID,
        "ResourceProperties": {"FunctionName": "orders", "MaximumEventAgeInSeconds": "60"},
        "OldResourceProperties": {"FunctionName": "orders"},
    },
    "Delete": {"PhysicalResourceId": CONFIG_ID},
}
# What a stack shows when no operation runs on it (Stack status codes), and REVIEW_IN_PROGRESS:
# a change set's stack before any operation.
IDLE = [
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_FAILED",
    "DELETE_COMPLETE",
    "REVIEW_IN_PROGRESS",
]


def forged(request_type: str, **changes: Any) -> dict[str, Any]:
    return event(request_type, **{**FORGED[request_type], **changes})


@pytest.mark.parametrize("request_type", FORGED)
@pytest.mark.parametrize("status", IDLE)
def test_an_event_for_a_stack_without_an_operation_changes_nothing(
    stubs: Stubs, responses: list[dict[str, Any]], request_type: str, status: str
) -> None:
    stubs.stack_status(status)

    response = answer(forged(request_type), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"] == (
        f"A request for the stack {STACK_ID}: no stack operation is in progress on it "
        f"({status}), and CloudFormation sends requests only during one; nothing was changed. "
        "If a deploy is running, CloudFormation stopped waiting for this request: retry the "
        "stack operation. Otherwise, find who invoked the provider (CloudTrail)."
    )


@pytest.mark.parametrize("request_type", FORGED)
def test_an_event_for_a_stack_that_does_not_exist_changes_nothing(
    stubs: Stubs, responses: list[dict[str, Any]], request_type: str
) -> None:
    stubs.stack_missing()

    response = answer(forged(request_type), responses)

    assert response["Status"] == "FAILED"
    assert "no stack operation is in progress on it (no such stack)" in response["Reason"]


@pytest.mark.parametrize("request_type", FORGED)
@pytest.mark.parametrize(
    "stack_id",
    [
        STACK_ID.replace("123456789012", "999999999999"),
        STACK_ID.replace("us-east-1", "eu-west-1"),
        STACK_ID.replace(":aws:", ":aws-cn:"),
        "demo",
        "",
    ],
    ids=["account", "region", "partition", "name", "empty"],
)
def test_an_event_for_a_stack_elsewhere_is_refused_before_any_request(
    stubs: Stubs, responses: list[dict[str, Any]], request_type: str, stack_id: str
) -> None:
    response = answer(forged(request_type, StackId=stack_id), responses)

    assert response["Status"] == "FAILED"
    assert "it is not in this provider's account and region" in response["Reason"]


@pytest.mark.parametrize("request_type", FORGED)
def test_an_event_of_another_resource_type_is_refused_before_any_request(
    stubs: Stubs, responses: list[dict[str, Any]], request_type: str
) -> None:
    response = answer(forged(request_type, ResourceType="Custom::Anything"), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith(
        "A request for a resource of type Custom::Anything: this provider serves "
        "Custom::LambdaEventInvokeConfig only; nothing was changed."
    )
