"""The timing contract (handler timing.py): its inequalities, the behaviour they buy, and every
template, example and README number held to the module."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Template
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from event_invoke_config import LambdaEventInvokeConfig
from event_invoke_config_provider.deadline import Deadline
from event_invoke_config_provider.event import CustomResourceEvent
from event_invoke_config_provider.properties import RESOURCE_TYPE
from event_invoke_config_provider.retries import Backoff, call_with_retries
from event_invoke_config_provider.timing import (
    ANSWER_BACKOFF_CAP_SECONDS,
    ANSWER_RESERVE_SECONDS,
    CALL_BACKOFF_BASE_SECONDS,
    CALL_BACKOFF_CAP_SECONDS,
    DEFAULT_SERVICE_TIMEOUT_SECONDS,
    FUNCTION_TIMEOUT_SECONDS,
    IAM_PROPAGATION_SECONDS,
    MAX_CONNECT_TIMEOUT_SECONDS,
    MAX_EVENT_AGE_SECONDS,
    MAX_READ_TIMEOUT_SECONDS,
    MAX_SOCKET_TIMEOUT_SECONDS,
    MIN_ANSWER_SECONDS,
    MIN_CALL_SECONDS,
    OWN_GRANT_PROPAGATION_SECONDS,
    SERVICE_TIMEOUT_SECONDS,
)
from offline_cloud.cfn_events import signed_query
from offline_cloud.template import load_yaml_template
from tests.support import FakeClock, FakeClockContext, new_stack

ROOT = Path(__file__).resolve().parent.parent
# Lambda's limits: a function's timeout, and an async config's MaximumEventAgeInSeconds.
LAMBDA_TIMEOUT_SECONDS = range(1, 900 + 1)
LAMBDA_EVENT_AGE_SECONDS = range(60, 21_600 + 1)
NOT_YET_ALLOWED = "The function's execution role does not have permissions to call SendMessage"


def test_the_numbers_hold_their_inequalities() -> None:
    longest_attempt = MAX_CONNECT_TIMEOUT_SECONDS + MAX_READ_TIMEOUT_SECONDS
    # The IAM window, a last pause, a last attempt and the answer fit in one invocation.
    assert (
        IAM_PROPAGATION_SECONDS
        + CALL_BACKOFF_CAP_SECONDS
        + longest_attempt
        + ANSWER_RESERVE_SECONDS
        <= FUNCTION_TIMEOUT_SECONDS
    )
    assert OWN_GRANT_PROPAGATION_SECONDS <= IAM_PROPAGATION_SECONDS
    # The provider gives up, and answers, before CloudFormation stops waiting.
    assert FUNCTION_TIMEOUT_SECONDS < SERVICE_TIMEOUT_SECONDS <= DEFAULT_SERVICE_TIMEOUT_SECONDS
    assert MAX_EVENT_AGE_SECONDS == SERVICE_TIMEOUT_SECONDS - FUNCTION_TIMEOUT_SECONDS
    assert FUNCTION_TIMEOUT_SECONDS in LAMBDA_TIMEOUT_SECONDS
    assert MAX_EVENT_AGE_SECONDS in LAMBDA_EVENT_AGE_SECONDS
    # Backoffs start below their caps; an attempt needs less than what is kept back for it.
    assert CALL_BACKOFF_BASE_SECONDS < CALL_BACKOFF_CAP_SECONDS
    assert MIN_ANSWER_SECONDS < ANSWER_BACKOFF_CAP_SECONDS < MAX_SOCKET_TIMEOUT_SECONDS
    assert MIN_CALL_SECONDS <= MAX_CONNECT_TIMEOUT_SECONDS
    assert MIN_ANSWER_SECONDS < ANSWER_RESERVE_SECONDS


def test_a_destination_grant_is_waited_for_its_whole_window_within_the_functions_timeout() -> None:
    clock = FakeClock()
    deadline = Deadline(
        FakeClockContext(clock, FUNCTION_TIMEOUT_SECONDS),
        wait_ends_at=clock.now + SERVICE_TIMEOUT_SECONDS,
        clock=clock.time,
    )
    client = boto3.client("lambda", region_name="us-east-1")
    stub = Stubber(client)
    for _ in range(100):
        stub.add_client_error(
            "put_function_event_invoke_config",
            service_error_code="InvalidParameterValueException",
            service_message=NOT_YET_ALLOWED,
            http_status_code=400,
        )
    backoff = Backoff(
        CALL_BACKOFF_BASE_SECONDS, CALL_BACKOFF_CAP_SECONDS, sleep=clock.sleep, draw=max
    )

    def put(client: Any) -> Any:
        return client.put_function_event_invoke_config(FunctionName="orders")

    with stub, pytest.raises(ClientError, match="execution role"):
        call_with_retries(put, deadline, lambda _timeouts: client, backoff)

    assert sum(clock.pauses) == pytest.approx(IAM_PROPAGATION_SECONDS), "not cut by the timeout"
    assert deadline.remaining() >= CALL_BACKOFF_CAP_SECONDS, "time is left to answer"


@pytest.mark.parametrize("queued_seconds", [0, MAX_EVENT_AGE_SECONDS])
def test_an_event_lambda_still_runs_is_answered_before_cloudformation_stops_waiting(
    queued_seconds: int,
) -> None:
    clock = FakeClock()
    signed = clock.now - queued_seconds
    url = "https://example.invalid/response?X-Amz-Date=" + signed_query(signed)
    event = CustomResourceEvent(
        {"ResourceProperties": {"ServiceTimeout": str(SERVICE_TIMEOUT_SECONDS)}, "ResponseURL": url}
    )

    deadline = Deadline.for_event(
        event, FakeClockContext(clock, FUNCTION_TIMEOUT_SECONDS), clock=clock.time
    )

    # Lambda's own timeout binds: the provider answers while CloudFormation still waits.
    assert deadline.answer_remaining() == pytest.approx(FUNCTION_TIMEOUT_SECONDS)
    assert signed + SERVICE_TIMEOUT_SECONDS >= clock.now + FUNCTION_TIMEOUT_SECONDS


def test_the_construct_synthesizes_the_contracts_numbers() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", function="orders")
    template = Template.from_stack(stack)

    [config] = template.find_resources(RESOURCE_TYPE).values()
    [provider] = template.find_resources("AWS::Lambda::Function").values()
    [own_async] = template.find_resources("AWS::Lambda::EventInvokeConfig").values()
    assert config["Properties"]["ServiceTimeout"] == str(SERVICE_TIMEOUT_SECONDS)
    assert provider["Properties"]["Timeout"] == FUNCTION_TIMEOUT_SECONDS
    assert own_async["Properties"]["MaximumEventAgeInSeconds"] == MAX_EVENT_AGE_SECONDS


def test_the_release_template_example_and_readme_carry_the_contracts_numbers() -> None:
    release = load_yaml_template(ROOT / "release" / "provider.yaml")["Resources"]
    example = load_yaml_template(ROOT / "examples" / "async-config.yaml")["Resources"]
    readme = (ROOT / "README.md").read_text()

    assert release["Function"]["Properties"]["Timeout"] == FUNCTION_TIMEOUT_SECONDS
    assert (
        release["FunctionAsyncConfig"]["Properties"]["MaximumEventAgeInSeconds"]
        == MAX_EVENT_AGE_SECONDS
    )
    configs = [r for r in example.values() if r["Type"] == RESOURCE_TYPE]
    assert configs
    assert {r["Properties"]["ServiceTimeout"] for r in configs} == {SERVICE_TIMEOUT_SECONDS}
    assert set(re.findall(r"ServiceTimeout: (\d+)", readme)) == {str(SERVICE_TIMEOUT_SECONDS)}
