"""Limits of PutFunctionEventInvokeConfig, read from the Lambda service model botocore ships.

botocore enforces only minimums on the client side; these limits let the provider and the
construct check maximums and patterns too, without keeping a copy of the numbers here. The
provider reads them from its client's model, the construct and the cfn-lint rule from the
model of the installed botocore.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

OPERATION = "PutFunctionEventInvokeConfig"


@dataclass(frozen=True)
class StringLimit:
    """Length bounds and the (whole-string) pattern of a string member."""

    min_length: int
    max_length: int
    pattern: re.Pattern[str]

    def accepts(self, value: str) -> bool:
        """True when the service model allows `value`."""
        return (
            self.min_length <= len(value) <= self.max_length
            and self.pattern.fullmatch(value) is not None
        )


@dataclass(frozen=True)
class IntegerLimit:
    """Inclusive bounds of an integer member."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class PutLimits:
    """The limits of every member of the put request."""

    function_name: StringLimit
    qualifier: StringLimit
    retry_attempts: IntegerLimit
    event_age: IntegerLimit
    destination: StringLimit


def _string(shape: Any) -> StringLimit:
    meta = shape.metadata
    return StringLimit(
        meta.get("min", 0), meta.get("max", 2**31), re.compile(meta.get("pattern", ".*"))
    )


def _integer(shape: Any) -> IntegerLimit:
    return IntegerLimit(shape.metadata["min"], shape.metadata["max"])


def put_limits(service_model: Any) -> PutLimits:
    """Read the limits from a Lambda `ServiceModel` (a client's `meta.service_model`)."""
    members = service_model.operation_model(OPERATION).input_shape.members
    destination = members["DestinationConfig"].members["OnFailure"].members["Destination"]
    return PutLimits(
        function_name=_string(members["FunctionName"]),
        qualifier=_string(members["Qualifier"]),
        retry_attempts=_integer(members["MaximumRetryAttempts"]),
        event_age=_integer(members["MaximumEventAgeInSeconds"]),
        destination=_string(destination),
    )
