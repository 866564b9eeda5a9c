"""Function references and physical ids: the one grammar of function names, ARNs and qualifiers.

Lambda takes a function as `name`, `ACCOUNT:function:name` (a partial ARN) or
`arn:PARTITION:lambda:REGION:ACCOUNT:function:name`, each with an optional `:qualifier` (a
version, an alias or `$LATEST`). A config is named by `ConfigId`, whose `physical_id` is the
qualified ARN Lambda answers with (`...:function:name:$LATEST` when unqualified). The construct,
the provider and the tools parse, canonicalize and format these forms here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

UNQUALIFIED = "$LATEST"
# The physical id of a Create that wrote nothing: it names no config, so its Delete does nothing.
NOT_CREATED = "EventInvokeConfig::NotCreated"

# Lambda's longest function name and qualifier (an alias name or a version).
FUNCTION_NAME_MAX_CHARS = 64
QUALIFIER_MAX_CHARS = 128
_NAME = r"(?P<name>[a-zA-Z0-9_.-]+)"
_QUALIFIER = r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]+))?"
# Region names as the Lambda service model spells them (eusc-de-east-1, us-isof-south-1, ...).
_REGION = r"(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)"
_FUNCTION = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*):lambda:" + _REGION + r":(?P<arn_account>\d{12}):function:"
    r"|(?P<account>\d{12}):function:)?" + _NAME + _QUALIFIER
)
_NAME_AND_QUALIFIER = re.compile(_NAME + _QUALIFIER)
_PROVIDER_ARN = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:.+"
)
_STACK_ARN = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*):cloudformation:(?P<region>[^:]+):(?P<account>\d{12}):"
    r"stack/[^/]+/.+"
)


class QualifierConflictError(ValueError):
    """A function reference that carries one qualifier while another is given beside it."""


@dataclass(frozen=True)
class Environment:
    """Where bare names and partial ARNs live: a partition, a region and an account."""

    partition: str
    region: str
    account: str

    @classmethod
    def of_function_arn(cls, arn: str) -> Environment:
        """The environment of a function ARN, e.g. the provider's own `invoked_function_arn`."""
        match = _PROVIDER_ARN.fullmatch(arn)
        if match is None:
            raise ValueError(f"not a Lambda function ARN: {arn!r}")
        return cls(match["partition"], match["region"], match["account"])

    @classmethod
    def of_stack_id(cls, stack_id: str) -> Environment | None:
        """The environment of a stack's unique id (its ARN), or None if it is not one."""
        match = _STACK_ARN.fullmatch(stack_id)
        if match is None:
            return None
        return cls(match["partition"], match["region"], match["account"])


@dataclass(frozen=True, order=True)
class ConfigId:
    """The canonical name of one event invoke config: a function in an environment, a qualifier."""

    partition: str
    region: str
    account: str
    name: str
    qualifier: str = UNQUALIFIED

    @property
    def function_arn(self) -> str:
        """The function's unqualified ARN."""
        return f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:{self.name}"

    @property
    def physical_id(self) -> str:
        """The qualified ARN, as Lambda answers a put: the resource's physical id."""
        return f"{self.function_arn}:{self.qualifier}"

    @property
    def api_target(self) -> dict[str, str]:
        """The `FunctionName` and `Qualifier` arguments that address exactly this config."""
        target = {"FunctionName": self.function_arn}
        if self.qualifier != UNQUALIFIED:
            target["Qualifier"] = self.qualifier
        return target

    def describe(self) -> str:
        """`name` or `name:qualifier`, for messages."""
        return self.name if self.qualifier == UNQUALIFIED else f"{self.name}:{self.qualifier}"


@dataclass(frozen=True)
class FunctionRef:
    """A function as written: its name, the qualifier and the environment the spelling gives."""

    name: str
    qualifier: str | None = None
    account: str | None = None
    region: str | None = None
    partition: str | None = None

    def with_qualifier(self, qualifier: str | None) -> FunctionRef:
        """This reference with `qualifier` given beside it; refuses two different qualifiers."""
        if qualifier is None or qualifier == self.qualifier:
            return self
        if self.qualifier is not None:
            raise QualifierConflictError(
                f"the function carries the qualifier {self.qualifier!r} and {qualifier!r} is "
                "given beside it; give the qualifier in one place."
            )
        return replace(self, qualifier=qualifier)

    def config_id(self, default: Environment) -> ConfigId:
        """The config this reference names, bare names and partial ARNs taken to be in `default`."""
        return ConfigId(
            partition=self.partition or default.partition,
            region=self.region or default.region,
            account=self.account or default.account,
            name=self.name,
            qualifier=self.qualifier or UNQUALIFIED,
        )


def parse_function(value: str) -> FunctionRef | None:
    """The reference `value` spells, or None if it is none of Lambda's documented forms."""
    match = _FUNCTION.fullmatch(value)
    if match is None or (
        match["name"] == "function"
        and match["account"] is None
        and match["partition"] is None
        and match["qualifier"]
    ):
        # `function:x` is not a documented form: Lambda's pattern reads it as function x, but
        # it could as well be the alias x of a function named "function".
        return None
    return FunctionRef(
        name=match["name"],
        qualifier=match["qualifier"],
        account=match["arn_account"] or match["account"],
        region=match["region"],
        partition=match["partition"],
    )


def is_name_and_qualifier(value: str) -> bool:
    """Whether `value` is a function name with an optional `:qualifier`, each within Lambda's
    length."""
    match = _NAME_AND_QUALIFIER.fullmatch(value)
    return (
        match is not None
        and len(match["name"]) <= FUNCTION_NAME_MAX_CHARS
        and len(match["qualifier"] or "") <= QUALIFIER_MAX_CHARS
    )


def parse_physical_id(physical_id: str) -> ConfigId | None:
    """The config a physical id names, or None (a Create that wrote nothing, crhelper's ids)."""
    ref = parse_function(physical_id)
    if ref is None or ref.partition is None or ref.qualifier is None:
        return None
    assert ref.region is not None and ref.account is not None  # a full ARN carries both
    return ref.config_id(Environment(ref.partition, ref.region, ref.account))
