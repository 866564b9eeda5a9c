"""The handler's Update: in place, or a move checked like a Create and rolled back cleanly.

The handler's Lambda and CloudFormation clients are botocore Stubbers, which check each request
against the real API model; an unexpected call fails the request, so each test also proves which
calls were not made. Answers are captured at the wire (tests/conftest.py `responses`).
"""

from __future__ import annotations

from typing import Any

from event_invoke_config_provider.cloudformation import MAX_REASON
from tests.support import COPY_OF_ORDERS_LIVE, ORDERS_ARN, STACK_ID, Stubs, answer, event


def test_update_of_the_same_config_puts_without_the_settings_it_dropped(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_IN_PROGRESS")
    stubs.put({"FunctionName": ORDERS_ARN, "MaximumRetryAttempts": 2})
    update = event(
        "Update",
        PhysicalResourceId=f"{ORDERS_ARN}:$LATEST",
        OldResourceProperties=event()["ResourceProperties"],
        ResourceProperties={"FunctionName": ORDERS_ARN, "MaximumRetryAttempts": "2"},
    )

    response = answer(update, responses)

    assert (response["Status"], response["PhysicalResourceId"]) == (
        "SUCCESS",
        f"{ORDERS_ARN}:$LATEST",
    )


def move_to_live() -> dict[str, Any]:
    return event(
        "Update",
        PhysicalResourceId=f"{ORDERS_ARN}:$LATEST",
        OldResourceProperties=event()["ResourceProperties"],
        ResourceProperties={"FunctionName": "orders", "Qualifier": "live"},
    )


def test_a_move_onto_a_config_no_one_in_the_stack_holds_fails_with_the_old_id(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, exists=True)
    stubs.stack()

    # WHEN
    response = answer(move_to_live(), responses)
    # THEN it fails with the old id
    assert (response["Status"], response["PhysicalResourceId"]) == (
        "FAILED",
        f"{ORDERS_ARN}:$LATEST",
    )
    assert "AdoptExisting" in response["Reason"]


def test_a_rollback_moves_a_config_back_to_where_it_was(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_ROLLBACK_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, exists=True)
    stubs.stack()
    stubs.put({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, f"{ORDERS_ARN}:live")

    response = answer(move_to_live(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", f"{ORDERS_ARN}:live")


def test_a_move_to_a_free_place_reads_nothing_of_the_stack(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, exists=False)
    stubs.put({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, f"{ORDERS_ARN}:live")

    response = answer(move_to_live(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", f"{ORDERS_ARN}:live")


def test_a_move_onto_a_config_another_resource_holds_takes_it_over(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, exists=True)
    stubs.stack(("Removed", f"{ORDERS_ARN}:live", "UPDATE_COMPLETE"))
    stubs.copy_saved(COPY_OF_ORDERS_LIVE, {"StackId": STACK_ID, "LogicalResourceId": "Async"})
    stubs.put({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, f"{ORDERS_ARN}:live")

    assert answer(move_to_live(), responses)["Status"] == "SUCCESS"


def test_an_unconfirmed_move_removes_what_it_may_have_written(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, exists=False)
    stubs.put_refused()  # earlier attempts may have applied it
    stubs.get({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, exists=True)
    stubs.lambda_.add_response(
        "delete_function_event_invoke_config", {}, {"FunctionName": ORDERS_ARN, "Qualifier": "live"}
    )

    # WHEN
    response = answer(move_to_live(), responses)
    # THEN it fails with the old id
    assert (response["Status"], response["PhysicalResourceId"]) == (
        "FAILED",
        f"{ORDERS_ARN}:$LATEST",
    )
    assert response["Reason"].endswith(
        "Nothing to do: the provider removed what it may have written, and the rollback keeps "
        "the config at its old place."
    )


def test_an_unconfirmed_move_that_cannot_remove_what_it_wrote_says_how_to(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("UPDATE_IN_PROGRESS")
    # GIVEN a move whose write Lambda refused after an attempt applied it, and a failing cleanup
    live = {"FunctionName": ORDERS_ARN, "Qualifier": "live"}
    stubs.get(live, exists=False)
    stubs.put_refused("The destination is not allowed. " + "x" * 4000)
    stubs.get(live, exists=True)
    stubs.lambda_.add_client_error(
        "delete_function_event_invoke_config",
        service_error_code="InvalidParameterValueException",
        http_status_code=400,
    )

    # WHEN
    response = answer(move_to_live(), responses)
    # THEN it fails with the old id
    assert (response["Status"], response["PhysicalResourceId"]) == (
        "FAILED",
        f"{ORDERS_ARN}:$LATEST",
    )
    assert len(response["Reason"]) == MAX_REASON
    # and its reason keeps the cause and the command whole; Lambda's words are shortened
    assert response["Reason"].startswith(
        "FunctionName orders:live: Lambda did not confirm the write of the move "
        "(PutFunctionEventInvokeConfig (InvalidParameterValueException): The destination"
    )
    assert response["Reason"].endswith(
        "x...), and removing it failed. Remove what it may have left: aws lambda "
        f"delete-function-event-invoke-config --function-name {ORDERS_ARN} --qualifier live"
    )
