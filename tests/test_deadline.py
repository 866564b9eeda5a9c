"""The deadline: the earlier of the Lambda timeout and ServiceTimeout from the request's signing."""

from __future__ import annotations

import pytest

from event_invoke_config_provider.deadline import Deadline, signed_at
from event_invoke_config_provider.event import CustomResourceEvent
from event_invoke_config_provider.timing import (
    ANSWER_RESERVE_SECONDS,
    DEFAULT_SERVICE_TIMEOUT_SECONDS,
)
from offline_cloud.lambda_bootstrap import LambdaContext

URL = "https://example.invalid/response?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Signature=s"
SIGNED = 1_795_000_000.0  # 2026-11-18T11:06:40Z
SIGNED_TEXT = "20261118T110640Z"


def test_signed_at_reads_the_pre_signed_urls_date() -> None:
    assert signed_at(URL.format(date=SIGNED_TEXT)) == SIGNED
    assert signed_at(URL.format(date="not-a-date")) is None
    assert signed_at("https://example.invalid/response") is None


def deadline(properties: dict[str, str], url: str, now: float, lambda_seconds: float) -> Deadline:
    event = CustomResourceEvent({"ResourceProperties": properties, "ResponseURL": url})
    return Deadline.for_event(event, LambdaContext("provider", lambda_seconds), clock=lambda: now)


def test_time_in_lambdas_queue_counts_against_service_timeout() -> None:
    queued_for = 50.0
    late = deadline(
        {"ServiceTimeout": "60"}, URL.format(date=SIGNED_TEXT), SIGNED + queued_for, 900
    )

    assert late.answer_remaining() == pytest.approx(10.0, abs=0.01)
    assert late.remaining() == pytest.approx(10.0 - ANSWER_RESERVE_SECONDS, abs=0.01)


def test_a_url_signed_in_the_future_counts_from_the_start() -> None:
    ahead = deadline({"ServiceTimeout": "60"}, URL.format(date=SIGNED_TEXT), SIGNED - 30, 900)

    assert ahead.answer_remaining() == pytest.approx(60.0, abs=0.01)


@pytest.mark.parametrize("bad", [{}, {"ServiceTimeout": "soon"}])
def test_without_a_readable_service_timeout_cloudformations_default_applies(
    bad: dict[str, str],
) -> None:
    unbounded = deadline(bad, URL.format(date=SIGNED_TEXT), SIGNED, 10 * 3600)

    assert unbounded.answer_remaining() == pytest.approx(DEFAULT_SERVICE_TIMEOUT_SECONDS, abs=1)


def test_the_lambda_timeout_bounds_a_long_service_timeout() -> None:
    short = deadline({"ServiceTimeout": "3600"}, URL.format(date=SIGNED_TEXT), SIGNED, 180)

    assert short.answer_remaining() == pytest.approx(180, abs=1)
