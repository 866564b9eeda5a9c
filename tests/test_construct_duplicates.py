"""The app-wide check for two configs on one function and qualifier, by identity, not spelling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from event_invoke_config import LambdaEventInvokeConfig
from offline_cloud.fake_aws import ACCOUNT, REGION
from tests.support import ORDERS_ARN, new_function, new_stack, synth_error

COLLIDES = "both configure the asynchronous invocation of"


def ours(scope: cdk.Stack, construct_id: str, function: object, **kwargs: object) -> None:
    LambdaEventInvokeConfig(scope, construct_id, function=function, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("orders", None), (ORDERS_ARN, None)),
        (("orders", None), (f"{ACCOUNT}:function:orders", None)),
        ((f"{ORDERS_ARN}:live", None), ("orders", "live")),
        (("orders:live", None), (f"{ACCOUNT}:function:orders", "live")),
        (("orders", None), ("orders", "$LATEST")),
    ],
    ids=[
        "name-vs-arn",
        "name-vs-partial-arn",
        "arn-qualified-vs-qualifier",
        "name-vs-partial",
        "unqualified-vs-latest",
    ],
)
def test_two_spellings_of_one_target_are_refused(
    first: tuple[str, str | None], second: tuple[str, str | None]
) -> None:
    # GIVEN two configs whose strings name the same function and qualifier
    stack = new_stack()
    ours(stack, "First", first[0], qualifier=first[1])
    ours(stack, "Second", second[0], qualifier=second[1])
    # WHEN the app synthesizes
    error = synth_error(stack)
    # THEN it fails naming both configs
    assert f"Stack/First and Stack/Second {COLLIDES} orders in {ACCOUNT}/{REGION}" in error


FunctionMaker = Callable[[cdk.Stack], lambda_.IFunction]
NAMED_FUNCTIONS: dict[str, FunctionMaker] = {
    "function-with-a-name": lambda stack: new_function(stack, function_name="orders"),
    "imported-by-arn": lambda stack: lambda_.Function.from_function_arn(stack, "I", ORDERS_ARN),
    "imported-by-name": lambda stack: lambda_.Function.from_function_name(stack, "I", "orders"),
}


@pytest.mark.parametrize("make", NAMED_FUNCTIONS.values(), ids=NAMED_FUNCTIONS.keys())
@pytest.mark.parametrize("spelling", ["orders", ORDERS_ARN, f"{ACCOUNT}:function:orders"])
def test_an_ifunction_and_its_literal_name_or_arn_are_one_target(
    make: FunctionMaker, spelling: str
) -> None:
    # GIVEN a config on an IFunction named `orders` and one on a string naming it
    stack = new_stack()
    ours(stack, "ByObject", make(stack))
    ours(stack, "ByString", spelling)
    # WHEN / THEN
    assert f"Stack/ByObject and Stack/ByString {COLLIDES}" in synth_error(stack)


def test_an_alias_and_its_function_with_the_alias_name_are_one_target() -> None:
    stack = new_stack()
    fn = new_function(stack)
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    ours(stack, "OnAlias", alias)
    ours(stack, "OnFunction", fn, qualifier="live")

    error = synth_error(stack)

    assert (
        f"Stack/OnAlias and Stack/OnFunction {COLLIDES} the function Stack/Fn, qualifier live"
        in error
    )


@dataclass
class Native:
    """A native config: what ours names to collide with it, and how to declare the native one."""

    target: object
    kwargs: dict[str, object]
    path: str
    declare: Callable[[], object]


def _on_function_props(stack: cdk.Stack) -> Native:
    # Declared with the function itself: ours can only come after it.
    fn = new_function(stack, "Native", retry_attempts=1)
    return Native(fn, {}, "Stack/Native/EventInvokeConfig", lambda: None)


def _configure_async_invoke(stack: cdk.Stack) -> Native:
    fn = new_function(stack, "Native")
    return Native(
        fn,
        {},
        "Stack/Native/EventInvokeConfig",
        lambda: fn.configure_async_invoke(retry_attempts=0),
    )


def _on_alias(stack: cdk.Stack) -> Native:
    fn = new_function(stack, "Native")
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    return Native(
        fn,
        {"qualifier": "live"},
        "Stack/Live/EventInvokeConfig",
        lambda: alias.configure_async_invoke(retry_attempts=0),
    )


def _event_invoke_config(stack: cdk.Stack) -> Native:
    fn = new_function(stack, "Native")
    return Native(
        fn,
        {"qualifier": "blue"},
        "Stack/L2",
        lambda: lambda_.EventInvokeConfig(stack, "L2", function=fn, qualifier="blue"),
    )


def _on_version(stack: cdk.Stack) -> Native:
    version = new_function(stack, "Native").current_version
    return Native(
        version,
        {},
        "Stack/Native/CurrentVersion/EventInvokeConfig",
        lambda: version.configure_async_invoke(retry_attempts=0),
    )


def _l1_by_arn(stack: cdk.Stack) -> Native:
    return Native(
        "orders",
        {},
        "Stack/L1",
        lambda: lambda_.CfnEventInvokeConfig(
            stack, "L1", function_name=ORDERS_ARN, qualifier="$LATEST", maximum_retry_attempts=0
        ),
    )


NATIVE: dict[str, Callable[[cdk.Stack], Native]] = {
    "Function(retry_attempts=...)": _on_function_props,
    "fn.configure_async_invoke": _configure_async_invoke,
    "alias.configure_async_invoke": _on_alias,
    "aws_lambda.EventInvokeConfig": _event_invoke_config,
    "version.configure_async_invoke": _on_version,
    "CfnEventInvokeConfig by ARN": _l1_by_arn,
}


@pytest.mark.parametrize("ours_first", [True, False], ids=["ours-first", "native-first"])
@pytest.mark.parametrize("make", NATIVE.values(), ids=NATIVE.keys())
def test_a_native_config_on_the_same_target_is_refused_in_either_order(
    make: Callable[[cdk.Stack], Native], ours_first: bool
) -> None:
    # GIVEN a native config and ours on the same target, declared in either order
    stack = new_stack()
    native = make(stack)
    if not ours_first:
        native.declare()
    ours(stack, "Ours", native.target, **native.kwargs)
    if ours_first:
        native.declare()
    # WHEN
    error = synth_error(stack)
    # THEN
    assert native.path in error
    assert "Stack/Ours" in error
    assert COLLIDES in error


def test_a_function_in_another_stack_is_the_same_target() -> None:
    app = cdk.App()
    producer = new_stack(app, "Producer")
    fn = new_function(producer)
    fn.configure_async_invoke(retry_attempts=1)
    ours(new_stack(app, "Consumer"), "Ours", fn)

    error = synth_error(app)

    assert f"Producer/Fn/EventInvokeConfig and Consumer/Ours {COLLIDES}" in error


def test_the_same_name_in_two_environment_agnostic_stacks_of_one_stage_is_refused() -> None:
    app = cdk.App()
    ours(cdk.Stack(app, "A"), "Async", "orders:live")
    ours(cdk.Stack(app, "B"), "Async", "orders", qualifier="live")

    assert f"A/Async and B/Async {COLLIDES}" in synth_error(app)


def test_two_stages_with_one_account_and_region_are_refused() -> None:
    app = cdk.App()
    for name in ("Blue", "Green"):
        ours(new_stack(cdk.Stage(app, name), "Stack"), "Async", "orders")

    assert f"Blue/Stack/Async and Green/Stack/Async {COLLIDES}" in synth_error(app)


def _stage_pair(app: cdk.App) -> None:
    """The same stack, with a named function and a config on it, in two environment-agnostic
    Stages: each deploys to its own account."""
    for name in ("Beta", "Prod"):
        stack = cdk.Stack(cdk.Stage(app, name), "Service")
        fn = new_function(stack, function_name="orders")
        ours(stack, "Async", fn)
        ours(stack, "ByName", "orders", qualifier="live")
        ours(stack, "Imported", lambda_.Function.from_function_name(stack, "I", "payments"))


def _regions_and_accounts(app: cdk.App) -> None:
    """One name in stacks of different regions and accounts of one app."""
    for index, (account, region) in enumerate(
        [(ACCOUNT, REGION), (ACCOUNT, "eu-west-1"), ("210987654321", REGION)]
    ):
        stack = cdk.Stack(app, f"S{index}", env=cdk.Environment(account=account, region=region))
        ours(stack, "Async", "orders")


def _qualifiers(app: cdk.App) -> None:
    """One function, each qualifier once, spelled in different ways."""
    stack = new_stack(app)
    fn = new_function(stack, function_name="orders")
    ours(stack, "Unqualified", fn)
    ours(stack, "Live", ORDERS_ARN + ":live")
    ours(stack, "Blue", "orders", qualifier="blue")
    ours(stack, "Version", fn.current_version)
    ours(stack, "Other", "orders-archive")


@pytest.mark.parametrize("declare", [_stage_pair, _regions_and_accounts, _qualifiers])
def test_distinct_targets_synthesize(declare: Callable[[cdk.App], None]) -> None:
    # GIVEN configs whose targets differ by stage, account, region, function or qualifier
    app = cdk.App()
    declare(app)
    # WHEN / THEN
    app.synth()


def test_stage_synth_alone_still_checks_its_configs() -> None:
    # GIVEN a duplicate inside one Stage, synthesized through `Template.from_stack`
    stage = cdk.Stage(cdk.App(), "Beta")
    stack = new_stack(stage)
    ours(stack, "First", "orders")
    ours(stack, "Second", ORDERS_ARN)
    # WHEN / THEN
    with pytest.raises(RuntimeError, match=f"Beta/Stack/First and Beta/Stack/Second {COLLIDES}"):
        Template.from_stack(stack)


def test_a_token_function_is_warned_about_as_unchecked() -> None:
    # GIVEN a function name only known at deploy time
    stack = new_stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string
    ours(stack, "Async", name)
    ours(stack, "Known", "orders")
    # WHEN
    annotations = Annotations.from_stack(stack)
    # THEN the token config says what was not checked; the literal one does not
    annotations.has_warning(
        "/Stack/Async", Match.string_like_regexp("known only at deploy time: not checked")
    )
    annotations.has_no_warning("/Stack/Known", Match.any_value())


def _imported_version(stack: cdk.Stack) -> dict[str, object]:
    arn = cdk.Fn.import_value("version-arn")
    return {"function": lambda_.Version.from_version_arn(stack, "Imported", arn)}


def _token_qualifier(stack: cdk.Stack) -> dict[str, object]:
    return {"function": cdk.Fn.import_value("name"), "qualifier": cdk.Fn.import_value("alias")}


@pytest.mark.parametrize("arguments", [_imported_version, _token_qualifier])
def test_a_config_unchecked_in_two_parts_is_warned_about_once(
    arguments: Callable[[cdk.Stack], dict[str, object]],
) -> None:
    # GIVEN a config whose function and qualifier are both tokens, synthesized twice
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", **arguments(stack))  # type: ignore[arg-type]
    Template.from_stack(stack)
    # WHEN
    annotations = Annotations.from_stack(stack)
    # THEN one warning names both parts
    warnings = annotations.find_warning("*", Match.string_like_regexp("known only at deploy"))
    assert [str(warning.entry.data) for warning in warnings] == [
        "function and qualifier are known only at deploy time: not checked for another event "
        "invoke config of this app on the same function and qualifier. "
        "[ack: event-invoke-config:duplicate-check-incomplete]"
    ]


def test_the_same_token_twice_is_a_duplicate() -> None:
    stack = new_stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string
    ours(stack, "First", name)
    ours(stack, "Second", name)

    assert f"Stack/First and Stack/Second {COLLIDES}" in synth_error(stack)


def test_separate_apps_do_not_see_each_others_configs() -> None:
    for _ in range(2):
        stack = new_stack()
        ours(stack, "Async", "orders")
        Template.from_stack(stack)


def test_a_function_and_the_same_function_with_latest_are_one_target() -> None:
    stack = new_stack()
    fn = new_function(stack)
    ours(stack, "First", fn)
    ours(stack, "OnAlias", fn, qualifier="live")
    ours(stack, "Second", fn, qualifier="$LATEST")

    error = synth_error(stack)

    assert (
        f"Stack/First and Stack/Second {COLLIDES} the function Stack/Fn, qualifier $LATEST" in error
    )
    assert "OnAlias" not in error


def test_an_imported_arn_with_tokens_keeps_the_account_it_spells() -> None:
    # GIVEN a function of a named account, imported by an ARN whose partition is a token, in a
    # stack whose account is known only at deploy time (a known other account is refused)
    stack = cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(region=REGION))
    arn = stack.format_arn(
        service="lambda",
        account="210987654321",
        resource="function",
        resource_name="orders",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    ours(stack, "Imported", lambda_.Function.from_function_arn(stack, "I", arn))
    ours(stack, "Local", "orders")  # this stack's own `orders`: another function
    ours(stack, "Partial", "210987654321:function:orders")
    # WHEN
    error = synth_error(stack)
    # THEN
    assert f"Stack/Imported and Stack/Partial {COLLIDES} orders in 210987654321/{REGION}" in error
    assert "Stack/Local" not in error
