"""The provider's handler against botocore's Stubber, which checks each request against the model.

Responses are captured at the wire by patching `crhelper.utils.HTTPSConnection` (patching
`_send_response` has no effect: crhelper binds it as a default argument).
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber

from devtools.lambda_bootstrap import LambdaContext
from event_invoke_config_provider import index
from tests.cfn_events import event

ORDERS = "arn:aws:lambda:us-east-1:123456789012:function:orders"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:failures"
MODIFIED = datetime.datetime(2026, 11, 23, 1, 2, 3, tzinfo=datetime.UTC)


@pytest.fixture
def lambda_api() -> Iterator[Stubber]:
    """The Stubber on the client the handler makes for each event."""
    client = boto3.client("lambda", region_name="us-east-1")
    with (
        mock.patch.object(index, "lambda_client", return_value=client),
        Stubber(client) as stubber,
    ):
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def responses() -> Iterator[list[dict[str, Any]]]:
    """Bodies of the HTTPS PUTs crhelper sends to the ResponseURL."""
    sent: list[dict[str, Any]] = []

    def connection(*_args: Any, **_kwargs: Any) -> mock.Mock:
        conn = mock.Mock()
        conn.request.side_effect = lambda **kw: sent.append(json.loads(kw["body"]))
        return conn

    with mock.patch("crhelper.utils.HTTPSConnection", side_effect=connection):
        yield sent


def expect_put(stubber: Stubber, params: dict[str, Any], arn: str) -> None:
    stubber.add_response(
        "put_function_event_invoke_config",
        {"FunctionArn": arn, "LastModified": MODIFIED},
        expected_params=params,
    )


def test_create_puts_exactly_the_declared_settings_and_answers_success(
    lambda_api: Stubber, responses: list[dict[str, Any]]
) -> None:
    expect_put(
        lambda_api,
        {
            "FunctionName": "orders",
            "MaximumRetryAttempts": 0,
            "MaximumEventAgeInSeconds": 3600,
            "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
        },
        f"{ORDERS}:$LATEST",
    )

    create = event()
    index.handler(create, LambdaContext("provider", 60))

    [response] = responses
    assert response["Status"] == "SUCCESS", response["Reason"]
    assert (response["StackId"], response["RequestId"]) == (create["StackId"], create["RequestId"])
    assert response["PhysicalResourceId"] == f"{ORDERS}:$LATEST"
    assert response["Data"] == {
        "FunctionArn": f"{ORDERS}:$LATEST",
        "LastModified": "2026-11-23T01:02:03+00:00",
    }


def test_update_that_drops_a_setting_puts_without_it(
    lambda_api: Stubber, responses: list[dict[str, Any]]
) -> None:
    update = event(
        "Update",
        PhysicalResourceId=f"{ORDERS}:$LATEST",
        OldResourceProperties=event()["ResourceProperties"],
        ResourceProperties={"FunctionName": ORDERS, "MaximumRetryAttempts": "2"},
    )
    expect_put(lambda_api, {"FunctionName": ORDERS, "MaximumRetryAttempts": 2}, f"{ORDERS}:$LATEST")

    index.handler(update, LambdaContext("provider", 60))

    assert [r["Status"] for r in responses] == ["SUCCESS"]
    assert responses[0]["PhysicalResourceId"] == f"{ORDERS}:$LATEST"


def test_bad_input_fails_with_the_reason_and_calls_nothing(
    lambda_api: Stubber, responses: list[dict[str, Any]]
) -> None:
    bad = event(ResourceProperties={"FunctionName": "orders", "MaximumRetryAttempts": "5"})

    index.handler(bad, LambdaContext("provider", 60))  # the Stubber refuses any call

    [response] = responses
    assert response["Status"] == "FAILED"
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
    lambda_api: Stubber,
    responses: list[dict[str, Any]],
    physical_id: str,
    expected: dict[str, str],
) -> None:
    lambda_api.add_response("delete_function_event_invoke_config", {}, expected_params=expected)
    delete = event(
        "Delete", PhysicalResourceId=physical_id, ResourceProperties={"FunctionName": "x"}
    )

    index.handler(delete, LambdaContext("provider", 60))

    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [("SUCCESS", physical_id)]


def test_delete_of_an_id_crhelper_made_up_after_a_failed_create_touches_nothing(
    lambda_api: Stubber, responses: list[dict[str, Any]]
) -> None:
    made_up = "demo_Async_K3J9Q2ZP"

    index.handler(event("Delete", PhysicalResourceId=made_up), LambdaContext("provider", 60))

    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [("SUCCESS", made_up)]


@pytest.mark.parametrize("code", ["ResourceNotFoundException"])
def test_delete_of_a_config_already_gone_succeeds(
    lambda_api: Stubber, responses: list[dict[str, Any]], code: str
) -> None:
    lambda_api.add_client_error(
        "delete_function_event_invoke_config", service_error_code=code, http_status_code=404
    )
    gone = event("Delete", PhysicalResourceId=f"{ORDERS}:$LATEST")

    index.handler(gone, LambdaContext("provider", 60))

    assert [r["Status"] for r in responses] == ["SUCCESS"]


def test_delete_does_not_sleep(lambda_api: Stubber, responses: list[dict[str, Any]]) -> None:
    with mock.patch("crhelper.resource_helper.sleep") as sleep:
        index.handler(event("Delete", PhysicalResourceId="made_up"), LambdaContext("provider", 600))

    sleep.assert_not_called()
    assert [r["Status"] for r in responses] == ["SUCCESS"]


def test_the_response_url_is_not_logged(
    lambda_api: Stubber, responses: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    create = event()
    expect_put(
        lambda_api,
        index.parse_properties(create["ResourceProperties"], index.limits),
        f"{ORDERS}:$LATEST",
    )

    with caplog.at_level("DEBUG"):
        index.handler(create, LambdaContext("provider", 60))

    assert responses[0]["Status"] == "SUCCESS"
    assert caplog.records, "the handler logs what it does"
    assert "secret" not in caplog.text and "X-Amz-Signature" not in caplog.text


def test_a_delete_the_template_no_longer_grants_says_how_to_finish_by_hand(
    lambda_api: Stubber, responses: list[dict[str, Any]]
) -> None:
    lambda_api.add_client_error(
        "delete_function_event_invoke_config",
        service_error_code="AccessDeniedException",
        http_status_code=403,
    )

    index.handler(
        event("Delete", PhysicalResourceId=f"{ORDERS}:live"), LambdaContext("provider", 60)
    )

    [response] = responses
    assert response["Status"] == "FAILED"
    assert response["Reason"].endswith(
        "aws lambda delete-function-event-invoke-config --function-name orders --qualifier live"
    )


def test_a_long_failure_reason_keeps_its_start(
    lambda_api: Stubber, responses: list[dict[str, Any]]
) -> None:
    lambda_api.add_client_error(
        "put_function_event_invoke_config",
        service_error_code="InvalidParameterValueException",
        service_message="The destination is not allowed. " + "x" * 400,
    )

    index.handler(event(), LambdaContext("provider", 60))

    [response] = responses
    assert response["Reason"].startswith("An error occurred (InvalidParameterValueException)")
    assert len(response["Reason"]) <= 256


def test_when_the_timer_is_answering_the_handler_waits_for_that_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[dict[str, Any]] = []

    def slow_connection(*_args: Any, **_kwargs: Any) -> mock.Mock:
        def request(**kwargs: Any) -> None:
            time.sleep(1.0)  # the timer's PUT is still in flight when the action ends
            sent.append(json.loads(kwargs["body"]))

        connection = mock.Mock()
        connection.request.side_effect = request
        return connection

    monkeypatch.setattr(index, "delete_config", lambda *_: time.sleep(0.8))
    delete = event("Delete", PhysicalResourceId=f"{ORDERS}:$LATEST")

    with mock.patch("crhelper.utils.HTTPSConnection", side_effect=slow_connection):
        index.handler(delete, LambdaContext("provider", 1.0))  # the timer fires at 0.5 s

    assert [(r["Status"], r["PhysicalResourceId"]) for r in sent] == [
        ("FAILED", f"{ORDERS}:$LATEST")
    ]
