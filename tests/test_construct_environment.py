"""A config's function must be in the provider's account and region: refused at synth if known."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match

from event_invoke_config import InvalidPropertyError, LambdaEventInvokeConfig
from event_invoke_config_provider.function_ref import Environment
from event_invoke_config_provider.properties import FUNCTION_NAME, parse_properties
from tests.support import ORDERS_ARN, new_function, new_stack

OTHER_ACCOUNT = ORDERS_ARN.replace(":123456789012:", ":210987654321:")
OTHER_REGION = ORDERS_ARN.replace(":us-east-1:", ":eu-west-1:")
WARNING = "event-invoke-config:function-environment-unchecked"


def provider_refusal(function_name: str) -> str:
    """What the provider says at deploy time, in its own account and region."""
    request = parse_properties({FUNCTION_NAME: function_name})
    with pytest.raises(InvalidPropertyError) as raised:
        request.config_id(Environment("aws", "us-east-1", "123456789012"))
    return str(raised.value)


@pytest.mark.parametrize("arn", [OTHER_ACCOUNT, OTHER_REGION, OTHER_ACCOUNT + ":live"])
def test_an_arn_elsewhere_is_refused_with_the_providers_words(arn: str) -> None:
    with pytest.raises(InvalidPropertyError) as raised:
        LambdaEventInvokeConfig(new_stack(), "Async", function=arn)

    expected = provider_refusal(arn).replace(FUNCTION_NAME, "function", 1)
    assert str(raised.value).startswith(expected)
    assert str(raised.value).endswith(
        f"Declare Stack/Async in a stack of {arn.split(':')[4]}/{arn.split(':')[3]}: a provider "
        "acts in its own stack's account and region."
    )
    assert str(raised.value).startswith(
        "function must be a function in the provider's account 123456789012 and region us-east-1"
    )


def test_a_partial_arn_of_another_account_is_refused() -> None:
    with pytest.raises(InvalidPropertyError, match=r"provider's account 123456789012 .*got 2109"):
        LambdaEventInvokeConfig(new_stack(), "Async", function="210987654321:function:orders")


@pytest.mark.parametrize("arn", [OTHER_ACCOUNT, OTHER_REGION])
def test_a_function_imported_from_elsewhere_is_refused(arn: str) -> None:
    stack = new_stack()
    imported = lambda_.Function.from_function_arn(stack, "Imported", arn)

    where = f"{arn.split(':')[4]}/{arn.split(':')[3]}"

    with pytest.raises(
        InvalidPropertyError,
        match=f"provider's account .*; got Stack/Imported in {where}\\. Declare Stack/Async in",
    ):
        LambdaEventInvokeConfig(stack, "Async", function=imported)


def test_a_function_of_a_stack_in_another_environment_is_named_by_path_and_environment() -> None:
    # GIVEN a function of a stack in another account and region, in a Stage
    app = cdk.App()
    stage = cdk.Stage(app, "Prod", env=cdk.Environment(account="222222222222", region="us-east-1"))
    fn = new_function(cdk.Stack(stage, "Producer"))
    consumer = cdk.Stack(
        stage, "Consumer", env=cdk.Environment(account="222222222222", region="eu-west-1")
    )
    # WHEN / THEN the message names both by path and environment, and no token
    with pytest.raises(InvalidPropertyError) as raised:
        LambdaEventInvokeConfig(consumer, "Async", function=fn)
    message = str(raised.value)
    assert "got Prod/Producer/Fn in 222222222222/us-east-1." in message
    assert "region eu-west-1;" in message
    assert "Declare Prod/Consumer/Async in a stack of 222222222222/us-east-1" in message
    assert "${Token" not in message


def test_functions_of_the_stacks_own_account_and_region_pass_without_warning() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Arn", function=ORDERS_ARN + "-a")
    LambdaEventInvokeConfig(stack, "Partial", function="123456789012:function:orders-b")
    LambdaEventInvokeConfig(stack, "Name", function="orders-c")
    LambdaEventInvokeConfig(stack, "Own", function=new_function(stack))
    imported = lambda_.Function.from_function_arn(stack, "Imported", ORDERS_ARN + "-d")
    LambdaEventInvokeConfig(stack, "ImportedAsync", function=imported)

    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp(WARNING))


@pytest.mark.parametrize("form", ["arn", "partial arn", "imported"])
def test_in_an_environment_agnostic_stack_a_named_account_is_a_warning(form: str) -> None:
    # GIVEN a stack whose account and region are known only at deploy time
    stack = cdk.Stack(cdk.App(), "Agnostic")
    function: lambda_.IFunction | str = {
        "arn": OTHER_ACCOUNT,
        "partial arn": "210987654321:function:orders",
        "imported": "",
    }[form] or lambda_.Function.from_function_arn(stack, "Imported", OTHER_ACCOUNT)
    # WHEN
    LambdaEventInvokeConfig(stack, "Async", function=function)
    LambdaEventInvokeConfig(stack, "ByName", function="orders-b")
    # THEN the named account is reported, once, on that config
    annotations = Annotations.from_stack(stack)
    warnings = annotations.find_warning("*", Match.string_like_regexp(WARNING))
    assert [warning.id for warning in warnings] == ["/Agnostic/Async"]
    assert "account 210987654321" in str(warnings[0].entry.data)


def test_a_part_of_the_stacks_environment_unknown_at_synth_reads_unknown_not_a_token() -> None:
    # GIVEN a stack whose account is known and whose region is not
    stack = cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account="123456789012"))
    # WHEN a function of another account is configured
    with pytest.raises(InvalidPropertyError) as raised:
        LambdaEventInvokeConfig(stack, "Async", function=OTHER_ACCOUNT)
    # THEN
    assert "account 123456789012 and region (unknown); got" in str(raised.value)
    assert "${Token" not in str(raised.value)
