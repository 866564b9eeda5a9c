"""The L2 conventions a CDK user reaches for: removal policies, exported errors, fixes in errors."""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk.assertions import Template
from constructs import IConstruct

import event_invoke_config
from event_invoke_config import RESOURCE_TYPE, InvalidPropertyError, LambdaEventInvokeConfig
from tests.support import new_function, new_stack, synth_error


@jsii.implements(cdk.IAspect)
class _RetainEverything:
    """An Aspect that applies RETAIN to every CloudFormation resource."""

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, cdk.CfnResource):
            node.apply_removal_policy(cdk.RemovalPolicy.RETAIN)


def _by_parameter(config: LambdaEventInvokeConfig, policy: cdk.RemovalPolicy) -> None:
    """Nothing more: the config was built with `removal_policy=policy`."""


_WAYS: dict[str, Callable[[LambdaEventInvokeConfig, cdk.RemovalPolicy], None]] = {
    "removal_policy=": _by_parameter,
    "apply_removal_policy": lambda config, policy: config.apply_removal_policy(policy),
    "on the default child": lambda config, policy: config.resource.apply_removal_policy(policy),
    "RemovalPolicies.of": lambda config, policy: cdk.RemovalPolicies.of(config).apply(policy),
    "an Aspect": lambda config, _policy: cdk.Aspects.of(config).add(_RetainEverything()),
}


@pytest.mark.parametrize("way", list(_WAYS))
@pytest.mark.parametrize(
    ("policy", "deletion"),
    [
        (cdk.RemovalPolicy.RETAIN, "Retain"),
        (cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, "RetainExceptOnCreate"),
        (cdk.RemovalPolicy.DESTROY, "Delete"),
    ],
)
def test_deletion_policy_follows_the_user_and_a_move_always_deletes_the_old_config(
    way: str, policy: cdk.RemovalPolicy, deletion: str
) -> None:
    # GIVEN a config whose removal policy is set one way
    stack = new_stack()
    chosen = policy if way == "removal_policy=" else None
    config = LambdaEventInvokeConfig(stack, "Async", function="orders", removal_policy=chosen)
    _WAYS[way](config, policy)
    # WHEN
    (written,) = Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()
    # THEN DeletionPolicy is the user's (an Aspect applies RETAIN), UpdateReplacePolicy Delete
    expected = "Retain" if way == "an Aspect" else deletion
    assert (written["DeletionPolicy"], written["UpdateReplacePolicy"]) == (expected, "Delete")


def test_without_a_removal_policy_only_update_replace_policy_delete_is_written() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", function="orders")

    (config,) = Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()
    assert "DeletionPolicy" not in config and config["UpdateReplacePolicy"] == "Delete"


def test_snapshot_and_wrong_types_are_refused_naming_the_allowed_values() -> None:
    stack = new_stack()
    config = LambdaEventInvokeConfig(stack, "Async", function="orders")

    with pytest.raises(ValueError, match=r"Stack/Async: removal policy SNAPSHOT .* use RETAIN"):
        config.apply_removal_policy(cdk.RemovalPolicy.SNAPSHOT)
    with pytest.raises(TypeError, match="argument removal_policy must be one of"):
        LambdaEventInvokeConfig(stack, "Other", function="billing", removal_policy="RETAIN")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["InvalidPropertyError", "GrantCapacityError", "AllowListError"])
def test_every_error_the_construct_raises_for_users_is_exported(name: str) -> None:
    error = getattr(event_invoke_config, name)

    assert name in event_invoke_config.__all__
    assert issubclass(error, ValueError)


def test_a_destination_error_lists_the_kinds_in_a_sentence() -> None:
    with pytest.raises(InvalidPropertyError) as raised:
        LambdaEventInvokeConfig(
            new_stack(),
            "Async",
            function="orders",
            on_failure="arn:aws:dynamodb:us-east-1:123456789012:table/t",
        )

    assert "an EventBridge event bus, or an S3 bucket; got" in str(raised.value)


def test_a_native_config_beside_ours_points_to_the_migration_recipe() -> None:
    # GIVEN the construct and a native config of one function
    stack = new_stack()
    fn = new_function(stack)
    fn.configure_async_invoke(retry_attempts=1)
    LambdaEventInvokeConfig(stack, "Async", function=fn)
    # WHEN
    error = synth_error(stack)
    # THEN the error says how to fix it
    assert "Remove one. To replace the native config with this construct" in error
    assert "'Moving from AWS::Lambda::EventInvokeConfig'" in error


def test_two_of_ours_on_one_target_suggest_removing_one() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "One", function="orders")
    LambdaEventInvokeConfig(stack, "Two", function="orders")

    assert "Remove one, or give them different functions or qualifiers." in synth_error(stack)
