"""The provider's options (logs, memory, VPC), set once per stack, and an existing ServiceToken."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template

from event_invoke_config import (
    RESOURCE_TYPE,
    EventInvokeConfigProvider,
    LambdaEventInvokeConfig,
    ProviderOptions,
)
from event_invoke_config.provider import DEFAULT_LOG_RETENTION, VPC_ACCESS_POLICY
from tests.support import new_function, new_stack

PROVIDER_HANDLER = {"Handler": Match.string_like_regexp("event_invoke_config_provider")}


def provider_function(template: Template) -> dict[str, Any]:
    (function,) = template.find_resources(
        "AWS::Lambda::Function", {"Properties": PROVIDER_HANDLER}
    ).values()
    return dict(function)


def with_configs(stack: cdk.Stack, count: int = 1) -> Template:
    for index in range(count):
        LambdaEventInvokeConfig(stack, f"Async{index}", function=f"orders-{index}")
    return Template.from_stack(stack)


def test_the_defaults_keep_logs_a_month_retained_at_256_mb_outside_any_vpc() -> None:
    template = with_configs(new_stack())

    (log_group,) = template.find_resources("AWS::Logs::LogGroup").values()
    assert log_group["Properties"]["RetentionInDays"] == 30
    assert log_group["DeletionPolicy"] == "Retain"
    properties = provider_function(template)["Properties"]
    assert properties["MemorySize"] == 256
    assert "VpcConfig" not in properties


def test_log_retention_and_removal_policy_reach_the_log_group() -> None:
    stack = new_stack()
    EventInvokeConfigProvider.of(
        stack,
        log_retention=logs.RetentionDays.ONE_WEEK,
        log_removal_policy=cdk.RemovalPolicy.DESTROY,
    )

    template = with_configs(stack)

    (log_group,) = template.find_resources("AWS::Logs::LogGroup").values()
    assert log_group["Properties"]["RetentionInDays"] == 7
    assert log_group["DeletionPolicy"] == "Delete"


def test_memory_size_reaches_the_function() -> None:
    stack = new_stack()
    EventInvokeConfigProvider.of(stack, memory_size=512)

    assert provider_function(with_configs(stack))["Properties"]["MemorySize"] == 512


def test_in_a_vpc_the_provider_gets_the_subnets_and_eni_access_and_one_bucket_less() -> None:
    # GIVEN a VPC with isolated subnets beside the private ones
    stack = new_stack()
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    # WHEN
    EventInvokeConfigProvider.of(stack, vpc=vpc, vpc_subnets=isolated)
    template = with_configs(stack, count=40)
    # THEN it runs in the chosen subnets
    subnet_ids = provider_function(template)["Properties"]["VpcConfig"]["SubnetIds"]
    assert subnet_ids == [
        {"Ref": stack.get_logical_id(subnet.node.default_child)}  # type: ignore[arg-type]
        for subnet in vpc.isolated_subnets
    ]
    # and its role may manage network interfaces, through AWS's policy for exactly that
    (role,) = template.find_resources(
        "AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("event invoke")}}
    ).values()
    (managed,) = role["Properties"]["ManagedPolicyArns"]
    assert managed["Fn::Join"][1][-1].endswith(VPC_ACCESS_POLICY)
    # and with old and new grant policies attached at an update's peak it stays within 10
    buckets = template.find_resources("AWS::IAM::ManagedPolicy")
    assert len(buckets) == 4
    assert 1 + 2 * len(buckets) <= 10


def test_without_a_vpc_the_grants_use_five_buckets() -> None:
    assert len(with_configs(new_stack(), count=40).find_resources("AWS::IAM::ManagedPolicy")) == 5


def test_subnets_without_a_vpc_are_refused() -> None:
    with pytest.raises(ValueError, match="vpc_subnets needs vpc"):
        EventInvokeConfigProvider.of(
            new_stack(), vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
        )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"memory_size": "512"},
            TypeError,
            "memory_size must be one of \\(int, float, NoneType\\)",
        ),
        ({"memory_size": True}, TypeError, "memory_size must be one of .*; got bool"),
        ({"memory_size": 64}, ValueError, "memory_size must be a whole number from 128 to 10240"),
        ({"memory_size": 512.5}, ValueError, "memory_size must be a whole number from 128"),
        ({"memory_size": float("nan")}, ValueError, "memory_size must be a whole number"),
        (
            {"log_retention": 30},
            TypeError,
            "log_retention must be one of \\(aws_cdk.aws_logs.RetentionDays, NoneType\\)",
        ),
        ({"log_group": "logs"}, TypeError, "unexpected keyword argument 'log_group'"),
        ({"log_removal_policy": "destroy"}, TypeError, "log_removal_policy must be"),
        ({"vpc": "vpc-1234"}, TypeError, "type of argument vpc must be"),
    ],
)
def test_options_are_type_and_range_checked(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        EventInvokeConfigProvider.of(new_stack(), **options)


def test_options_as_a_dataclass_equal_the_keyword_arguments() -> None:
    # GIVEN the same options given both ways, a whole float among them, as jsii allows
    stack = new_stack()
    built = EventInvokeConfigProvider(stack, "Own", ProviderOptions(memory_size=512.0))
    # THEN the defaults are filled in, and `of` compares field by field
    assert built.options == ProviderOptions(log_retention=DEFAULT_LOG_RETENTION, memory_size=512)
    assert built.options.memory_size == 512 and isinstance(built.options.memory_size, int)
    assert provider_function(Template.from_stack(stack))["Properties"]["MemorySize"] == 512


def test_an_option_the_stacks_provider_does_not_have_is_refused_not_ignored() -> None:
    # GIVEN a stack whose provider came with its first config, with the defaults
    stack = new_stack()
    with_configs(stack)
    # WHEN options are asked for afterwards
    with pytest.raises(ValueError) as raised:
        EventInvokeConfigProvider.of(stack, memory_size=512, log_retention=None)
    # THEN the message names the option, both values and where to give it
    message = str(raised.value)
    assert (
        "Stack/EventInvokeConfigProvider exists with other options than memory_size=512" in message
    )
    assert "(it has 256)" in message
    assert "before the stack's first config" in message


def test_the_same_options_again_give_the_same_provider() -> None:
    stack = new_stack()
    first = EventInvokeConfigProvider.of(stack, memory_size=512)
    LambdaEventInvokeConfig(stack, "Async", function="orders")

    assert EventInvokeConfigProvider.of(stack, memory_size=512) is first
    assert EventInvokeConfigProvider.of(stack) is first
    with pytest.raises(ValueError, match=r"memory_size=1024 \(it has 512\)"):
        EventInvokeConfigProvider.of(stack, memory_size=1024)


def test_with_an_existing_service_token_the_stack_gets_no_provider_and_no_grant() -> None:
    # GIVEN
    stack = new_stack()
    fn = new_function(stack)
    token = cdk.Fn.import_value("LambdaEventInvokeConfigServiceToken")
    # WHEN
    LambdaEventInvokeConfig(stack, "Async", function=fn, retry_attempts=0, service_token=token)
    # THEN the config goes to the shared provider, and nothing here grants it anything
    template = Template.from_stack(stack)
    (config,) = template.find_resources(RESOURCE_TYPE).values()
    assert config["Properties"]["ServiceToken"] == {
        "Fn::ImportValue": "LambdaEventInvokeConfigServiceToken"
    }
    assert "DependsOn" not in config
    assert stack.node.try_find_child(EventInvokeConfigProvider.ID) is None
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)
    template.resource_count_is("AWS::Logs::LogGroup", 0)
    assert not [
        policy
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if "lambda:PutFunctionEventInvokeConfig" in str(policy)
    ]


def test_a_service_token_must_be_a_string() -> None:
    with pytest.raises(
        TypeError, match=r"type of argument service_token must be one of \(str, NoneType\)"
    ):
        LambdaEventInvokeConfig(new_stack(), "Async", function="orders", service_token=42)  # type: ignore[arg-type]
