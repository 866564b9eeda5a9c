"""The retry policy, at the client: what is retried, for how long, and that no wait outlasts the
deadline. Clients are botocore Stubbers; time is a fake clock that the injected sleep advances, so
a minute of throttling takes no real time and every pause is exact (the jitter draws its
largest value).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.retries import standard
from botocore.stub import Stubber

from event_invoke_config_provider.deadline import Deadline
from event_invoke_config_provider.retries import (
    Backoff,
    CallTimeouts,
    OutOfTimeError,
    call_with_retries,
    retryable,
)
from event_invoke_config_provider.timing import (
    ANSWER_RESERVE_SECONDS,
    CALL_BACKOFF_BASE_SECONDS,
    CALL_BACKOFF_CAP_SECONDS,
    IAM_PROPAGATION_SECONDS,
    MIN_CALL_SECONDS,
)
from tests.support import FakeClock, FakeClockContext

STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/demo/1"
STACK = {"StackName": "demo", "CreationTime": "2026-11-23T01:02:03Z", "StackStatus": "X"}
# botocore's standard mode gives up on throttling after about this long (README, issue 14).
BOTOCORE_GIVES_UP_SECONDS = 37.0


class Harness:
    """A Stubber-wrapped client, a deadline on the fake clock and a record of each attempt."""

    def __init__(self, service: str, service_timeout: float, lambda_seconds: float = 900) -> None:
        self.clock = FakeClock()
        self.stub = Stubber(boto3.client(service, region_name="us-east-1"))
        self.deadline = Deadline(
            FakeClockContext(self.clock, lambda_seconds),
            wait_ends_at=self.clock.now + service_timeout,
            clock=self.clock.time,
        )
        self.backoff = Backoff(
            CALL_BACKOFF_BASE_SECONDS, CALL_BACKOFF_CAP_SECONDS, sleep=self.clock.sleep, draw=max
        )
        self.attempts: list[tuple[float, CallTimeouts]] = []  # (seconds left, client settings)

    def make_client(self, timeouts: CallTimeouts) -> Any:
        self.attempts.append((self.deadline.remaining(), timeouts))
        return self.stub.client

    def run(self, call: Any) -> Any:
        with self.stub:
            result = call_with_retries(call, self.deadline, self.make_client, self.backoff)
            self.stub.assert_no_pending_responses()
            return result

    def fail(self, operation: str, code: str, status: int, times: int, message: str = "") -> None:
        for _ in range(times):
            self.stub.add_client_error(
                operation, service_error_code=code, service_message=message, http_status_code=status
            )


def describe(client: Any) -> str:
    return str(client.describe_stacks(StackName=STACK_ID)["Stacks"][0]["StackStatus"])


def delete_config(client: Any) -> Any:
    return client.delete_function_event_invoke_config(FunctionName="orders")


def test_throttling_longer_than_botocores_retries_is_waited_out_within_the_deadline() -> None:
    # GIVEN CloudFormation throttling DescribeStacks for a minute, with 300 s to answer
    harness = Harness("cloudformation", service_timeout=300)
    throttled_answers = 7  # pauses of 1, 2, 4, 8, 16, 16, 16 s: 63 s
    harness.fail("describe_stacks", "Throttling", 400, throttled_answers, "Rate exceeded")
    harness.stub.add_response("describe_stacks", {"Stacks": [STACK]}, {"StackName": STACK_ID})

    # WHEN the provider reads the stack's status
    status = harness.run(describe)

    # THEN it gets it, after backing off exponentially up to the cap, for longer than botocore
    assert status == "X"
    assert harness.clock.pauses == [
        min(CALL_BACKOFF_CAP_SECONDS, CALL_BACKOFF_BASE_SECONDS * 2**n)
        for n in range(throttled_answers)
    ]
    assert sum(harness.clock.pauses) > BOTOCORE_GIVES_UP_SECONDS
    assert len(harness.attempts) == throttled_answers + 1


def test_throttling_that_outlasts_the_deadline_fails_before_it_and_sends_nothing_after() -> None:
    harness = Harness("cloudformation", service_timeout=60)
    budget = harness.deadline.remaining()
    harness.fail("describe_stacks", "Throttling", 400, 100, "Rate exceeded")

    with harness.stub, pytest.raises(ClientError, match="Throttling"):
        call_with_retries(describe, harness.deadline, harness.make_client, harness.backoff)

    # every attempt started with time for one, fitted its timeouts to it, and the last pause
    # was cut so that the last attempt still had that time
    assert all(left >= MIN_CALL_SECONDS for left, _ in harness.attempts)
    assert all(t.connect + t.read <= left for left, t in harness.attempts)
    assert sum(harness.clock.pauses) == pytest.approx(budget - MIN_CALL_SECONDS)
    assert harness.deadline.remaining() >= MIN_CALL_SECONDS - 0.001
    assert harness.deadline.answer_remaining() >= ANSWER_RESERVE_SECONDS


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("TooManyRequestsException", 429),
        ("ServiceException", 500),
        ("ServiceUnavailable", 503),
        ("ThrottlingException", 400),
        ("RequestLimitExceeded", 400),
        ("EC2ThrottledException", 502),
    ],
)
def test_lambdas_throttling_and_5xx_are_retried_until_they_pass(code: str, status: int) -> None:
    harness = Harness("lambda", service_timeout=300)
    harness.fail("delete_function_event_invoke_config", code, status, times=8)
    harness.stub.add_response("delete_function_event_invoke_config", {}, {"FunctionName": "orders"})

    harness.run(delete_config)

    assert len(harness.clock.pauses) == 8


@pytest.mark.parametrize(
    ("service", "operation", "code", "status"),
    [
        ("cloudformation", "describe_stacks", "ValidationError", 400),
        ("lambda", "delete_function_event_invoke_config", "InvalidParameterValueException", 400),
        ("lambda", "delete_function_event_invoke_config", "ResourceNotFoundException", 404),
    ],
)
def test_final_errors_are_raised_at_once(
    service: str, operation: str, code: str, status: int
) -> None:
    harness = Harness(service, service_timeout=300)
    harness.fail(operation, code, status, times=1)
    call = describe if service == "cloudformation" else delete_config

    with pytest.raises(ClientError, match=code):
        harness.run(call)

    assert harness.clock.pauses == []


def test_a_read_timeout_after_botocores_own_retries_is_retried() -> None:
    harness = Harness("lambda", service_timeout=300)
    outcomes: list[Exception | None] = [ReadTimeoutError(endpoint_url="https://lambda"), None]

    def call(_client: Any) -> str:
        error = outcomes.pop(0)
        if error is not None:
            raise error
        return "done"

    assert call_with_retries(call, harness.deadline, harness.make_client, harness.backoff) == "done"
    assert harness.clock.pauses == [CALL_BACKOFF_BASE_SECONDS]


def test_iam_propagation_is_retried_for_its_window_only() -> None:
    harness = Harness("lambda", service_timeout=600)
    not_yet = "The function's execution role does not have permissions to call SendMessage"
    harness.fail(
        "delete_function_event_invoke_config", "InvalidParameterValueException", 400, 100, not_yet
    )

    with harness.stub, pytest.raises(ClientError, match="execution role"):
        call_with_retries(delete_config, harness.deadline, harness.make_client, harness.backoff)

    # the last pause is cut to end with the window
    assert sum(harness.clock.pauses) == pytest.approx(IAM_PROPAGATION_SECONDS)


def test_too_little_time_for_a_first_attempt_calls_nothing() -> None:
    harness = Harness("cloudformation", service_timeout=ANSWER_RESERVE_SECONDS + 0.5)

    with pytest.raises(OutOfTimeError):
        harness.run(describe)

    assert harness.attempts == []


def test_backoff_doubles_to_its_cap_and_never_pauses_past_the_limit() -> None:
    backoff = Backoff(1.0, 4.0, sleep=lambda _s: None, draw=max)

    assert [backoff.pause(limit=100) for _ in range(4)] == [1.0, 2.0, 4.0, 4.0]
    assert backoff.pause(limit=2.5) == 2.5
    assert backoff.pause(limit=0) is None
    assert Backoff(1.0, 4.0, draw=min).pause(limit=100) == 0.0  # full jitter: from zero


class _Status:
    """The part of an HTTP response botocore's retry checkers read."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def botocores_own_verdict(error: Exception, client: Any) -> bool:
    """The standard mode's verdict, by botocore's own checkers (internals: here, never shipped)."""
    if isinstance(error, ClientError):
        model = client.meta.service_model
        context = standard.RetryContext(
            attempt_number=1,
            operation_model=model.operation_model(error.operation_name),
            parsed_response=error.response,
            http_response=_Status(error.response["ResponseMetadata"]["HTTPStatusCode"]),
        )
    else:
        context = standard.RetryContext(attempt_number=1, caught_exception=error)
    checkers = [
        standard.TransientRetryableChecker(),
        standard.ThrottledRetryableChecker(),
        standard.ModeledRetryableChecker(),
    ]
    if hasattr(standard, "ThrottlingStatusCodeChecker"):  # botocore 1.44 and later
        checkers.append(standard.ThrottlingStatusCodeChecker())
    return bool(standard.OrRetryChecker(checkers).is_retryable(context))


