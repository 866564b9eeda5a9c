"""Delivering the answer: faults at the ResponseURL endpoint, served for real over HTTPS.

Each fault is either retried until the answer is delivered or logged at ERROR, and every
attempt ends by the event's deadline (the Lambda timeout or ServiceTimeout, the earlier).
Retries until a deadline run on a fake clock that the backoff's sleep advances; the one real
wait is a socket timeout of 2 s against an endpoint that never replies.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import pytest

from event_invoke_config_provider.deadline import Deadline
from event_invoke_config_provider.event import CustomResourceEvent
from event_invoke_config_provider.response import deliver
from event_invoke_config_provider.retries import Backoff
from event_invoke_config_provider.timing import (
    ANSWER_BACKOFF_BASE_SECONDS,
    ANSWER_BACKOFF_CAP_SECONDS,
    MIN_ANSWER_SECONDS,
)
from offline_cloud.cfn_events import signed_query
from offline_cloud.lambda_bootstrap import LambdaContext
from offline_cloud.local_cloud import DROP, Hold, ResponseCollector
from tests.support import FakeClock, FakeClockContext, event

# Time the test machine may add to a deadline (scheduling, a last TLS handshake).
SLACK_SECONDS = 1.0


@pytest.fixture
def endpoint(collector: ResponseCollector, monkeypatch: pytest.MonkeyPatch) -> ResponseCollector:
    """The local ResponseURL endpoint, its self-signed certificate trusted."""
    monkeypatch.setenv("SSL_CERT_FILE", str(collector.ca_file))
    return collector


def answer_for(cfn_event: dict[str, Any]) -> dict[str, Any]:
    return {"Status": "SUCCESS", "RequestId": cfn_event["RequestId"], "PhysicalResourceId": "x"}


def send(cfn_event: dict[str, Any], seconds: float = 60) -> bool:
    """Deliver an answer to `cfn_event` from a Lambda with `seconds` left."""
    deadline = Deadline.for_event(
        CustomResourceEvent(cfn_event), LambdaContext("provider", seconds)
    )
    return deliver(cfn_event["ResponseURL"], answer_for(cfn_event), deadline)


def send_on(clock: FakeClock, cfn_event: dict[str, Any], seconds: float = 60) -> bool:
    """`send`, with time on `clock`: the backoff's pauses advance it (each its longest)."""
    deadline = Deadline.for_event(
        CustomResourceEvent(cfn_event), FakeClockContext(clock, seconds), clock=clock.time
    )
    backoff = Backoff(
        ANSWER_BACKOFF_BASE_SECONDS, ANSWER_BACKOFF_CAP_SECONDS, sleep=clock.sleep, draw=max
    )
    return deliver(cfn_event["ResponseURL"], answer_for(cfn_event), deadline, backoff)


# The longest pauses within 2 s, doubling from the base: 0.25 + 0.5 + 1 leaves one attempt's time.
PAUSES_WITHIN_2_SECONDS = [ANSWER_BACKOFF_BASE_SECONDS * 2**n for n in range(3)]


