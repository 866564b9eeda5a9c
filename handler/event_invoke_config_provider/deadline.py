"""When the provider must be done: the earlier of its Lambda timeout and CloudFormation's wait.

Every wait, retries included, ends before the invocation's timeout and before `ServiceTimeout`
counted from when CloudFormation signed the ResponseURL (`X-Amz-Date`), or from the start when
the URL carries no date; `ANSWER_RESERVE_SECONDS` of it is kept to answer. docs/design.md,
"The timing contract".
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .event import CustomResourceEvent
from .properties import SERVICE_TIMEOUT
from .timing import ANSWER_RESERVE_SECONDS, DEFAULT_SERVICE_TIMEOUT_SECONDS

_SIGNED_AT_FORMAT = "%Y%m%dT%H%M%SZ"


def service_timeout(properties: Mapping[str, Any]) -> float:
    """The event's ServiceTimeout in seconds; CloudFormation's default when absent or unreadable."""
    try:
        return float(properties.get(SERVICE_TIMEOUT, DEFAULT_SERVICE_TIMEOUT_SECONDS))
    except (TypeError, ValueError):
        return DEFAULT_SERVICE_TIMEOUT_SECONDS


def signed_at(response_url: str) -> float | None:
    """When CloudFormation pre-signed the ResponseURL (epoch seconds), if the URL says."""
    dates = parse_qs(urlsplit(response_url).query).get("X-Amz-Date")
    if not dates:
        return None
    try:
        return float(calendar.timegm(time.strptime(dates[0], _SIGNED_AT_FORMAT)))
    except ValueError:
        return None


class Deadline:
    """Seconds left to act and to answer, for one event."""

    def __init__(
        self,
        context: Any,
        *,
        wait_ends_at: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._context = context
        self._wait_ends_at = wait_ends_at
        self._clock = clock

    @classmethod
    def for_event(
        cls, event: CustomResourceEvent, context: Any, *, clock: Callable[[], float] = time.time
    ) -> Deadline:
        """The deadline of `event`: its Lambda timeout, its ServiceTimeout from when it was sent."""
        timeout = service_timeout(event.resource_properties)
        started = clock()
        sent = signed_at(event.response_url)
        sent = started if sent is None else min(sent, started)
        return cls(context, wait_ends_at=sent + timeout, clock=clock)

    def answer_remaining(self) -> float:
        """Seconds until the answer is no use: CloudFormation or Lambda has stopped waiting."""
        left = float(self._context.get_remaining_time_in_millis()) / 1000
        if self._wait_ends_at is not None:
            left = min(left, self._wait_ends_at - self._clock())
        return left

    def remaining(self) -> float:
        """Seconds left to act, less what answering CloudFormation needs."""
        return self.answer_remaining() - ANSWER_RESERVE_SECONDS
