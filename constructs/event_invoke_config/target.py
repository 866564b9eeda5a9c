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


@dataclass(frozen=True)
class Target:
    """The resolved target of a config.

    `function_name` goes into the template's FunctionName, `unqualified_arn` into the
    provider's policy, `function` receives destination grants (None when unknown), and
    `config_key` names the config's place, function and qualifier (None when unknowable).
    """

    function_name: str
    qualifier: str | None
    unqualified_arn: str
    function: lambda_.IFunction | None
    config_key: str | None


def _split_qualifier(function: lambda_.IFunction) -> tuple[lambda_.IFunction, str | None]:
    """For an alias or a version: the function behind it and the qualifier it stands for."""
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


def resolve_target(scope: Construct, function: FunctionLike, qualifier: str | None) -> Target:
    """Resolve and check `function` and `qualifier` as far as they are known at synth time."""
    limits = installed_put_limits()
    if qualifier is not None and not Token.is_unresolved(qualifier):
        check_string("qualifier", qualifier, limits.qualifier, QUALIFIER_FORMS)
    if isinstance(function, str):
        if Token.is_unresolved(function):
            # A token is taken to be a function name; pass an IFunction to use an ARN.
            arn, _ = _from_string(scope, function)
            return Target(function, qualifier, arn, None, None)
        check_function_name("function", function, limits)
        arn, implied = _from_string(scope, function)
        if implied is not None and qualifier is not None and implied != qualifier:
            raise InvalidPropertyError(
                f"qualifier {qualifier!r} conflicts with the qualifier {implied!r} in function "
                f"{function!r}; give it in one place."
            )
        unqualified = function if implied is None else function.rsplit(":", 1)[0]
        key = f"{unqualified}:{qualifier or implied or UNQUALIFIED}"
        return Target(function, qualifier, arn, None, key)
    base, implied = _split_qualifier(function)
    if implied is not None and qualifier is not None:
        raise InvalidPropertyError(
            "qualifier must not be given with a version or alias: it is taken from "
            f"{function.node.path}."
        )
    key = f"{base.node.path}:{implied or qualifier or UNQUALIFIED}"
    return Target(base.function_arn, implied or qualifier, base.function_arn, base, key)
