"""Where a config applies: a function given as a CDK object or as a name or ARN string."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import ArnFormat, Stack, Token
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from event_invoke_config_provider.limits import installed_put_limits
from event_invoke_config_provider.properties import (
    QUALIFIER_FORMS,
    InvalidPropertyError,
    check_function_name,
    check_string,
)

FunctionLike = lambda_.IFunction | str
UNQUALIFIED = "$LATEST"
# How CDK encodes a string token; checking in Python spares a round trip to jsii per value.
_STRING_TOKEN = "${Token["


def is_token(value: object) -> bool:
    """True when `value` is only known at deploy time (a CDK token)."""
    if isinstance(value, str):
        return _STRING_TOKEN in value
    if isinstance(value, int):
        return False  # number tokens reach Python as floats
    return bool(Token.is_unresolved(value))


@dataclass(frozen=True)
class Target:
    """The resolved target of a config.

    `function_name` and `qualifier` go into the template as given; `unqualified_arn` and
    `qualified` into the provider's policy; `function` receives destination grants (None when
    unknown); `config_key` names the config's place, function and qualifier (None: unknowable).
    """

    function_name: str
    qualifier: str | None
    unqualified_arn: str
    qualified: bool
    function: lambda_.IFunction | None
    config_key: tuple[object, str] | None


def _split_qualifier(function: lambda_.IFunction) -> tuple[lambda_.IFunction, str | None]:
    """For an alias or a version: the function behind it and the qualifier it stands for."""
    if isinstance(function, lambda_.Function):
        return function, None
    if hasattr(function, "alias_name"):
        return function.version.lambda_, function.alias_name  # type: ignore[attr-defined]
    if hasattr(function, "lambda_") and hasattr(function, "version"):
        return function.lambda_, function.version
    return function, None


def _from_string(scope: Construct, value: str) -> tuple[str, str | None]:
    """Split a name or ARN string into its unqualified ARN and its qualifier, if any."""
    parts = value.split(":")
    if value.startswith("arn:"):
        return ":".join(parts[:7]), parts[7] if len(parts) > 7 else None
    if len(parts) >= 3 and parts[1] == "function":
        account, name, qualifier = parts[0], parts[2], parts[3] if len(parts) > 3 else None
    else:
        account, name, qualifier = None, parts[0], parts[1] if len(parts) > 1 else None
    arn = Stack.of(scope).format_arn(
        service="lambda",
        account=account,
        resource="function",
        resource_name=name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return arn, qualifier


def _string_target(scope: Construct, function: str, qualifier: str | None) -> Target:
    if is_token(function):
        # A token is taken to be a function name; pass an IFunction to use an ARN.
        arn, implied = _from_string(scope, function)
        qualified = qualifier is not None or implied is not None
        return Target(function, qualifier, arn, qualified, None, None)
    check_function_name("function", function, installed_put_limits())
    arn, implied = _from_string(scope, function)
    if implied is not None and qualifier is not None and implied != qualifier:
        raise InvalidPropertyError(
            f"qualifier {qualifier!r} conflicts with the qualifier {implied!r} in function "
            f"{function!r}; give it in one place."
        )
    effective = qualifier or implied
    unqualified = function if implied is None else function.rsplit(":", 1)[0]
    key = (unqualified, effective or UNQUALIFIED)
    return Target(function, qualifier, arn, effective is not None, None, key)


def resolve_target(scope: Construct, function: FunctionLike, qualifier: str | None) -> Target:
    """Resolve and check `function` and `qualifier` as far as they are known at synth time."""
    if qualifier is not None and not is_token(qualifier):
        check_string("qualifier", qualifier, installed_put_limits().qualifier, QUALIFIER_FORMS)
    if isinstance(function, str):
        return _string_target(scope, function, qualifier)
    base, implied = _split_qualifier(function)
    if implied is not None and qualifier is not None:
        raise InvalidPropertyError(
            "qualifier must not be given with a version or alias: it is taken from "
            f"{function.node.path}."
        )
    effective = implied or qualifier
    key = (base, effective or UNQUALIFIED)
    arn = base.function_arn
    return Target(arn, effective, arn, effective is not None, base, key)
