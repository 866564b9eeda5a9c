"""Faults the handler must survive, injected at moto's server (over HTTP) or in the process.

The handler runs in this process here (so a limit can be shortened for a test), against moto on
127.0.0.1, answering over real HTTPS to the local ResponseURL endpoint.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from event_invoke_config_provider import index, retries
from event_invoke_config_provider.function_ref import NOT_CREATED
from event_invoke_config_provider.timing import CALL_BACKOFF_CAP_SECONDS
from offline_cloud import moto_lambda
from offline_cloud.lambda_bootstrap import LambdaContext
from offline_cloud.local_cloud import ResponseCollector, create_functions
from tests.support import BAD_INPUTS, ManualTimer, event

pytestmark = pytest.mark.slow
QUEUE = "arn:aws:sqs:us-east-1:123456789012:failures"
NOT_YET_ALLOWED = (
    "The function's execution role does not have permissions to call SendMessage on " + QUEUE
)


@pytest.fixture
def lambda_client(moto_endpoint: str) -> Any:
    return boto3.client("lambda", endpoint_url=moto_endpoint)


@pytest.fixture
def function(moto_endpoint: str) -> str:
    """A new function in moto; returns its name."""
    return create_functions(moto_endpoint, "fault")[0].rsplit(":", 1)[1]


def run(
    collector: ResponseCollector, cfn_event: dict[str, Any], seconds: float = 60
) -> dict[str, Any]:
    """One full handler call; returns the single answer CloudFormation received."""
    index.handler(cfn_event, LambdaContext("provider", seconds))
    [response] = collector.responses(cfn_event["RequestId"])
    return response


def create_event(
    collector: ResponseCollector, function_name: str, **properties: Any
) -> dict[str, Any]:
    created = event(ResourceProperties={"FunctionName": function_name, **properties})
    created["ResponseURL"] = collector.url_for(created["RequestId"])
    return created


def calls(operation: str, action: Callable[[], Any]) -> tuple[Any, int]:
    before = moto_lambda.calls[operation]
    result = action()
    return result, moto_lambda.calls[operation] - before


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("TooManyRequestsException", "Rate exceeded"),
        ("ResourceConflictException", "The operation cannot be performed at this time."),
        ("InvalidParameterValueException", NOT_YET_ALLOWED),
        ("InvalidParameterValueException", f"The destination ARN {QUEUE} is invalid."),
        ("AccessDeniedException", "not authorized to perform lambda:PutFunctionEventInvokeConfig"),
    ],
)
def test_transient_errors_are_retried_until_the_put_succeeds(
    local_aws: ResponseCollector, function: str, lambda_client: Any, code: str, message: str
) -> None:
    moto_lambda.inject(function, code, message, times=2)

    response, puts = calls(
        "put", lambda: run(local_aws, create_event(local_aws, function, MaximumRetryAttempts="1"))
    )

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert puts == 3
    assert (
        lambda_client.get_function_event_invoke_config(FunctionName=function)[
            "MaximumRetryAttempts"
        ]
        == 1
    )


@pytest.mark.parametrize(
    "message",
    ["You can't specify the function as a destination for itself.", "1 validation error detected"],
)
def test_final_invalid_parameter_errors_fail_at_once_with_lambdas_message(
    local_aws: ResponseCollector, function: str, message: str
) -> None:
    moto_lambda.inject(function, "InvalidParameterValueException", message)

    response, puts = calls("put", lambda: run(local_aws, create_event(local_aws, function)))

    assert response["Status"] == "FAILED"
    assert message in response["Reason"]
    assert puts == 1


def test_iam_propagation_is_retried_for_a_bounded_time_then_fails_with_lambdas_message(
    local_aws: ResponseCollector, function: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retries, "IAM_PROPAGATION_SECONDS", 2.0)
    moto_lambda.inject(function, "InvalidParameterValueException", NOT_YET_ALLOWED, times=1000)

    started = time.monotonic()
    response, puts = calls("put", lambda: run(local_aws, create_event(local_aws, function)))

    assert response["Status"] == "FAILED"
    assert NOT_YET_ALLOWED in response["Reason"]
    assert puts > 1
    assert time.monotonic() - started < 2.0 + CALL_BACKOFF_CAP_SECONDS
    moto_lambda.inject(function, "InvalidParameterValueException", NOT_YET_ALLOWED, times=0)


@pytest.fixture
def silent_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Lambda endpoint on 127.0.0.1 that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{server.getsockname()[1]}")
    yield
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.waits
def test_a_lambda_api_that_never_answers_fails_before_the_deadline_with_the_physical_id(
    local_aws: ResponseCollector, silent_endpoint: None
) -> None:
    physical_id = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    update = event(
        "Update", PhysicalResourceId=physical_id, ResourceProperties={"FunctionName": "orders"}
    )
    update["ResponseURL"] = local_aws.url_for(update["RequestId"])
    seconds = 12.0

    started = time.monotonic()
    index.handler(update, LambdaContext("provider", seconds))
    elapsed = time.monotonic() - started

    [response] = local_aws.responses(update["RequestId"])
    assert response["Status"] == "FAILED"
    assert "timeout" in response["Reason"].lower()
    assert response["PhysicalResourceId"] == physical_id
    assert elapsed < seconds - 0.5, "answered before crhelper's own timer would have"


def test_crhelpers_timer_answers_once_with_the_physical_id_when_the_action_overruns(
    local_aws: ResponseCollector,
    monkeypatch: pytest.MonkeyPatch,
    crhelper_timers: list[ManualTimer],
) -> None:
    physical_id = "arn:aws:lambda:us-east-1:123456789012:function:orders:live"
    delete = event("Delete", PhysicalResourceId=physical_id)
    delete["ResponseURL"] = local_aws.url_for(delete["RequestId"])

    def overrunning(*_: Any) -> None:
        timer = threading.Thread(target=crhelper_timers[-1].fire)  # the Lambda timeout nears
        timer.start()
        timer.join(10)

    monkeypatch.setattr(index, "delete_config", overrunning)

    index.handler(delete, LambdaContext("provider", 60))

    assert [
        (r["Status"], r["PhysicalResourceId"]) for r in local_aws.responses(delete["RequestId"])
    ] == [("FAILED", physical_id)]


def test_an_unexpected_exception_is_answered_failed_with_its_message(
    local_aws: ResponseCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(index, "parse_properties", broken)

    response = run(local_aws, create_event(local_aws, "orders"))

    assert response["Status"] == "FAILED"
    assert response["Reason"] == (
        "Create: disk on fire. Nothing more was changed than it says; retry the stack operation "
        "once its cause is fixed, and report it if it recurs."
    )
    assert response["PhysicalResourceId"] == NOT_CREATED


@pytest.mark.parametrize(
    ("properties", "reason"),
    [(p, r) for _, p, r in BAD_INPUTS],
    ids=[i for i, _, _ in BAD_INPUTS],
)
def test_every_bad_input_is_answered_failed_and_nothing_reaches_lambda(
    local_aws: ResponseCollector, properties: dict[str, Any], reason: str
) -> None:
    created = event(ResourceProperties=properties)
    created["ResponseURL"] = local_aws.url_for(created["RequestId"])

    response, puts = calls("put", lambda: run(local_aws, created))

    assert response["Status"] == "FAILED"
    assert reason in response["Reason"]
    assert local_aws.secret not in response["Reason"]
    assert puts == 0
