"""The L2 conventions a CDK user reaches for: removal policies, exported errors, fixes in errors."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import event_invoke_config
from event_invoke_config import RESOURCE_TYPE, InvalidPropertyError, LambdaEventInvokeConfig
from tests.support import new_function, new_stack, synth_error


@pytest.mark.parametrize(
    ("policy", "written"),
    [(cdk.RemovalPolicy.RETAIN, "Retain"), (cdk.RemovalPolicy.DESTROY, "Delete")],
)
def test_apply_removal_policy_and_the_parameter_write_the_same_policies(
    policy: cdk.RemovalPolicy, written: str
) -> None:
    # GIVEN one config with the parameter, one with the method
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "ByParameter", function="orders", removal_policy=policy)
    LambdaEventInvokeConfig(stack, "ByMethod", function="billing").apply_removal_policy(policy)
    # WHEN
    configs = Template.from_stack(stack).find_resources(RESOURCE_TYPE)
    # THEN both carry the policy CloudFormation reads, as every L2 writes it
    assert [(c["DeletionPolicy"], c["UpdateReplacePolicy"]) for c in configs.values()] == [
        (written, written),
        (written, written),
    ]


def test_without_a_removal_policy_none_is_written() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", function="orders")

    (config,) = Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()
    assert "DeletionPolicy" not in config and "UpdateReplacePolicy" not in config


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
