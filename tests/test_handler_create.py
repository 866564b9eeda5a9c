"""The handler's Create: a free config written, someone else's refused, a lost write answered.

The handler's Lambda and CloudFormation clients are botocore Stubbers, which check each request
against the real API model; an unexpected call fails the request, so each test also proves which
calls were not made. Answers are captured at the wire (tests/conftest.py `responses`).
"""

from __future__ import annotations

from typing import Any

import pytest

from event_invoke_config_provider.cloudformation import MAX_REASON
from event_invoke_config_provider.function_ref import NOT_CREATED
from event_invoke_config_provider.properties import SHARED_PROVIDER_VARIABLE
from tests.support import (
    COPY_OF_ORDERS,
    HAND_MADE,
    ORDERS_ARN,
    SETTINGS,
    STACK_ID,
    Stubs,
    answer,
    event,
)


def test_create_of_a_free_config_puts_exactly_the_declared_settings(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=False)
    stubs.put({"FunctionName": ORDERS_ARN, **SETTINGS})

    create = event()
    response = answer(create, responses)

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert (response["StackId"], response["RequestId"]) == (create["StackId"], create["RequestId"])
    assert response["PhysicalResourceId"] == f"{ORDERS_ARN}:$LATEST"
    assert response["Data"] == {
        "FunctionArn": f"{ORDERS_ARN}:$LATEST",
        "LastModified": "2026-11-23T01:02:03+00:00",
    }


def test_create_refuses_a_config_no_resource_of_the_stack_holds_and_writes_nothing(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN, "Qualifier": "live"}, exists=True)
    stubs.stack(("Other", f"{ORDERS_ARN}:$LATEST", "CREATE_COMPLETE"))

    response = answer(event(ResourceProperties={"FunctionName": "orders:live"}), responses)

    assert response["Status"] == "FAILED"
    assert response["PhysicalResourceId"] == NOT_CREATED, "its rollback Delete touches nothing"
    assert response["Reason"] == (
        "FunctionName orders:live: a config no resource of this stack manages is there; nothing "
        "was changed. Another stack's: remove it there first (Retain keeps it). Left by a "
        "--no-rollback deploy: cdk rollback. Else set AdoptExisting: true."
    )


