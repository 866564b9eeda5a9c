"""The handler against botocore's Stubber, which checks each request against the real API model.

Both clients the handler makes (Lambda and CloudFormation) are stubbed; an unexpected call
fails the request, so each test also proves which calls were not made. Answers are captured at
the wire (the HTTPS connection the provider's response sender opens).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber

from devtools.lambda_bootstrap import LambdaContext
from event_invoke_config_provider import index
from event_invoke_config_provider.function_ref import NOT_CREATED
from tests.support import event

ORDERS = "arn:aws:lambda:us-east-1:123456789012:function:orders"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:failures"
MODIFIED = datetime.datetime(2026, 11, 23, 1, 2, 3, tzinfo=datetime.UTC)
TYPE = "Custom::LambdaEventInvokeConfig"
SETTINGS = {
    "MaximumRetryAttempts": 0,
    "MaximumEventAgeInSeconds": 3600,
    "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
}


class Stubs:
    """The stubbed Lambda and CloudFormation clients of one test."""

    def __init__(self) -> None:
        self.lambda_ = Stubber(boto3.client("lambda", region_name="us-east-1"))
        self.cloudformation = Stubber(boto3.client("cloudformation", region_name="us-east-1"))

    def client(self, service: str, _timeouts: object) -> Any:
        return {"lambda": self.lambda_, "cloudformation": self.cloudformation}[service].client

    def get(self, target: dict[str, str], *, exists: bool) -> None:
        if exists:
            arn = f"{target['FunctionName']}:{target.get('Qualifier', '$LATEST')}"
            response = {"FunctionArn": arn, "LastModified": MODIFIED}
            self.lambda_.add_response("get_function_event_invoke_config", response, target)
        else:
            self.lambda_.add_client_error(
                "get_function_event_invoke_config",
                service_error_code="ResourceNotFoundException",
                http_status_code=404,
                expected_params=target,
            )

    def put(self, params: dict[str, Any], arn: str = f"{ORDERS}:$LATEST") -> None:
        response = {"FunctionArn": arn, "LastModified": MODIFIED}
        self.lambda_.add_response("put_function_event_invoke_config", response, params)

    def stack(self, *resources: tuple[str, str, str], next_token: str | None = None) -> None:
        """One ListStackResources page: (logical id, physical id, resource status) of TYPE."""
        summaries = [
            {
                "LogicalResourceId": logical,
                "PhysicalResourceId": physical,
                "ResourceType": TYPE,
                "LastUpdatedTimestamp": MODIFIED,
                "ResourceStatus": resource_status,
            }
            for logical, physical, resource_status in resources
        ]
        page: dict[str, Any] = {"StackResourceSummaries": summaries}
        if next_token:
            page["NextToken"] = next_token
        expected = {"StackName": event()["StackId"]}
        if resources and resources[0][0] == "Page2":
            expected["NextToken"] = "page-2"
        self.cloudformation.add_response("list_stack_resources", page, expected)

    def stack_status(self, status: str) -> None:
        stack = {"StackName": "demo", "CreationTime": MODIFIED, "StackStatus": status}
        self.cloudformation.add_response(
            "describe_stacks", {"Stacks": [stack]}, {"StackName": event()["StackId"]}
        )


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    stubs = Stubs()
    with (
        mock.patch.object(index, "make_client", side_effect=stubs.client),
        stubs.lambda_,
        stubs.cloudformation,
    ):
        yield stubs
        stubs.lambda_.assert_no_pending_responses()
        stubs.cloudformation.assert_no_pending_responses()


@pytest.fixture
def responses() -> Iterator[list[dict[str, Any]]]:
    """Bodies of the HTTPS PUTs the provider sends to the ResponseURL."""
    sent: list[dict[str, Any]] = []

    def connection(*_args: Any, **_kwargs: Any) -> mock.Mock:
        conn = mock.Mock()
        conn.request.side_effect = lambda *_a, **kw: sent.append(json.loads(kw["body"]))
        conn.getresponse.return_value.status = 200
        return conn

    with mock.patch(
        "event_invoke_config_provider.response.HTTPSConnection", side_effect=connection
    ):
        yield sent


def answer(cfn_event: dict[str, Any], sent: list[dict[str, Any]]) -> dict[str, Any]:
    index.handler(cfn_event, LambdaContext("provider", 60))
    [response] = sent
    return response


def test_create_of_a_free_config_puts_exactly_the_declared_settings(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=False)
    stubs.put({"FunctionName": ORDERS, **SETTINGS})

    create = event()
    response = answer(create, responses)

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert (response["StackId"], response["RequestId"]) == (create["StackId"], create["RequestId"])
    assert response["PhysicalResourceId"] == f"{ORDERS}:$LATEST"
    assert response["Data"] == {
        "FunctionArn": f"{ORDERS}:$LATEST",
        "LastModified": "2026-11-23T01:02:03+00:00",
    }


def test_create_refuses_a_config_no_resource_of_the_stack_holds_and_writes_nothing(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS, "Qualifier": "live"}, exists=True)
    stubs.stack(("Other", f"{ORDERS}:$LATEST", "CREATE_COMPLETE"))

    response = answer(event(ResourceProperties={"FunctionName": "orders:live"}), responses)

    assert response["Status"] == "FAILED"
    assert response["PhysicalResourceId"] == NOT_CREATED, "its rollback Delete touches nothing"
    assert response["Reason"] == (
        "FunctionName orders:live already has an event invoke config that no resource of this "
        "stack manages; nothing was changed. To take it over, set AdoptExisting: true "
        "(CDK: adopt_existing=True)."
    )


@pytest.mark.parametrize("status", ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_IN_PROGRESS"])
def test_create_takes_over_a_config_another_resource_of_the_stack_holds(
    stubs: Stubs, responses: list[dict[str, Any]], status: str
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=True)
    stubs.stack(("OldName", f"{ORDERS}:$LATEST", status), ("Async", "", "CREATE_IN_PROGRESS"))
    stubs.put({"FunctionName": ORDERS, **SETTINGS})

    response = answer(event(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", f"{ORDERS}:$LATEST")


@pytest.mark.parametrize(
    "other",
    [
        ("Gone", f"{ORDERS}:$LATEST", "DELETE_COMPLETE"),
        ("Async", f"{ORDERS}:$LATEST", "CREATE_COMPLETE"),  # the resource itself
    ],
)
def test_resources_being_deleted_and_the_resource_itself_hold_nothing(
    stubs: Stubs, responses: list[dict[str, Any]], other: tuple[str, str, str]
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=True)
    stubs.stack(other)

    assert answer(event(), responses)["Status"] == "FAILED"


def test_adopt_existing_takes_over_a_config_set_outside_the_stack(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=True)
    stubs.stack()
    stubs.put({"FunctionName": ORDERS, "MaximumRetryAttempts": 1})

    adopting = event(
        ResourceProperties={
            "FunctionName": "orders",
            "MaximumRetryAttempts": "1",
            "AdoptExisting": "true",
        }
    )

    assert answer(adopting, responses)["Status"] == "SUCCESS"


@pytest.mark.parametrize(
    ("status", "written", "expected_id"),
    [(500, True, f"{ORDERS}:$LATEST"), (400, False, NOT_CREATED)],
    ids=["written-though-unconfirmed", "refused-wrote-nothing"],
)
def test_a_failed_put_of_a_free_config_answers_the_id_its_rollback_must_delete(
    stubs: Stubs, responses: list[dict[str, Any]], status: int, written: bool, expected_id: str
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=False)
    stubs.lambda_.add_client_error(
        "put_function_event_invoke_config",
        service_error_code="ServiceException"
        if status == 500
        else "InvalidParameterValueException",
        http_status_code=status,
    )
    stubs.get({"FunctionName": ORDERS}, exists=written)  # read back

    response = answer(event(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", expected_id)


def test_update_of_the_same_config_puts_without_the_settings_it_dropped(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.put({"FunctionName": ORDERS, "MaximumRetryAttempts": 2})
    update = event(
        "Update",
        PhysicalResourceId=f"{ORDERS}:$LATEST",
        OldResourceProperties=event()["ResourceProperties"],
        ResourceProperties={"FunctionName": ORDERS, "MaximumRetryAttempts": "2"},
    )

    response = answer(update, responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", f"{ORDERS}:$LATEST")


def move_to_live() -> dict[str, Any]:
    return event(
        "Update",
        PhysicalResourceId=f"{ORDERS}:$LATEST",
        OldResourceProperties=event()["ResourceProperties"],
        ResourceProperties={"FunctionName": "orders", "Qualifier": "live"},
    )


def test_a_move_onto_a_config_no_one_in_the_stack_holds_fails_with_the_old_id(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS, "Qualifier": "live"}, exists=True)
    stubs.stack()
    stubs.stack_status("UPDATE_IN_PROGRESS")

    response = answer(move_to_live(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", f"{ORDERS}:$LATEST")
    assert "AdoptExisting" in response["Reason"]


def test_a_rollback_moves_a_config_back_to_where_it_was(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS, "Qualifier": "live"}, exists=True)
    stubs.stack()
    stubs.stack_status("UPDATE_ROLLBACK_IN_PROGRESS")
    stubs.put({"FunctionName": ORDERS, "Qualifier": "live"}, f"{ORDERS}:live")

    response = answer(move_to_live(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", f"{ORDERS}:live")


def test_bad_input_fails_with_the_reason_and_calls_nothing(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    bad = event(ResourceProperties={"FunctionName": "orders", "MaximumRetryAttempts": "5"})

    response = answer(bad, responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NOT_CREATED)
    assert response["Reason"] == "MaximumRetryAttempts must be a whole number from 0 to 2; got '5'."


@pytest.mark.parametrize(
    ("physical_id", "expected"),
    [
        (f"{ORDERS}:$LATEST", {"FunctionName": ORDERS}),
        (f"{ORDERS}:live", {"FunctionName": ORDERS, "Qualifier": "live"}),
        (f"{ORDERS}:7", {"FunctionName": ORDERS, "Qualifier": "7"}),
    ],
)
def test_delete_works_from_the_physical_id_alone(
    stubs: Stubs, responses: list[dict[str, Any]], physical_id: str, expected: dict[str, str]
) -> None:
    stubs.stack(("Async", physical_id, "DELETE_IN_PROGRESS"))
    stubs.lambda_.add_response("delete_function_event_invoke_config", {}, expected)
    delete = event(
        "Delete", PhysicalResourceId=physical_id, ResourceProperties={"FunctionName": "x"}
    )

    response = answer(delete, responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", physical_id)


def test_delete_keeps_a_config_another_resource_of_the_stack_now_holds(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack(
        ("Async", f"{ORDERS}:live", "UPDATE_COMPLETE"),
        ("NewName", f"{ORDERS}:$LATEST", "CREATE_COMPLETE"),
    )

    response = answer(event("Delete", PhysicalResourceId=f"{ORDERS}:$LATEST"), responses)

    assert response["Status"] == "SUCCESS"  # and no delete call: the Stubber has none queued


@pytest.mark.parametrize("made_up", [NOT_CREATED, "demo_Async_K3J9Q2ZP"])
def test_delete_of_an_id_that_names_no_config_calls_nothing(
    stubs: Stubs, responses: list[dict[str, Any]], made_up: str
) -> None:
    response = answer(event("Delete", PhysicalResourceId=made_up), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", made_up)


def test_delete_of_a_config_already_gone_succeeds(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack()
    stubs.lambda_.add_client_error(
        "delete_function_event_invoke_config",
        service_error_code="ResourceNotFoundException",
        http_status_code=404,
    )

    assert answer(event("Delete", PhysicalResourceId=f"{ORDERS}:$LATEST"), responses)["Status"] == (
        "SUCCESS"
    )


def test_a_delete_the_template_no_longer_grants_says_how_to_finish_by_hand(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.stack()
    stubs.lambda_.add_client_error(
        "delete_function_event_invoke_config",
        service_error_code="AccessDeniedException",
        http_status_code=403,
    )

    response = answer(event("Delete", PhysicalResourceId=f"{ORDERS}:live"), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].endswith(
        f"aws lambda delete-function-event-invoke-config --function-name {ORDERS} --qualifier live"
    )


def test_the_response_url_is_not_logged(
    stubs: Stubs, responses: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=False)
    stubs.put({"FunctionName": ORDERS, **SETTINGS})

    with caplog.at_level("DEBUG"):
        response = answer(event(), responses)

    assert response["Status"] == "SUCCESS"
    assert caplog.records, "the handler logs what it does"
    assert "secret" not in caplog.text and "X-Amz-Signature" not in caplog.text


def test_a_long_failure_reason_keeps_its_start(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=False)
    stubs.lambda_.add_client_error(
        "put_function_event_invoke_config",
        service_error_code="InvalidParameterValueException",
        service_message="The destination is not allowed. " + "x" * 400,
    )
    stubs.get({"FunctionName": ORDERS}, exists=False)

    response = answer(event(), responses)

    assert response["Reason"].startswith("An error occurred (InvalidParameterValueException)")
    assert len(response["Reason"]) <= 256


def test_a_move_to_a_free_place_reads_nothing_of_the_stack(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS, "Qualifier": "live"}, exists=False)
    stubs.put({"FunctionName": ORDERS, "Qualifier": "live"}, f"{ORDERS}:live")

    response = answer(move_to_live(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", f"{ORDERS}:live")


def test_a_move_onto_a_config_another_resource_holds_takes_it_over(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS, "Qualifier": "live"}, exists=True)
    stubs.stack(("Removed", f"{ORDERS}:live", "UPDATE_COMPLETE"))
    stubs.put({"FunctionName": ORDERS, "Qualifier": "live"}, f"{ORDERS}:live")

    assert answer(move_to_live(), responses)["Status"] == "SUCCESS"


def test_a_holder_on_a_later_page_is_found(stubs: Stubs, responses: list[dict[str, Any]]) -> None:
    stubs.stack(("Page1", f"{ORDERS}:7", "CREATE_COMPLETE"), next_token="page-2")
    stubs.stack(("Page2", f"{ORDERS}:$LATEST", "CREATE_COMPLETE"))

    response = answer(event("Delete", PhysicalResourceId=f"{ORDERS}:$LATEST"), responses)

    assert response["Status"] == "SUCCESS"  # kept: no delete call is queued


def test_a_refused_write_that_an_earlier_attempt_applied_answers_the_configs_id(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS}, exists=False)
    stubs.lambda_.add_client_error(
        "put_function_event_invoke_config",
        service_error_code="TooManyRequestsException",
        http_status_code=429,
    )
    stubs.get({"FunctionName": ORDERS}, exists=True)  # read back: it was written after all

    response = answer(event(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", f"{ORDERS}:$LATEST")
    assert response["Reason"].startswith("FunctionName orders: Lambda did not confirm the write")


def test_an_unconfirmed_move_removes_what_it_may_have_written(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.get({"FunctionName": ORDERS, "Qualifier": "live"}, exists=False)
    stubs.lambda_.add_client_error(
        "put_function_event_invoke_config",
        service_error_code="ServiceException",
        http_status_code=500,
    )
    stubs.get({"FunctionName": ORDERS, "Qualifier": "live"}, exists=True)
    stubs.lambda_.add_response(
        "delete_function_event_invoke_config", {}, {"FunctionName": ORDERS, "Qualifier": "live"}
    )

    response = answer(move_to_live(), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", f"{ORDERS}:$LATEST")
    assert response["Reason"].endswith("removed it again.")


def test_with_no_time_left_nothing_is_called(stubs: Stubs, responses: list[dict[str, Any]]) -> None:
    late = event(ResourceProperties={"FunctionName": "orders", "ServiceTimeout": "2"})

    response = answer(late, responses)  # 2 s minus the answer's reserve: no time to act

    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NOT_CREATED)
    assert "nothing was changed" in response["Reason"]


def test_a_stack_the_provider_may_not_read_fails_the_delete_with_what_is_missing(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    stubs.cloudformation.add_client_error(
        "list_stack_resources", service_error_code="AccessDenied", http_status_code=403
    )

    with mock.patch("event_invoke_config_provider.retries.OWN_GRANT_PROPAGATION_SECONDS", 0.0):
        response = answer(event("Delete", PhysicalResourceId=f"{ORDERS}:$LATEST"), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith(
        "The provider may not list the resources of its stack (cloudformation:ListStackResources"
    )
