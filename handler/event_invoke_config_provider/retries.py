"""Retry policy: every call bounded by the event's deadline, retried only where it can succeed.

The client's timeouts are sized from the time left, botocore's standard retry mode handles
throttling and timeouts, and `call_with_retries` adds only what botocore does not retry:
conflicting updates of the function and IAM changes that have not reached Lambda yet.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.config import Config
from botocore.exceptions import ClientError

from .deadline import Deadline

logger = logging.getLogger(__name__)
T = TypeVar("T")

# botocore's standard mode retries throttling and timeouts: at most this many attempts a call.
MAX_BOTOCORE_ATTEMPTS = 6
MIN_ATTEMPT_SECONDS = 1.0
MAX_CONNECT_TIMEOUT, MAX_READ_TIMEOUT = 5.0, 20.0
# IAM changes take time to reach Lambda: the function's role reaching a destination (Terraform's
# provider waits about as long), and the provider's own new grant.
IAM_PROPAGATION_SECONDS = 120.0
OWN_GRANT_PROPAGATION_SECONDS = 30.0
BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS = 1.0, 16.0
# Lambda's words when the function's role cannot reach a destination yet.
_NOT_YET_ALLOWED = re.compile(
    r"execution role does not have permissions|destination ARN .* is invalid"
)


# A grant missing (or not yet visible): Lambda's error code, CloudFormation's.
ACCESS_DENIED = ("AccessDeniedException", "AccessDenied")


class OutOfTimeError(TimeoutError):
    """Too little time is left before the deadline to make a call: nothing was sent."""


def _botocore_backoff(attempts: int) -> float:
    """The longest total sleep of botocore's standard mode between `attempts` attempts."""
    return float(2 ** (attempts - 1) - 1)


@dataclass(frozen=True)
class CallTimeouts:
    """Client settings such that one call, botocore's own retries included, fits in a budget."""

    attempts: int
    connect: float
    read: float

    @classmethod
    def within(cls, seconds: float) -> CallTimeouts:
        """As many botocore attempts as fit in `seconds`, each with its share of the time."""
        attempts = max(
            n
            for n in range(1, MAX_BOTOCORE_ATTEMPTS + 1)
            if n == 1 or _botocore_backoff(n) + n * MIN_ATTEMPT_SECONDS <= seconds
        )
        per_attempt = (seconds - _botocore_backoff(attempts)) / attempts
        per_attempt = min(
            MAX_CONNECT_TIMEOUT + MAX_READ_TIMEOUT, max(MIN_ATTEMPT_SECONDS, per_attempt)
        )
        connect = min(MAX_CONNECT_TIMEOUT, per_attempt / 4)
        return cls(attempts=attempts, connect=connect, read=per_attempt - connect)

    def config(self) -> Config:
        """The botocore client config: these timeouts, standard retry mode."""
        return Config(
            connect_timeout=self.connect,
            read_timeout=self.read,
            retries={"mode": "standard", "total_max_attempts": self.attempts},
        )


def _retry_window(error: ClientError, first_failure: float) -> float | None:
    """Until when (monotonic) `error` is worth retrying, or None if it is final."""
    code = error.response["Error"]["Code"]
    if code == "ResourceConflictException":  # another update of the function is under way
        return float("inf")
    message = error.response["Error"].get("Message", "")
    if code == "InvalidParameterValueException" and _NOT_YET_ALLOWED.search(message):
        return first_failure + IAM_PROPAGATION_SECONDS
    if code in ACCESS_DENIED:
        return first_failure + OWN_GRANT_PROPAGATION_SECONDS
    return None


def call_with_retries(
    call: Callable[[Any], T], deadline: Deadline, make_client: Callable[[CallTimeouts], Any]
) -> T:
    """Run `call(client)`, retrying conflicts and IAM propagation with jittered backoff.

    Each attempt gets a client whose timeouts fit in the time left; throttling and timeouts are
    botocore's to retry within that. Gives up, raising Lambda's own error, when the error's
    retry window has closed or too little time is left for another attempt; raises
    `OutOfTimeError` without calling when too little time is left for a first one.
    """
    if deadline.remaining() < MIN_ATTEMPT_SECONDS:
        raise OutOfTimeError(
            "CloudFormation stops waiting for this request before another call could finish "
            "(ServiceTimeout or the provider's timeout); nothing was changed."
        )
    first_failure: float | None = None
    attempt = 0
    while True:
        try:
            return call(make_client(CallTimeouts.within(deadline.remaining())))
        except ClientError as error:
            now = time.monotonic()
            first_failure = now if first_failure is None else first_failure
            window = _retry_window(error, first_failure)
            delay = random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))
            if window is None or now + delay > window:
                raise
            if deadline.remaining() - delay < MIN_ATTEMPT_SECONDS:
                raise
            logger.info("Retrying in %.1f s after %s", delay, error.response["Error"]["Code"])
            time.sleep(delay)
            attempt += 1


def may_have_been_applied(error: Exception) -> bool:
    """True unless the service answered that it refused the request (a 4xx error).

    A timeout, a broken connection or a 5xx leaves open whether a write took effect.
    """
    if isinstance(error, OutOfTimeError):
        return False
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
        return int(status) >= 500
    return True