def to(endpoint: ResponseCollector, **changes: Any) -> dict[str, Any]:
    cfn_event = event(**changes)
    cfn_event["ResponseURL"] = endpoint.url_for(cfn_event["RequestId"])
    return cfn_event


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_4xx_is_final_and_logged_at_error(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    cfn_event = to(endpoint)
    endpoint.reply_with(cfn_event["RequestId"], status)

    assert send(cfn_event) is False

    assert endpoint.attempts(cfn_event["RequestId"]) == [status]
    assert [f"HTTP {status}" in line for line in errors(caplog)] == [True]
    assert endpoint.secret not in caplog.text


def test_an_endpoint_whose_certificate_is_not_trusted_is_not_retried(
    collector: ResponseCollector, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    cfn_event = to(collector)

    assert send(cfn_event) is False

    assert collector.attempts(cfn_event["RequestId"]) == []
    [error] = errors(caplog)
    assert "CERTIFICATE_VERIFY_FAILED" in error


@pytest.mark.parametrize(
    "faults", [[500], [503, 500, 502], [DROP], [DROP, 500]], ids=["500", "5xx-3", "drop", "mixed"]
)
def test_5xx_and_dropped_connections_are_retried_until_delivered(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture, faults: list[int | str]
) -> None:
    cfn_event = to(endpoint)
    endpoint.reply_with(cfn_event["RequestId"], *faults)

    assert send(cfn_event) is True

    assert endpoint.attempts(cfn_event["RequestId"]) == [*faults, 200]
    assert endpoint.responses(cfn_event["RequestId"]) == [answer_for(cfn_event)]
    assert not errors(caplog)
    assert endpoint.secret not in caplog.text


def test_a_refused_connection_is_retried_until_the_deadline_then_logged(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture
) -> None:
    cfn_event = event()
    cfn_event["ResponseURL"] = endpoint.refusing_url_for(cfn_event["RequestId"])
    clock = FakeClock()

    assert send_on(clock, cfn_event, seconds=2.0) is False

    assert clock.pauses == PAUSES_WITHIN_2_SECONDS
    assert sum(clock.pauses) == 2.0 - MIN_ANSWER_SECONDS, "the last attempt had its time"
    assert sum("retrying" in r.getMessage() for r in caplog.records) == len(clock.pauses)
    [error] = errors(caplog)
    assert "ConnectionRefusedError" in error
    assert endpoint.secret not in caplog.text


@pytest.mark.slow
def test_an_endpoint_that_never_replies_is_given_up_at_the_deadline(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture
) -> None:
    cfn_event = to(endpoint)
    endpoint.reply_with(cfn_event["RequestId"], Hold(), Hold(), Hold())
    seconds = 2.0

    started = time.monotonic()
    assert send(cfn_event, seconds) is False
    elapsed = time.monotonic() - started

    assert elapsed < seconds + SLACK_SECONDS
    assert endpoint.responses(cfn_event["RequestId"]) == []
    [error] = errors(caplog)
    assert "timed out" in error
    assert endpoint.secret not in caplog.text


def signed_ago(
    endpoint: ResponseCollector, seconds: float, service_timeout: int, now: float | None = None
) -> dict[str, Any]:
    """An event CloudFormation sent `seconds` before `now` (the time), waiting `service_timeout`."""
    cfn_event = to(endpoint)
    cfn_event["ResourceProperties"]["ServiceTimeout"] = str(service_timeout)
    url = cfn_event["ResponseURL"]
    signed = re.search(r"X-Amz-Date=[0-9TZ]+", url)
    assert signed is not None, "the endpoint's URLs are signed"
    sent_at = (time.time() if now is None else now) - seconds
    cfn_event["ResponseURL"] = url.replace(signed.group(0), signed_query(sent_at))
    return cfn_event


def test_no_answer_is_sent_after_cloudformation_stopped_waiting(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture
) -> None:
    cfn_event = signed_ago(endpoint, 600, service_timeout=300)

    assert send(cfn_event) is False

    assert endpoint.attempts(cfn_event["RequestId"]) == []
    [error] = errors(caplog)
    assert "stopped waiting" in error


def test_retries_end_when_service_timeout_does_not_at_the_lambda_timeout(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a request CloudFormation sent 1 s ago and waits 3 s for
    clock = FakeClock()
    cfn_event = signed_ago(endpoint, 1, service_timeout=3, now=clock.time())
    endpoint.reply_with(cfn_event["RequestId"], *[500] * 1000)
    # WHEN every answer is a 5xx, from a Lambda with a minute left
    assert send_on(clock, cfn_event, seconds=60) is False
    # THEN it retried for the 2 s left, and not after
    assert clock.pauses == PAUSES_WITHIN_2_SECONDS
    assert len(endpoint.attempts(cfn_event["RequestId"])) == len(clock.pauses) + 1
    assert len(errors(caplog)) == 1