def _client_errors() -> list[tuple[str, str, str, int]]:
    """(service, operation, code, status): every code botocore's lists and models name."""
    listed = {
        *standard.TransientRetryableChecker._TRANSIENT_ERROR_CODES,
        *standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES,
    }
    cases = []
    for service, operation in [
        ("lambda", "PutFunctionEventInvokeConfig"),
        ("cloudformation", "DescribeStacks"),
    ]:
        model = boto3.client(service, region_name="us-east-1").meta.service_model
        modeled = {
            (shape.metadata.get("error", {}).get("code") or shape.name): int(
                shape.metadata.get("error", {}).get("httpStatusCode", 400)
            )
            for shape in model.operation_model(operation).error_shapes
        }
        codes = {**dict.fromkeys(sorted(listed), 400), **modeled}
        for code, status in sorted(codes.items()):
            cases += [(service, operation, code, status), (service, operation, code, 429)]
        for status in (400, 403, 409, 429, 500, 502, 503, 504):
            cases.append((service, operation, "SomethingUnmodeled", status))
    return cases


@pytest.mark.parametrize(("service", "operation", "code", "status"), _client_errors())
def test_the_provider_retries_the_client_errors_botocores_standard_mode_retries(
    service: str, operation: str, code: str, status: int
) -> None:
    client = boto3.client(service, region_name="us-east-1")
    error = ClientError(
        {"Error": {"Code": code, "Message": ""}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )

    assert retryable(error, client) is botocores_own_verdict(error, client)


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(endpoint_url="https://lambda"),
        ConnectTimeoutError(endpoint_url="https://lambda"),
        EndpointConnectionError(endpoint_url="https://lambda"),
        ConnectionClosedError(endpoint_url="https://lambda"),
        NoCredentialsError(),
        ParamValidationError(report="bad"),
    ],
    ids=type,
)
def test_the_provider_retries_the_exceptions_botocores_standard_mode_retries(
    error: Exception,
) -> None:
    client = boto3.client("lambda", region_name="us-east-1")

    assert retryable(error, client) is botocores_own_verdict(error, client)


def test_the_policy_retries_throttling_and_5xx_and_not_conflicts_or_denials() -> None:
    client = boto3.client("lambda", region_name="us-east-1")

    def error(code: str, status: int) -> ClientError:
        response = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
        return ClientError(response, "PutFunctionEventInvokeConfig")

    assert retryable(error("TooManyRequestsException", 429), client)
    assert retryable(error("ServiceException", 500), client)
    assert not retryable(error("ResourceConflictException", 409), client)
    assert not retryable(error("AccessDeniedException", 403), client)