@pytest.mark.parametrize("qualifier", [{}, {"Qualifier": "live-" + "a" * 123}])
def test_the_refusal_keeps_every_way_out_within_the_reason_of_the_longest_target(
    stubs: Stubs, responses: list[dict[str, Any]], qualifier: dict[str, str]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    longest = "f" * 64
    stubs.get(
        {"FunctionName": ORDERS_ARN.replace(":orders", f":{longest}"), **qualifier}, exists=True
    )
    stubs.stack()

    properties = {"FunctionName": longest, **qualifier}
    reason = answer(event(ResourceProperties=properties), responses)["Reason"]

    assert len(reason) <= MAX_REASON
    assert reason.startswith(f"FunctionName {longest[:20]}")
    assert reason.endswith(
        "Another stack's: remove it there first (Retain keeps it). Left by a --no-rollback "
        "deploy: cdk rollback. Else set AdoptExisting: true."
    )


@pytest.mark.parametrize("status", ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_IN_PROGRESS"])
def test_create_takes_over_a_config_another_resource_of_the_stack_holds(
    stubs: Stubs, responses: list[dict[str, Any]], status: str
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=True)
    stubs.stack(("OldName", f"{ORDERS_ARN}:$LATEST", status), ("Async", "", "CREATE_IN_PROGRESS"))
    stubs.copy_saved(COPY_OF_ORDERS, {"StackId": STACK_ID, "LogicalResourceId": "Async"})
    stubs.put({"FunctionName": ORDERS_ARN, **SETTINGS})

    response = answer(event(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == (
        "SUCCESS",
        f"{ORDERS_ARN}:$LATEST",
    )


def test_adopt_existing_takes_over_a_config_set_outside_the_stack(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=True, settings=HAND_MADE)
    stubs.stack()
    stubs.copy_saved(
        COPY_OF_ORDERS, {"StackId": STACK_ID, "LogicalResourceId": "Async", **HAND_MADE}
    )
    stubs.put({"FunctionName": ORDERS_ARN, "MaximumRetryAttempts": 1})

    adopting = event(
        ResourceProperties={
            "FunctionName": "orders",
            "MaximumRetryAttempts": "1",
            "AdoptExisting": "true",
        }
    )

    assert answer(adopting, responses)["Status"] == "SUCCESS"


def test_bad_input_fails_with_the_reason_and_calls_nothing(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    bad = event(ResourceProperties={"FunctionName": "orders", "MaximumRetryAttempts": "5"})

    response = answer(bad, responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NOT_CREATED)
    assert response["Reason"] == (
        "MaximumRetryAttempts must be a whole number from 0 to 2; got '5': nothing was changed. "
        "Correct the template, then deploy again."
    )


def test_an_event_without_a_resource_type_is_still_answered(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    bad = event(ResourceProperties={"FunctionName": "orders", "MaximumRetryAttempts": "5"})
    del bad["ResourceType"]

    response = answer(bad, responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NOT_CREATED)
    assert response["Reason"].startswith("A request for a resource of type : this provider serves")


def test_the_response_url_is_not_logged(
    stubs: Stubs, responses: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=False)
    stubs.put({"FunctionName": ORDERS_ARN, **SETTINGS})

    with caplog.at_level("DEBUG"):
        response = answer(event(), responses)

    assert response["Status"] == "SUCCESS"
    assert caplog.records, "the handler logs what it does"
    assert "secret" not in caplog.text and "X-Amz-Signature" not in caplog.text


def test_a_long_failure_reason_keeps_its_start(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=False)
    stubs.put_refused("The destination is not allowed. " + "x" * 400)
    stubs.get({"FunctionName": ORDERS_ARN}, exists=False)

    response = answer(event(), responses)

    assert response["Reason"].startswith(
        "FunctionName orders: Lambda refused the settings (An error occurred "
        "(InvalidParameterValueException) when calling the PutFunctionEventInvokeConfig "
        "operation: The destination is not allowed. xxx"
    ), "the config first, then Lambda's words"
    assert response["Reason"].endswith(
        "; nothing was changed. Fix what Lambda names, then deploy again."
    )


def test_a_refused_write_that_an_earlier_attempt_applied_answers_the_configs_id(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=False)
    stubs.put_refused()  # earlier attempts may have applied it
    stubs.get({"FunctionName": ORDERS_ARN}, exists=True)  # read back: it was written after all

    response = answer(event(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == (
        "FAILED",
        f"{ORDERS_ARN}:$LATEST",
    )
    assert response["Reason"].startswith("FunctionName orders: Lambda did not confirm the write")


def test_an_unconfirmed_write_of_the_longest_target_keeps_its_cause_and_what_comes_next(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    # GIVEN the longest name and qualifier, and a long refusal by Lambda of a write it applied
    name, qualifier = "f" * 64, "live-" + "a" * 123
    target = {"FunctionName": ORDERS_ARN.replace(":orders", f":{name}"), "Qualifier": qualifier}
    stubs.get(target, exists=False)
    stubs.put_refused("The destination is not allowed. " + "x" * 4000)
    stubs.get(target, exists=True)
    # WHEN
    reason = answer(event(ResourceProperties={"FunctionName": name, **target}), responses)["Reason"]
    # THEN the name and Lambda's words share the room; the cause and what follows stay whole
    assert len(reason) == MAX_REASON
    assert reason.startswith(f"FunctionName {name}:{qualifier}: Lambda did not confirm the write (")
    assert (
        "PutFunctionEventInvokeConfig (InvalidParameterValueException): The destination" in reason
    )
    assert reason.endswith("x...). Nothing to do: the rollback removes what it may have written.")


def test_with_no_time_left_nothing_is_called(stubs: Stubs, responses: list[dict[str, Any]]) -> None:
    late = event(ResourceProperties={"FunctionName": "orders", "ServiceTimeout": "2"})

    response = answer(late, responses)  # 2 s minus the answer's reserve: no time to act

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NOT_CREATED)
    assert "nothing was changed" in response["Reason"]


@pytest.mark.parametrize(
    "other",
    [
        ("Gone", f"{ORDERS_ARN}:$LATEST", "DELETE_COMPLETE"),
        ("Async", f"{ORDERS_ARN}:$LATEST", "CREATE_COMPLETE"),  # the resource itself
    ],
)
def test_resources_being_deleted_and_the_resource_itself_hold_nothing(
    stubs: Stubs, responses: list[dict[str, Any]], other: tuple[str, str, str]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=True)
    stubs.stack(other)

    assert answer(event(), responses)["Status"] == "FAILED"


def test_a_refused_put_of_a_free_config_that_wrote_nothing_answers_an_id_naming_none(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=False)
    stubs.put_refused()
    stubs.get({"FunctionName": ORDERS_ARN}, exists=False)  # read back

    response = answer(event(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NOT_CREATED)


def test_a_shared_provider_that_does_not_adopt_says_its_operator_must_allow_it_first(
    stubs: Stubs, responses: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHARED_PROVIDER_VARIABLE, "LambdaEventInvokeConfig")
    stubs.stack_status("CREATE_IN_PROGRESS")
    stubs.get({"FunctionName": ORDERS_ARN}, exists=True)
    stubs.stack()

    response = answer(event(ResourceProperties={"FunctionName": "orders"}), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].endswith(
        "Else the provider's operator allows adoption (AllowAdoption), then set AdoptExisting: "
        "true."
    )
