"""The shared provider's allow-list: the forms it accepts, the entries it refuses, the ARNs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from app import ProviderStack, build_app
from event_invoke_config.allow_list import (
    CONTEXT_KEY,
    AllowListError,
    function_arns,
    parse_function_names,
)
from event_invoke_config.grants import CONFIG_ACTIONS as ACTIONS
from tests.support import ENVIRONMENT, statement_resources

FUNCTION_PREFIX = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.mark.parametrize(
    "value",
    [
        ["orders-*", "billing"],
        ("orders-*", "billing"),
        '["orders-*", "billing"]',
        "orders-*,billing",
        " orders-* , billing ",
        "orders-*,billing,orders-*",
    ],
    ids=["list", "tuple", "json", "commas", "spaces", "repeat"],
)
def test_every_form_gives_the_same_names_in_order(value: object) -> None:
    assert parse_function_names(value) == ["orders-*", "billing"]


def test_a_single_pattern_string_is_one_entry_not_its_characters() -> None:
    assert parse_function_names("orders-*") == ["orders-*"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("*", "entry 1 ('*') starts with a wildcard"),
        (["orders", "**"], "entry 2 ('**') starts with a wildcard"),
        ("*-*", "starts with a wildcard"),
        ("?*", "starts with a wildcard"),
        ("*-async", "starts with a wildcard"),
        ("orders,,billing", "entry 2 is empty"),
        ([""], "entry 1 is empty"),
        ('["orders", 5]', "entry 2 is a int, not a string"),
        ([None], "entry 1 is a NoneType, not a string"),
        ("[]", "the list is empty"),
        ([], "the list is empty"),
        (None, "expected a list or a string; got NoneType"),
        ({"orders": True}, "expected a list or a string; got dict"),
        ('["orders"', "is not a JSON list"),
        ('["orders"] x', "is not a JSON list"),
        ("orders:live", "entry 1 ('orders:live') is not a function name or pattern"),
        (FUNCTION_PREFIX + "orders", "is not a function name or pattern"),
        ("a" * 65, "is not a function name or pattern"),
        ("orders billing", "is not a function name or pattern"),
    ],
)
def test_a_refused_entry_is_named_with_the_key_and_what_is_allowed(
    value: object, problem: str
) -> None:
    with pytest.raises(AllowListError) as raised:
        parse_function_names(value)

    message = str(raised.value)
    assert message.startswith(f"{CONTEXT_KEY}: ")
    assert problem in message
    assert "Give a list of function names or name patterns" in message


def test_a_64_character_name_is_accepted() -> None:
    assert parse_function_names(["a" * 64]) == ["a" * 64]


def granted_resources(names: list[str]) -> Any:
    stack = cdk.Stack(
        cdk.App(), "Provider", env=cdk.Environment(account="123456789012", region="us-east-1")
    )
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["lambda:PutFunctionEventInvokeConfig"],
            resources=function_arns(stack, names),
        )
    )
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    return [
        as_deployed(arn)
        for arn in policy["Properties"]["PolicyDocument"]["Statement"][0]["Resource"]
    ]


def as_deployed(value: Any) -> str:
    """An ARN as the `aws` partition deploys it (`Fn::Join` over literals and AWS::Partition)."""
    if isinstance(value, str):
        return value
    if value == {"Ref": "AWS::Partition"}:
        return "aws"
    separator, parts = value["Fn::Join"]
    return str(separator).join(as_deployed(part) for part in parts)


def test_the_grant_names_exactly_the_given_functions_and_their_qualifiers() -> None:
    resources = granted_resources(parse_function_names("orders-*,billing"))

    assert resources == [
        FUNCTION_PREFIX + "orders-*",
        FUNCTION_PREFIX + "billing",
        FUNCTION_PREFIX + "billing:*",
    ]


def provider_stack_resources(value: object) -> list[str]:
    """The function ARNs the shared provider stack of app.py grants for `value`, as deployed."""
    stack = ProviderStack(cdk.App(), "Provider", function_names=value, env=ENVIRONMENT)
    return [as_deployed(arn) for arn in statement_resources(Template.from_stack(stack), ACTIONS)]


@pytest.mark.parametrize(
    "value",
    [["orders-*", "billing"], '["orders-*","billing"]', "orders-*,billing"],
    ids=["list", "json", "commas"],
)
def test_the_shared_provider_grants_exactly_the_names_given_in_every_form(value: object) -> None:
    assert provider_stack_resources(value) == [
        FUNCTION_PREFIX + "orders-*",
        FUNCTION_PREFIX + "billing",
        FUNCTION_PREFIX + "billing:*",
    ]


def test_the_shared_provider_grants_a_pattern_string_as_one_pattern() -> None:
    assert provider_stack_resources("orders-*") == [FUNCTION_PREFIX + "orders-*"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [("*", "starts with a wildcard"), ("orders,", "entry 2 is empty"), (None, "is not set")],
)
def test_the_app_refuses_an_allow_list_that_is_missing_or_grants_any_function(
    value: object, problem: str
) -> None:
    context = {} if value is None else {CONTEXT_KEY: value}

    with pytest.raises(AllowListError, match=problem):
        build_app(cdk.App(context=context))
