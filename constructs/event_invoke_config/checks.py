"""The provider's property checks, run at synth on the construct's arguments.

Each argument that becomes a template property is checked by that property's one check in
`event_invoke_config_provider.properties`, the check the provider runs at deploy time, so both
refuse a value with the same words (tests/test_parity.py). A value CDK knows only as a token is
left to the provider. The limits are the provider's own (`model_limits`), whatever botocore the
app holds.
"""

from __future__ import annotations

import math
from weakref import WeakKeyDictionary

from aws_cdk import Duration, Token

from event_invoke_config_provider import properties as p
from event_invoke_config_provider.function_ref import FunctionRef


def _whole(value: int | float) -> int | float:
    """A float that is a whole number (`1.0`: jsii passes numbers as floats) as that number."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def checked_function_name(value: str) -> FunctionRef:
    """A literal function name or ARN, read as the provider reads `FunctionName`."""
    return p.check_function_name("function", value)


def checked_qualifier(value: str | None) -> str | None:
    """The `qualifier` argument, as the provider reads `Qualifier`."""
    if value is None or Token.is_unresolved(value):
        return value
    return p.check_qualifier("qualifier", value)


def checked_retry_attempts(value: int | float) -> int | float:
    """The `retry_attempts` argument, as the provider reads `MaximumRetryAttempts`."""
    # A number token is a finite float; jsii cannot even ask about NaN or an infinity.
    if isinstance(value, float) and math.isfinite(value) and Token.is_unresolved(value):
        return value
    return p.check_retry_attempts("retry_attempts", _whole(value))


# A Duration cannot change, and one is often shared by many configs: each is read once (two
# round trips to jsii's Node process). Whether it is a token, and its seconds.
_DURATION_READINGS: WeakKeyDictionary[Duration, tuple[bool, int | float]] = WeakKeyDictionary()


def _read_duration(value: Duration) -> tuple[bool, int | float]:
    reading = _DURATION_READINGS.get(value)
    if reading is None:
        unresolved = value.is_unresolved()
        seconds = value.to_seconds() if unresolved else value.to_seconds(integral=False)
        reading = _DURATION_READINGS[value] = (unresolved, seconds)
    return reading


def checked_event_age(value: Duration) -> int | float:
    """The `max_event_age` argument in seconds, as the provider reads `MaximumEventAgeInSeconds`."""
    unresolved, seconds = _read_duration(value)
    if unresolved:
        return seconds
    return p.check_event_age("max_event_age (seconds)", _whole(seconds))


def checked_destination(name: str, value: str, *, on_failure: bool) -> str:
    """A destination ARN argument, as the provider reads `DestinationConfig.*.Destination`."""
    if Token.is_unresolved(value):
        return value
    return p.check_destination(name, value, on_failure=on_failure)
