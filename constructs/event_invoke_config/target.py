"""Where a config applies: a function given as a CDK object or as a name or ARN string."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Annotations, ArnFormat, Fn, Reference, Stack, Token, Tokenization
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from event_invoke_config_provider.function_ref import UNQUALIFIED, ConfigId, FunctionRef
from event_invoke_config_provider.properties import InvalidPropertyError, with_qualifier

from .checks import checked_function_name
from .facts import stack_facts
from .identity import (
    ConfigTarget,
    Identity,
    function_of_object,
    function_of_ref,
    function_of_token,
    is_function_arn_reference,
    qualifier_of,
    referenced,
)

FunctionLike = lambda_.IFunction | str
_LATEST_SUFFIX = f":{UNQUALIFIED}:"
# What precedes a function's name in its ARN or partial ARN.
BEFORE_NAME = ":function:"


@dataclass(frozen=True)
class Target:
    """The resolved target of a config.

    `function_name` and `qualifier` go into the template as given; `grant_arns` are the ARNs
    the provider's calls name, into its policy; `unqualified_arn` is the function's;
    `function` receives destination grants (None when unknown); `identity` is what the
    app-wide duplicate check compares.
    """

    function_name: str
    qualifier: str | None
    unqualified_arn: str
    grant_arns: tuple[str, ...]
    function: lambda_.IFunction | None
    identity: ConfigTarget


@dataclass(frozen=True)
class _Function:
    """The `function` argument, read once: its unqualified ARN, the qualifier it carries
    (`name:qualifier`, an alias, a version), the function object (None for a string), its
    identity, and for a literal string the provider's reading of it."""

    arn: str
    qualifier: str | None
    function: lambda_.IFunction | None
    identity: Identity
    ref: FunctionRef | None = None


def _grant_arns(arn: str, qualifier: str | None) -> tuple[str, ...]:
    """The ARNs the provider calls Lambda on for a config of `arn` and `qualifier`.

    The provider names the unqualified function for `$LATEST` and passes any other qualifier;
    Lambda authorizes the call on the function, version or alias ARN it names
    (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html). A
    qualifier known only at deploy time, and not a version or alias of this app, may turn
    out to be `$LATEST`: both ARNs.
    """
    if qualifier is None or qualifier == UNQUALIFIED:
        return (arn,)
    qualified = f"{arn}:{qualifier}"
    if Token.is_unresolved(qualifier) and not isinstance(
        referenced(qualifier), lambda_.CfnVersion | lambda_.CfnAlias
    ):
        return (arn, qualified)
    return (qualified,)


def _split_qualifier(function: lambda_.IFunction) -> tuple[lambda_.IFunction, str | None]:
    """For an alias or a version: the function behind it and the qualifier it stands for."""
    if isinstance(function, lambda_.Function):
        return function, None
    if hasattr(function, "alias_name"):
        return function.version.lambda_, function.alias_name  # type: ignore[attr-defined]
    if hasattr(function, "lambda_") and hasattr(function, "version"):
        return function.lambda_, function.version
    return function, None


