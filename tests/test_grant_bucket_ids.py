"""A bucket policy's logical id follows its content, however late a config is granted."""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk.assertions import Template
from constructs import Construct, IConstruct

from event_invoke_config import LambdaEventInvokeConfig

ORDERS = "arn:aws:lambda:us-east-1:123456789012:function:orders"


@jsii.implements(cdk.IAspect)
class _AddConfigAtSynth:
    """A user's aspect that declares a config while the app synthesizes, on visiting `marker`:
    a construct created after the provider, so visited after it."""

    def __init__(self, stack: cdk.Stack, marker: Construct) -> None:
        self._stack = stack
        self._marker = marker

    def visit(self, node: IConstruct) -> None:
        if node is self._marker:
            LambdaEventInvokeConfig(self._stack, "Late", function=f"{ORDERS}-late")


def bucket_ids(*, late_by_aspect: bool) -> set[str]:
    """The bucket policies of a stack of three configs, the last one declared directly or by an
    aspect that runs after the grants have named their buckets."""
    stack = cdk.Stack(cdk.App(), "Grants")
    for index in range(2):
        LambdaEventInvokeConfig(stack, f"Config{index}", function=f"{ORDERS}-{index}")
    if late_by_aspect:
        marker = Construct(stack, "Marker")
        cdk.Aspects.of(stack).add(_AddConfigAtSynth(stack, marker))
    else:
        LambdaEventInvokeConfig(stack, "Late", function=f"{ORDERS}-late")
    return set(Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy"))


def test_a_config_granted_after_the_buckets_are_named_renames_its_bucket() -> None:
    # GIVEN the same three configs, the third declared directly or by a late aspect
    direct = bucket_ids(late_by_aspect=False)
    late = bucket_ids(late_by_aspect=True)

    # THEN the bucket policies have the same content ids either way
    assert late == direct
    # and the third config's grant changed an id: it is not the id of two configs' content
    assert direct != bucket_ids_of_two()


def bucket_ids_of_two() -> set[str]:
    stack = cdk.Stack(cdk.App(), "Grants")
    for index in range(2):
        LambdaEventInvokeConfig(stack, f"Config{index}", function=f"{ORDERS}-{index}")
    return set(Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy"))
