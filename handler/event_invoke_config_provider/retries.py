"""Retry policy: every call bounded by the event's deadline, retried only where it can succeed.

Client timeouts sized from the time left, botocore's standard mode for its quick attempts, then
jittered backoff until the deadline for what that mode counts as retryable, and for a bounded
time for conflicts and IAM changes not yet visible; every other error is final. `Backoff` is
the handler's one backoff (response.py uses it too). Public botocore API only. docs/design.md,
"The timing contract".
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from .deadline import Deadline
from .log_text import escaping_logger
from .timing import (
    CALL_BACKOFF_BASE_SECONDS,
    CALL_BACKOFF_CAP_SECONDS,
    IAM_PROPAGATION_SECONDS,
    MAX_CONNECT_TIMEOUT_SECONDS,
    MAX_READ_TIMEOUT_SECONDS,
    MIN_CALL_SECONDS,
    OWN_GRANT_PROPAGATION_SECONDS,
)

logger = escaping_logger(__name__)
T = TypeVar("T")

# botocore's standard mode retries throttling and timeouts: at most this many attempts a call.
MAX_BOTOCORE_ATTEMPTS = 6
# botocore's standard retry mode's conditions, less its cap on attempts, as boto3's guide
# "Retries" lists them (tests/test_retries.py holds them against the newest botocore's own).
TRANSIENT_CODES = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
TRANSIENT_STATUS_CODES = frozenset({500, 502, 503, 504})
# A 429 is throttling unless its error code is one the operation models (the model then decides).
THROTTLING_STATUS_CODE = 429
TRANSIENT_EXCEPTIONS = (BotocoreConnectionError, HTTPClientError)
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
            if n == 1 or _botocore_backoff(n) + n * MIN_CALL_SECONDS <= seconds
        )
        per_attempt = (seconds - _botocore_backoff(attempts)) / attempts
        per_attempt = min(
            MAX_CONNECT_TIMEOUT_SECONDS + MAX_READ_TIMEOUT_SECONDS,
            max(MIN_CALL_SECONDS, per_attempt),
        )
        connect = min(MAX_CONNECT_TIMEOUT_SECONDS, per_attempt / 4)
        return cls(attempts=attempts, connect=connect, read=per_attempt - connect)

    def config(self) -> Config:
        """The botocore client config: these timeouts, standard retry mode."""
        return Config(
            connect_timeout=self.connect,
            read_timeout=self.read,
            retries={"mode": "standard", "total_max_attempts": self.attempts},
        )


@dataclass
class Backoff:
    """Full-jitter exponential backoff: pause n is drawn from [0, min(cap, base * 2**n)].

    ("Exponential Backoff And Jitter", AWS Architecture Blog.) `sleep` and `draw` are injectable.
    """

    base: float
    cap: float
    sleep: Callable[[float], None] = time.sleep
    draw: Callable[[float, float], float] = random.uniform
    attempt: int = 0

    def pause(self, limit: float) -> float | None:
        """The next pause, cut to `limit` seconds; None when `limit` leaves no time to pause."""
        if limit <= 0:
            return None
        drawn = self.draw(0, min(self.cap, self.base * 2**self.attempt))
        self.attempt += 1
        return min(drawn, limit)


def _modeled_error(client: Any, operation: str, code: str) -> Any:
    """The error shape of `operation` in the client's model whose code is `code`, or None."""
    model = client.meta.service_model
    if operation not in model.operation_names:
        return None
    for shape in model.operation_model(operation).error_shapes:
        if (shape.metadata.get("error", {}).get("code") or shape.name) == code:
            return shape
    return None


def retryable(error: Exception, client: Any) -> bool:
    """Whether botocore's standard retry mode would retry `error` (had it attempts left)."""
    if not isinstance(error, ClientError):
        return isinstance(error, TRANSIENT_EXCEPTIONS)
    code = error.response.get("Error", {}).get("Code")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    if code in TRANSIENT_CODES or code in THROTTLING_CODES or status in TRANSIENT_STATUS_CODES:
        return True
    shape = _modeled_error(client, error.operation_name, code) if code else None
    if shape is not None:
        return shape.metadata.get("retryable") is not None
    return status == THROTTLING_STATUS_CODE


def _retry_window(error: Exception, client: Any) -> float:
    """For how long after the first failure `error` is worth retrying (0: it is final)."""
    if retryable(error, client):
        return float("inf")
    if not isinstance(error, ClientError):
        return 0.0
    code = error.response["Error"]["Code"]
    if code == "ResourceConflictException":  # another update of the function is under way
        return float("inf")
    message = error.response["Error"].get("Message", "")
    if code == "InvalidParameterValueException" and _NOT_YET_ALLOWED.search(message):
        return IAM_PROPAGATION_SECONDS
    if code in ACCESS_DENIED:
        return OWN_GRANT_PROPAGATION_SECONDS
    return 0.0


def _code(error: Exception) -> str:
    return str(error.response["Error"]["Code"]) if isinstance(error, ClientError) else repr(error)


def call_with_retries(
    call: Callable[[Any], T],
    deadline: Deadline,
    make_client: Callable[[CallTimeouts], Any],
    backoff: Backoff | None = None,
) -> T:
    """Run `call(client)`; retry what can still succeed with jittered backoff, within the deadline.

    Each attempt gets a client whose timeouts (botocore's own retries included) fit in the time
    left. Gives up, raising the last error, when the error is final, its retry window has
    closed, or no time is left for a pause and another attempt; raises `OutOfTimeError` without
    calling when too little time is left for a first one. Time is read from `deadline` alone.
    """
    if deadline.remaining() < MIN_CALL_SECONDS:
        raise OutOfTimeError(
            "CloudFormation stops waiting for this request before another call could finish "
            "(ServiceTimeout or the provider's timeout); nothing was changed."
        )
    backoff = backoff or Backoff(CALL_BACKOFF_BASE_SECONDS, CALL_BACKOFF_CAP_SECONDS)
    left_at_first_failure: float | None = None
    while True:
        client = make_client(CallTimeouts.within(deadline.remaining()))
        try:
            return call(client)
        except (ClientError, BotoCoreError) as error:
            left = deadline.remaining()
            if left_at_first_failure is None:
                left_at_first_failure = left
            window_left = _retry_window(error, client) - (left_at_first_failure - left)
            pause = backoff.pause(min(window_left, left - MIN_CALL_SECONDS))
            if pause is None:
                raise
            logger.info("Retrying in %.1f s after %s", pause, _code(error))
            backoff.sleep(pause)
