"""The Lambda API calls behind the resource: one put per Create/Update, one delete per Delete.

Every wait is bounded by the invocation's deadline, so the answer to CloudFormation always goes
out in time: the client's timeouts are sized from the time left, botocore's standard retry mode
handles throttling and timeouts, and `call_with_retries` adds only what botocore does not retry.
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.config import Config
from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Kept back to send the answer: crhelper's own last-resort timer fires 0.5 s before the end.
RESPONSE_RESERVE_SECONDS = 3.0
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
# A qualified function ARN, as PutFunctionEventInvokeConfig returns it (unqualified: ":$LATEST").
_FUNCTION_ARN = re.compile(
    r"(?P<function>arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>[a-zA-Z0-9_$.-]+))?"
)
UNQUALIFIED = "$LATEST"


class Deadline:
    """Seconds left before the answer must be sent, from the Lambda context."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def remaining(self) -> float:
        """Seconds left, less what answering CloudFormation needs."""
        return float(self._context.get_remaining_time_in_millis()) / 1000 - RESPONSE_RESERVE_SECONDS


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
    if code == "AccessDeniedException":
        return first_failure + OWN_GRANT_PROPAGATION_SECONDS
    return None


def call_with_retries(
    call: Callable[[Any], T], deadline: Deadline, make_client: Callable[[CallTimeouts], Any]
) -> T:
    """Run `call(client)`, retrying conflicts and IAM propagation with jittered backoff.

    Each attempt gets a client whose timeouts fit in the time left; throttling and timeouts are
    botocore's to retry within that. Gives up, raising Lambda's own error, when the error's
    retry window has closed or too little time is left for another attempt.
    """
    first_failure: float | None = None
    for attempt in itertools.count():
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
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class AppliedConfig:
    """What Lambda answered to a put: the physical id and the resource attributes."""

    function_arn: str
    last_modified: str


def put_config(client: Any, request: dict[str, Any]) -> AppliedConfig:
    """Write the whole config (put replaces it) and return Lambda's canonical ARN for it."""
    response = client.put_function_event_invoke_config(**request)
    logger.info("Put event invoke config on %s", response["FunctionArn"])
    return AppliedConfig(
        function_arn=str(response["FunctionArn"]),
        last_modified=response["LastModified"].isoformat(),
    )


def delete_target(physical_id: str) -> dict[str, str] | None:
    """The delete arguments for a physical id, or None if this resource never created a config.

    crhelper invents an id like `stack_Logical_ABCD1234` when a Create fails; such an id names
    no config, and deleting by guesswork could remove one this resource does not own.
    """
    match = _FUNCTION_ARN.fullmatch(physical_id)
    if match is None:
        return None
    target = {"FunctionName": match["function"]}
    if match["qualifier"] not in (None, UNQUALIFIED):
        target["Qualifier"] = match["qualifier"]
    return target


def delete_config(client: Any, physical_id: str) -> None:
    """Remove the config named by `physical_id`; a config or function already gone is fine."""
    target = delete_target(physical_id)
    if target is None:
        logger.info("Physical id %r names no event invoke config: nothing to delete", physical_id)
        return
    try:
        client.delete_function_event_invoke_config(**target)
    except client.exceptions.ResourceNotFoundException:
        logger.info("Event invoke config of %s is already gone", physical_id)
        return
    except ClientError as error:
        if error.response["Error"]["Code"] != "AccessDeniedException":
            raise
        # The template no longer grants this function: CloudFormation updated the provider's
        # policy before this cleanup delete. Say how to finish the job by hand.
        name = target["FunctionName"].rsplit(":", 1)[1]
        qualifier = f" --qualifier {target['Qualifier']}" if "Qualifier" in target else ""
        raise PermissionError(
            f"Not allowed to delete the config of {name}{qualifier}: its grant left the template "
            "first. Remove it by hand: aws lambda delete-function-event-invoke-config "
            f"--function-name {name}{qualifier}"
        ) from error
    logger.info("Deleted event invoke config of %s", physical_id)
