"""What a config targets, as far as synth can tell: canonical function and qualifier identities.

Two configs collide when they name the same function (by any spelling: name, partial ARN, full
ARN, an `IFunction`, or a `Function` with an explicit `function_name`) in the same account and
region, with the same qualifier. Names and ARNs are read by `function_ref`; a function this app
creates without a name is known by its `AWS::Lambda::Function` construct. An account or region
unknown at synth (an environment-agnostic stack) is known only within its Stage, so the same
construct deployed by two Stages does not collide. A token that names nothing in this app is
compared only with the very same token, and the config says what was not checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aws_cdk import Arn, ArnFormat, Fn, Stack, Stage, Token
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from event_invoke_config_provider.function_ref import UNQUALIFIED, FunctionRef, parse_function

from .facts import stack_facts
from .reference_reads import Referenced, reference_of


@dataclass(frozen=True)
class Identity:
    """A function or a qualifier, comparable across the app; `note` and `checked` are notes.

    `note` is the label, or how to make it when a message needs it (a construct's path costs
    round trips to jsii's Node process, and most configs never print theirs).
    """

    key: tuple[str, ...]
    note: str | Callable[[], str] = field(compare=False)
    checked: bool = field(default=True, compare=False)

    @property
    def label(self) -> str:
        """The identity, for messages."""
        return self.note if isinstance(self.note, str) else self.note()


@dataclass(frozen=True)
class ConfigTarget:
    """The function and qualifier a config writes to."""

    function: Identity
    qualifier: Identity

    def describe(self) -> str:
        """The target, for messages."""
        return f"{self.function.label}, qualifier {self.qualifier.label}"

    def unchecked(self) -> list[str]:
        """The parts (`function`, `qualifier`) known only at deploy time: not compared."""
        parts = (("function", self.function), ("qualifier", self.qualifier))
        return [name for name, part in parts if not part.checked]


def _environment(scope: IConstruct, ref: FunctionRef) -> tuple[str, str, str]:
    """The account and region of `ref` (its stack's where it spells none) and their label.

    An account or region unknown at synth is known only within the Stage that deploys it.
    """
    stack = stack_facts(scope)
    account, region = ref.account or stack.account, ref.region or stack.region
    if not Token.is_unresolved(account) and not Token.is_unresolved(region):
        return account, region, f"{account}/{region}"
    staged = isinstance(stack.home, Stage) and stack.home_path
    where = f"stage {stack.home_path}" if staged else "the app"
    unknown = f"unknown in {where}"
    return (
        unknown if Token.is_unresolved(account) else account,
        unknown if Token.is_unresolved(region) else region,
        f"the account and region {where} deploys to (unknown at synth)",
    )


def function_of_ref(scope: IConstruct, ref: FunctionRef) -> Identity:
    """The function a parsed name or ARN names, in `scope`'s stack where it spells no place."""
    account, region, where = _environment(scope, ref)
    return Identity(("function", account, region, ref.name), f"{ref.name} in {where}")


def _unresolved(value: str, what: str) -> Identity:
    return Identity(("token", value), what, checked=False)


def referenced(value: str) -> IConstruct | None:
    """The construct a string made of one reference (a Ref or a GetAtt) points to."""
    reference = reference_of(value)
    return reference.target if reference is not None else None


def references(value: str, construct: IConstruct) -> bool:
    """Whether `value` is one reference (a Ref or a GetAtt) to a resource within `construct`."""
    target = referenced(value)
    return target is not None and target.node.path.startswith(f"{construct.node.path}/")


def is_function_arn_reference(value: str) -> bool:
    """Whether `value` is exactly the `Arn` attribute of a function this app creates."""
    reference = reference_of(value)
    return (
        reference is not None
        and isinstance(reference.target, lambda_.CfnFunction)
        and reference.attribute == "Arn"
    )


def _of_function_resource(reference: Referenced) -> Identity:
    """The function an `AWS::Lambda::Function` of this app (`reference`'s target) is."""
    function = reference.target
    if reference.literal_name is not None:
        return function_of_ref(function, FunctionRef(reference.literal_name))
    # Named by the `Function` whose resource this is: the path's parent.
    return Identity(
        ("construct", _object_id(function)),
        lambda: f"the function {function.node.path.rpartition('/')[0]}",
    )


def _object_id(construct: IConstruct) -> str:
    """The id jsii gives the Node object behind `construct`: unique in the process and the same
    for every Python proxy of it (a construct created in Node gets a new proxy on each read)."""
    ref: str = construct.__jsii_ref__.ref  # type: ignore[attr-defined]
    return ref


def function_of_token(value: str) -> Identity:
    """The function a string with tokens names: a function of this app, or only that token."""
    reference = reference_of(value)
    if reference is not None and isinstance(reference.target, lambda_.CfnFunction):
        return _of_function_resource(reference)
    return _unresolved(value, "a function known only at deploy time")


def function_of_string(scope: IConstruct, value: str) -> tuple[Identity, str | None]:
    """The function a name or ARN string names, and the qualifier it carries."""
    if Token.is_unresolved(value):
        return function_of_token(value), None
    ref = parse_function(value)
    if ref is None:  # not a function Lambda would accept: compared as spelled
        return Identity(("spelled", value), repr(value)), None
    return function_of_ref(scope, ref), ref.qualifier


def function_of_object(function: lambda_.IFunction, arn: str) -> Identity:
    """The function an `IFunction` stands for (not an alias or version: give its function),
    whose `function_arn` is `arn`."""
    reference = reference_of(arn)
    if reference is not None and isinstance(reference.target, lambda_.CfnFunction):
        return _of_function_resource(reference)
    if not Token.is_unresolved(arn):
        return function_of_string(function, arn)[0]
    # An ARN with tokens for some parts (e.g. `Function.from_function_name`): CDK splits it.
    parts = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME)
    stack = stack_facts(function)
    name = parts.resource_name or ""
    ref = None if Token.is_unresolved(name) else parse_function(name)
    account, region = (
        None if spelled == own else spelled
        for spelled, own in ((parts.account, stack.account), (parts.region, stack.region))
    )
    if ref is None or Token.is_unresolved(f"{account or ''}{region or ''}"):
        return _unresolved(arn, f"the function {function.node.path}, known only at deploy time")
    return function_of_ref(function, FunctionRef(ref.name, account=account, region=region))


def qualifier_of(value: str | None) -> Identity:
    """A qualifier; a version this app creates is known by its `AWS::Lambda::Version`."""
    if value is None or value == UNQUALIFIED:
        return Identity(("qualifier", UNQUALIFIED), UNQUALIFIED)
    if not Token.is_unresolved(value):
        return Identity(("qualifier", value), value)
    target = referenced(value)
    if isinstance(target, lambda_.CfnVersion):
        version = target.node.scope.node.path if target.node.scope else target.node.path
        return Identity(("construct", target.node.path), f"the version {version}")
    return _unresolved(value, "a qualifier known only at deploy time")


def _alias_named_by(config: lambda_.CfnEventInvokeConfig) -> str | None:
    """The alias whose ARN's qualifier part (the 8th) a native config's qualifier is.

    `alias.configure_async_invoke` writes that expression: an alias ARN is the function's ARN
    followed by `:alias-name` (https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html).
    """
    stack = Stack.of(config)
    qualifier = stack.resolve(config.qualifier)
    for scope in config.node.scopes:
        if isinstance(scope, lambda_.Alias):
            qualifier_part = Fn.select(7, Fn.split(":", scope.function_arn))
            if qualifier == stack.resolve(qualifier_part):
                return scope.alias_name
    return None


def of_native(config: lambda_.CfnEventInvokeConfig) -> ConfigTarget:
    """What an `AWS::Lambda::EventInvokeConfig` of this app targets."""
    function, implied = function_of_string(config, config.function_name)
    qualifier = _alias_named_by(config) or config.qualifier or implied
    return ConfigTarget(function, qualifier_of(qualifier))
