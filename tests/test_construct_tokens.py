"""A function given as a token string that CloudFormation resolves to a name or to an ARN.

CDK cannot tell at synth time whether an import, a parameter or an SSM value holds a function's
name or its ARN. Both work: the provider reads either, and the grant takes the name out of
either at deploy time. The grants are resolved here with the offline engine's resolver.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from event_invoke_config import RESOURCE_TYPE, LambdaEventInvokeConfig
from offline_cloud.fake_aws import ACCOUNT, REGION
from tests.grant_resolver import grant_resolver
from tests.support import config_access_resources

ORDERS = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
EXPORT = "OrdersFunction"
ENDS_IN_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function"


def granted(
    stack: cdk.Stack, exports: dict[str, str] | None = None, **parameters: str
) -> list[Any]:
    """The ARNs the config grant names, as CloudFormation resolves them."""
    template = Template.from_stack(stack)
    resolver = grant_resolver(dict(template.to_json()), exports or {}, parameters)
    return [resolver(arn) for arn in config_access_resources(template)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("orders", [ORDERS]),
        (ORDERS, [ORDERS]),
        (f"{ACCOUNT}:function:orders", [ORDERS]),
        (f"{ORDERS}:live", [f"{ORDERS}:live"]),
        ("orders:live", [f"{ORDERS}:live"]),
        # a name that ends in "function", and one that is "function"
        ("my-function:prod", [f"{ENDS_IN_FUNCTION}:prod"]),
        (f"{ACCOUNT}:function:my-function:prod", [f"{ENDS_IN_FUNCTION}:prod"]),
        (f"{ENDS_IN_FUNCTION}:prod", [f"{ENDS_IN_FUNCTION}:prod"]),
        ("my-function:$LATEST.PUBLISHED", [f"{ENDS_IN_FUNCTION}:$LATEST.PUBLISHED"]),
        (f"{ENDS_IN_FUNCTION}:$LATEST", [ENDS_IN_FUNCTION]),
        (f"{ACCOUNT}:function:function:live", [f"{ORDERS[: -len('orders')]}function:live"]),
    ],
)
def test_an_imported_name_or_arn_is_granted_the_function_it_resolves_to(
    value: str, expected: list[str]
) -> None:
    # GIVEN a config on an import that holds a name or an ARN (CDK cannot tell which)
    stack = cdk.Stack(cdk.App(), "Stack")
    LambdaEventInvokeConfig(stack, "Async", function=cdk.Fn.import_value(EXPORT))
    # WHEN CloudFormation resolves the grant
    # THEN it is the function's ARN, whichever form the import held
    assert granted(stack, {EXPORT: value}) == expected


@pytest.mark.parametrize("value", ["orders", ORDERS])
def test_a_parameter_with_a_qualifier_beside_it_is_granted_the_qualified_arn(value: str) -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    name = cdk.CfnParameter(stack, "Worker").value_as_string

    LambdaEventInvokeConfig(stack, "Async", function=name, qualifier="live")

    assert granted(stack, Worker=value) == [f"{ORDERS}:live"]


def test_the_template_passes_the_token_to_the_provider_as_given() -> None:
    stack = cdk.Stack(cdk.App(), "Stack")

    LambdaEventInvokeConfig(stack, "Async", function=cdk.Fn.import_value(EXPORT))

    Template.from_stack(stack).has_resource_properties(
        RESOURCE_TYPE, {"FunctionName": {"Fn::ImportValue": EXPORT}}
    )
