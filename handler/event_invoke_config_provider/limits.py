"""Limits of PutFunctionEventInvokeConfig's members, as the Lambda service model gives them.

botocore enforces only minimums on the client side; these limits let the provider, the construct
and the cfn-lint rule check maximums and patterns too. All three check against `PUT_LIMITS`
(model_limits.py), captured from one pinned botocore, so they give one verdict on every input,
whatever botocore each environment holds (the Lambda runtime's, the CDK app's, the linter's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
