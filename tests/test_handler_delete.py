"""The handler's Delete: from the physical id alone, never a config another resource holds.

The handler's Lambda and CloudFormation clients are botocore Stubbers, which check each request
against the real API model; an unexpected call fails the request, so each test also proves which
calls were not made. Answers are captured at the wire (tests/conftest.py `responses`).
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from event_invoke_config_provider.function_ref import NOT_CREATED
from tests.support import COPY_OF_ORDERS, COPY_OF_ORDERS_LIVE, ORDERS_ARN, Stubs, answer, event


@pytest.mark.parametrize(
    ("physical_id", "expected"),
    [
        (f"{ORDERS_ARN}:$LATEST", {"FunctionName": ORDERS_ARN}),
        (f"{ORDERS_ARN}:live", {"FunctionName": ORDERS_ARN, "Qualifier": "live"}),
        (f"{ORDERS_ARN}:7", {"FunctionName": ORDERS_ARN, "Qualifier": "7"}),
    ],
)
def test_delete_works_from_the_physical_id_alone(
    stubs: Stubs, responses: list[dict[str, Any]], physical_id: str, expected: dict[str, str]
) -> None:
    stubs.stack_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    stubs.stack(("Async", physical_id, "DELETE_IN_PROGRESS"))
    stubs.lambda_.add_response("delete_function_event_invoke_config", {}, expected)
    delete = event(
        "Delete", PhysicalResourceId=physical_id, ResourceProperties={"FunctionName": "x"}
    )

    response = answer(delete, responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", physical_id)


@pytest.mark.parametrize(
    "stack_status",
    [
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",  # no Delete is documented here: read all the same
        "IMPORT_ROLLBACK_IN_PROGRESS",
    ],
)
def test_delete_keeps_a_config_another_resource_of_the_stack_now_holds(
    stubs: Stubs, responses: list[dict[str, Any]], stack_status: str
) -> None:
    stubs.stack_status(stack_status)
    stubs.stack(
        ("Async", f"{ORDERS_ARN}:live", "UPDATE_COMPLETE"),
        ("NewName", f"{ORDERS_ARN}:$LATEST", "CREATE_COMPLETE"),
    )
    if stack_status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
        stubs.copy_found(COPY_OF_ORDERS, None)  # a rollback looks for a copy it took first

    response = answer(event("Delete", PhysicalResourceId=f"{ORDERS_ARN}:$LATEST"), responses)

    assert response["Status"] == "SUCCESS"  # and no delete call: the Stubber has none queued


@pytest.mark.parametrize("made_up", [NOT_CREATED, "demo_Async_K3J9Q2ZP"])
def test_delete_of_an_id_that_names_no_config_calls_nothing(
    stubs: Stubs, responses: list[dict[str, Any]], made_up: str
) -> None:
    response = answer(event("Delete", PhysicalResourceId=made_up), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", made_up)


@pytest.mark.parametrize("stack_status", ["DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"])
def test_while_the_whole_stack_goes_delete_reads_its_status_alone(
    stubs: Stubs, responses: list[dict[str, Any]], stack_status: str
) -> None:
    # GIVEN a stack being deleted, or rolled back after its creation failed: every resource of
    # it goes, so none can keep the config
    stubs.stack_status(stack_status)
    if stack_status == "ROLLBACK_IN_PROGRESS":
        stubs.copy_found(COPY_OF_ORDERS_LIVE, None)  # a rollback looks for a copy it took first
    stubs.lambda_.add_response(
        "delete_function_event_invoke_config", {}, {"FunctionName": ORDERS_ARN, "Qualifier": "live"}
    )
    stubs.copy_forgotten(COPY_OF_ORDERS_LIVE, existed=False)

    # WHEN one of its configs is deleted
    response = answer(event("Delete", PhysicalResourceId=f"{ORDERS_ARN}:live"), responses)

    # THEN it is deleted after one stack request: no ListStackResources is queued
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", f"{ORDERS_ARN}:live")


def test_delete_of_a_config_already_gone_succeeds(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("DELETE_IN_PROGRESS")
    stubs.lambda_.add_client_error(
        "delete_function_event_invoke_config",
        service_error_code="ResourceNotFoundException",
        http_status_code=404,
    )

    assert answer(event("Delete", PhysicalResourceId=f"{ORDERS_ARN}:$LATEST"), responses)[
        "Status"
    ] == ("SUCCESS")


def test_a_delete_the_template_no_longer_grants_says_how_to_finish_by_hand(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    stubs.stack()
    stubs.lambda_.add_client_error(
        "delete_function_event_invoke_config",
        service_error_code="AccessDeniedException",
        http_status_code=403,
    )

    response = answer(event("Delete", PhysicalResourceId=f"{ORDERS_ARN}:live"), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].endswith(
        "aws lambda delete-function-event-invoke-config "
        f"--function-name {ORDERS_ARN} --qualifier live"
    )


def test_a_holder_on_a_later_page_is_found(stubs: Stubs, responses: list[dict[str, Any]]) -> None:
    stubs.stack_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    stubs.stack_pages(
        [("First", f"{ORDERS_ARN}:7", "CREATE_COMPLETE")],
        [("Second", f"{ORDERS_ARN}:$LATEST", "CREATE_COMPLETE")],
    )

    response = answer(event("Delete", PhysicalResourceId=f"{ORDERS_ARN}:$LATEST"), responses)

    assert response["Status"] == "SUCCESS"  # kept: no delete call is queued


@pytest.mark.parametrize(
    ("denied", "before"),
    [("describe_stacks", None), ("list_stack_resources", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")],
)
def test_a_stack_the_provider_may_not_read_fails_the_delete_with_what_is_missing(
    stubs: Stubs, responses: list[dict[str, Any]], denied: str, before: str | None
) -> None:
    if before is not None:
        stubs.stack_status(before)
    stubs.cloudformation.add_client_error(
        denied, service_error_code="AccessDenied", http_status_code=403
    )

    with mock.patch("event_invoke_config_provider.retries.OWN_GRANT_PROPAGATION_SECONDS", 0.0):
        response = answer(event("Delete", PhysicalResourceId=f"{ORDERS_ARN}:$LATEST"), responses)

    action = "DescribeStacks" if denied == "describe_stacks" else "ListStackResources"
    assert response["Status"] == "FAILED"
    if denied == "describe_stacks":  # it cannot tell a teardown from a cleanup: both ways out
        assert response["Reason"].startswith(
            "Delete of FunctionName orders: the provider may not read this stack (a grant "
            "changed by hand), so it cannot tell whether another resource holds the config; "
            "it was kept. If the stack is being deleted, remove it by hand: "
        )
        return
    assert response["Reason"].startswith(
        f"The provider may not read its stack (cloudformation:{action} on "
    )