def _stack_function_arn(scope: Construct, account: str | None, name: str) -> str:
    """The ARN of function `name` in `scope`'s stack's partition and region (and account)."""
    return Stack.of(scope).format_arn(
        service="lambda",
        account=account,
        resource="function",
        resource_name=name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def _function_arn(scope: Construct, ref: FunctionRef) -> str:
    """The unqualified ARN of a parsed reference; names and partial ARNs in `scope`'s stack."""
    if ref.partition is None or ref.region is None or ref.account is None:
        return _stack_function_arn(scope, ref.account, ref.name)
    return ConfigId(ref.partition, ref.region, ref.account, ref.name).function_arn


def _shown(part: str | None) -> str:
    """An account or region for messages; one known only at deploy time reads `(unknown)`."""
    return "(unknown)" if part is None or Token.is_unresolved(part) else part


def _environment(account: str | None, region: str | None) -> str:
    """`account/region` for messages."""
    return f"{_shown(account)}/{_shown(region)}"


def _check_home(
    scope: Construct, account: str | None, region: str | None, spelled: Callable[[], str]
) -> None:
    """Refuse a function in another account or region than the stack's: the provider would.

    The provider acts in its own account and region (`ConfigRequest.config_id`). `account` and
    `region` are what the function's spelling names (None: the stack's own); `spelled()` names
    the function in messages (a literal, or a construct path: never a token). A stack without an
    environment cannot be checked at synth: a literal account or region is then a warning.
    """
    stack = stack_facts(scope)
    homes = {"account": (account, stack.account), "region": (region, stack.region)}
    unchecked = []
    for part, (given, home) in homes.items():
        if given is None or given == home or Token.is_unresolved(given):
            continue
        if Token.is_unresolved(home):
            unchecked.append(f"{part} {given}")
            continue
        given_env = _environment(account or stack.account, region or stack.region)
        home_account, home_region = _shown(stack.account), _shown(stack.region)
        raise InvalidPropertyError(
            f"function must be a function in the provider's account {home_account} and region "
            f"{home_region}; got {spelled()}. Declare {scope.node.path} in a stack of "
            f"{given_env}: a provider acts in its own stack's account and region."
        )
    if unchecked:
        Annotations.of(scope).add_warning_v2(
            "event-invoke-config:function-environment-unchecked",
            f"function names the {' and '.join(unchecked)}, and this stack's account and region "
            "are known only at deploy time: the provider refuses a function outside its own "
            "account and region then.",
        )


def _may_be_arn(part: str) -> bool:
    """Whether `part` is one token that may stand for a name or an ARN: CDK cannot tell which.

    A `Ref` of a function of this app is its name; any other single token (an import, a
    parameter, an SSM value) may resolve to either.
    """
    reference = Tokenization.reverse(part, fail_concat=False)
    if reference is None:
        return False
    return not (
        isinstance(reference, Reference)
        and isinstance(reference.target, lambda_.CfnFunction)
        and reference.display_name == "Ref"
    )


def _name_of_name_or_arn(value: str) -> str:
    """The `name[:qualifier]` of `value`, a name or a (partial) ARN, as CloudFormation resolves
    it, without a trailing `:$LATEST`.

    `value + ":function:" + value` split on `:function:` has the name at index 1 either way: a
    name, which has no `:function:`, gives (`n`, `n`); an ARN (`arn:...`, `n`, `arn:...`, `n`).
    The colon before `function:` keeps a name that ends in `function` whole (`my-function:prod`).
    `$LATEST` is the unqualified config, which the provider addresses by the unqualified ARN
    (`ConfigId.api_target`), so its grant must name that: `n + ":$LATEST:"` split on
    `:$LATEST:` has `n` at index 0 whether `n` ended with `:$LATEST` or not, and keeps any other
    qualifier whole (an alias, a version, `$LATEST.PUBLISHED`: no `:` follows `$LATEST` there).
    """
    joined = Fn.join("", [value, BEFORE_NAME, value])
    named = Fn.select(1, Fn.split(BEFORE_NAME, joined))
    return Fn.select(0, Fn.split(_LATEST_SUFFIX, Fn.join("", [named, _LATEST_SUFFIX])))


def _token_function(scope: Construct, function: str) -> _Function:
    """A string with tokens: an ARN, a partial ARN or a name, each with an optional qualifier.

    `function_ref` cannot read a token, but CDK encodes string tokens without colons, so
    splitting on the colons the user wrote gives the parts; a part may be a token. A token in
    the name's place may resolve to a name or to an ARN (an import, a parameter, an SSM value):
    the grant takes the name out of either at deploy time (`_name_of_name_or_arn`). The
    provider acts in its own account and region, so the grant is on the name there.
    """
    parts = function.split(":")
    if is_function_arn_reference(function):
        arn, implied = function, None
    elif function.startswith("arn:"):
        arn, implied = ":".join(parts[:7]), parts[7] if len(parts) > 7 else None
    else:
        account, name, implied = None, parts[0], parts[1] if len(parts) > 1 else None
        if len(parts) >= 3 and parts[1] == "function":
            account, name, implied = parts[0], parts[2], parts[3] if len(parts) > 3 else None
        elif _may_be_arn(name):
            name = _name_of_name_or_arn(name)
        arn = _stack_function_arn(scope, account, name)
    return _Function(arn, implied, None, function_of_token(function))


def _literal_function(scope: Construct, function: str) -> _Function:
    """A name or ARN without tokens, read by the provider's check of `FunctionName`."""
    ref = checked_function_name(function)
    arn = _function_arn(scope, ref)
    spelled = arn if ref.partition is not None else function
    _check_home(scope, ref.account, ref.region, lambda: spelled)
    return _Function(arn, ref.qualifier, None, function_of_ref(scope, ref), ref)


def _object_function(scope: Construct, function: lambda_.IFunction) -> _Function:
    """An `IFunction`; for an alias or a version, the function behind it and its qualifier."""
    base, implied = _split_qualifier(function)
    if not _in_stack_of(scope, base):
        env = base.env
        account, region = env.account, env.region
        _check_home(
            scope, account, region, lambda: f"{base.node.path} in {_environment(account, region)}"
        )
    arn = base.function_arn
    return _Function(arn, implied, base, function_of_object(base, arn))


def _in_stack_of(scope: Construct, function: lambda_.IFunction) -> bool:
    """Whether `function` is a `Function` created in `scope`'s stack: its environment is the
    stack's (an imported function's environment comes from its ARN)."""
    return isinstance(function, lambda_.Function) and function.stack is stack_facts(scope).stack


def _read_function(scope: Construct, function: FunctionLike) -> _Function:
    if not isinstance(function, str):
        return _object_function(scope, function)
    if Token.is_unresolved(function):
        return _token_function(scope, function)
    return _literal_function(scope, function)


def _effective_qualifier(
    function: FunctionLike, read: _Function, qualifier: str | None
) -> str | None:
    """The qualifier the config is for: the one given, or the one the function carries."""
    if qualifier is None or read.qualifier is None:
        return qualifier or read.qualifier
    if not isinstance(function, str):
        raise InvalidPropertyError(
            "qualifier must not be given with a version or alias: it is taken from "
            f"{function.node.path}. Leave qualifier out, or pass the function itself with it."
        )
    if read.ref is not None and not Token.is_unresolved(qualifier):
        return with_qualifier("qualifier", read.ref, qualifier).qualifier
    return qualifier


def resolve_target(scope: Construct, function: FunctionLike, qualifier: str | None) -> Target:
    """Read `function` once and combine it with the (checked) `qualifier` given beside it.

    A string carries its own qualifier in the `FunctionName` it is written as; an alias's or
    a version's is written as `Qualifier`.
    """
    read = _read_function(scope, function)
    effective = _effective_qualifier(function, read, qualifier)
    written = qualifier if isinstance(function, str) else effective
    identity = ConfigTarget(read.identity, qualifier_of(effective))
    name = function if isinstance(function, str) else read.arn
    grants = _grant_arns(read.arn, effective)
    return Target(name, written, read.arn, grants, read.function, identity)
