"""The provider behind the construct: one per stack, its runtime, its limits and its grants."""

from __future__ import annotations

import json
import re

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from app import EXPORT_NAME_CONTEXT, SERVICE_TOKEN_EXPORT, ProviderStack
from event_invoke_config import RESOURCE_TYPE, EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config.provider import CONFIG_ACTIONS, RUNTIME, STACK_READ_ACTIONS
from offline_cloud.template import load_template
from tests.grant_resolver import grant_resolver
from tests.support import (
    RELEASED,
    config_access_resources,
    logical_id,
    new_function,
    new_stack,
    statement_resources,
    synth_error,
    upgrade_app,
)


def test_one_provider_per_stack_whatever_the_number_of_configs() -> None:
    stack = new_stack()
    for index in range(3):
        LambdaEventInvokeConfig(stack, f"Async{index}", function=new_function(stack, f"Fn{index}"))

    template = Template.from_stack(stack)

    template.resource_count_is(RESOURCE_TYPE, 3)
    template.resource_properties_count_is("AWS::Lambda::Function", {"Runtime": RUNTIME.name}, 4)
    providers = template.find_resources(
        "AWS::Lambda::Function",
        {"Properties": {"Handler": Match.string_like_regexp("event_invoke_config_provider")}},
    )
    assert len(providers) == 1


def test_the_provider_runs_the_newest_python_aws_cdk_lib_offers() -> None:
    def version(name: str) -> tuple[int, ...]:
        return tuple(int(part) for part in name.split("_")[1:])

    offered = [name for name in dir(lambda_.Runtime) if re.fullmatch(r"PYTHON_\d+_\d+", name)]

    assert max(offered, key=version) == "PYTHON_" + RUNTIME.name.removeprefix("python").replace(
        ".", "_"
    )


def test_the_provider_may_touch_only_the_target_functions() -> None:
    stack = new_stack()
    fn = new_function(stack)
    LambdaEventInvokeConfig(stack, "Unqualified", function=fn)
    LambdaEventInvokeConfig(stack, "Alias", function=fn, qualifier="live")
    LambdaEventInvokeConfig(stack, "ByName", function="orders")

    template = Template.from_stack(stack)
    resources = config_access_resources(template)

    fn_arn = {"Fn::GetAtt": [logical_id(fn), "Arn"]}
    orders = {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":lambda:us-east-1:123456789012:function:orders"],
        ]
    }
    assert resources == sorted(
        [fn_arn, {"Fn::Join": ["", [fn_arn, ":live"]]}, orders], key=json.dumps
    ), "each config's own ARN: the function's, or the alias's alone"
    assert "*" not in resources
    # its own logs, and nothing else
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": {
                                    "Fn::GetAtt": [Match.string_like_regexp("ProviderLogs"), "Arn"]
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_the_provider_itself_is_never_retried_nor_run_late() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", function="orders")

    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": Match.string_like_regexp("EventInvokeConfigProviderHandler")},
            "MaximumRetryAttempts": 0,
            "MaximumEventAgeInSeconds": 120,
        },
    )


def test_a_token_name_with_a_qualifier_grants_the_qualified_arn() -> None:
    stack = new_stack()
    name = cdk.CfnParameter(stack, "Name").value_as_string

    LambdaEventInvokeConfig(stack, "Async", function=f"{name}:live")

    template = Template.from_stack(stack)
    (granted,) = config_access_resources(template)
    assert granted["Fn::Join"][1][-1] == ":live"
    resolve = grant_resolver(dict(template.to_json()), {}, {"Name": "orders"})
    assert resolve(granted).endswith(":function:orders:live")


def test_a_qualifier_known_only_at_deploy_time_may_be_latest_so_both_arns_are_granted() -> None:
    stack = new_stack()
    qualifier = cdk.CfnParameter(stack, "Qualifier").value_as_string

    LambdaEventInvokeConfig(stack, "Async", function="orders", qualifier=qualifier)

    unqualified, qualified = config_access_resources(Template.from_stack(stack))
    assert unqualified["Fn::Join"][1][-1].endswith(":function:orders")
    assert qualified["Fn::Join"][1][-2].endswith(":function:orders:")
    assert qualified["Fn::Join"][1][-1] == {"Ref": "Qualifier"}


def test_a_version_of_the_app_is_granted_by_its_number_only() -> None:
    stack = new_stack()
    fn = new_function(stack)

    LambdaEventInvokeConfig(stack, "Async", function=fn.current_version)

    template = Template.from_stack(stack)
    (granted,) = config_access_resources(template)
    (version,) = template.find_resources("AWS::Lambda::Version")
    assert granted == {
        "Fn::Join": [
            "",
            [{"Fn::GetAtt": [logical_id(fn), "Arn"]}, ":", {"Fn::GetAtt": [version, "Version"]}],
        ]
    }


def test_a_function_arn_token_is_granted_as_that_arn() -> None:
    stack = new_stack()
    fn = new_function(stack)

    LambdaEventInvokeConfig(stack, "Async", function=fn.function_arn)

    assert config_access_resources(Template.from_stack(stack)) == [
        {"Fn::GetAtt": [logical_id(fn), "Arn"]}
    ]


def test_the_provider_may_read_its_config_and_only_its_own_stack() -> None:
    # GIVEN
    stack = new_stack()
    # WHEN
    LambdaEventInvokeConfig(stack, "Async", function="orders")
    # THEN the ownership check may read the config before writing it
    template = Template.from_stack(stack)
    assert "lambda:GetFunctionEventInvokeConfig" in CONFIG_ACTIONS
    assert len(config_access_resources(template)) == 1
    # and may list the resources and read the status of its own stack, nothing else
    assert statement_resources(template, STACK_READ_ACTIONS) == [{"Ref": "AWS::StackId"}]


def test_a_provider_serving_other_stacks_reads_the_stacks_it_is_given() -> None:
    # GIVEN a provider-only stack, as app.py declares it for plain templates
    app = cdk.App()
    stack = ProviderStack(app, "Provider", function_names=["async-*"])
    # WHEN
    template = Template.from_stack(stack)
    # THEN it reads the stacks of its own account and region, and still only those
    own_region_stacks = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":cloudformation:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":stack/*",
            ],
        ]
    }
    resources = statement_resources(template, STACK_READ_ACTIONS)
    assert sorted(resources, key=str) == sorted(
        [{"Ref": "AWS::StackId"}, own_region_stacks], key=str
    )


def export_names(app: cdk.App, *stack_ids: str) -> list[str]:
    names = []
    for stack_id in stack_ids:
        stack = ProviderStack(app, stack_id, function_names=["async-*"])
        outputs = Template.from_stack(stack).find_outputs("ServiceToken")
        names.append(outputs["ServiceToken"]["Export"]["Name"])
    return names


def test_the_provider_stack_exports_its_service_token_under_the_context_name() -> None:
    # GIVEN the default, and a second provider app with its own export name
    assert export_names(cdk.App(), "Provider") == [SERVICE_TOKEN_EXPORT]
    other = cdk.App(context={EXPORT_NAME_CONTEXT: "TeamBEventInvokeConfigServiceToken"})
    # THEN both can live in one account and region
    assert export_names(other, "ProviderB") == ["TeamBEventInvokeConfigServiceToken"]


def test_the_role_policy_has_a_logical_id_of_its_own_not_0_1_0s_default_policy() -> None:
    """0.1.0 kept the config grants in the role's DefaultPolicy: under the same logical id an
    upgrade would update it in place, before the cleanup Deletes that need them."""
    released = load_template(RELEASED["0.1.0"], "Upgrade")["Resources"]
    [released_policy] = [k for k, v in released.items() if v["Type"] == "AWS::IAM::Policy"]

    template = Template.from_stack(upgrade_app({"Removed": "A", "Moved": "B", "Kept": "C"}))

    # The new id, pinned: changing it again would replace the policy in every stack.
    policy = "EventInvokeConfigProviderRoleB386F2C1Policy"
    assert list(template.find_resources("AWS::IAM::Policy")) == [policy]
    assert policy != released_policy
    template.has_resource(
        "AWS::Lambda::Function",
        {
            "DependsOn": Match.array_with([policy]),
            "Properties": {"Handler": Match.string_like_regexp("event_invoke_config_provider")},
        },
    )
    # Every other resource of 0.1.0's stack keeps its logical id: none is replaced.
    assert set(released) - set(template.to_json()["Resources"]) == {released_policy}


def test_a_shared_provider_that_cannot_read_the_stacks_it_serves_fails_the_synth() -> None:
    # GIVEN a provider that serves other stacks' functions, without the stack-read grant
    stack = new_stack()
    EventInvokeConfigProvider.of(stack).allow_function_names(["orders-*"])
    # WHEN
    error = synth_error(stack)
    # THEN the error names the provider and the call that fixes it
    assert "Stack/EventInvokeConfigProvider serves other stacks (allow_function_names)" in error
    assert 'allow_stack_reads(stack.format_arn(service="cloudformation"' in error


def test_a_shared_provider_with_the_stack_read_grant_synthesizes_it() -> None:
    stack = new_stack()
    provider = EventInvokeConfigProvider.of(stack)
    provider.allow_function_names(["orders-*"])
    reads = stack.format_arn(service="cloudformation", resource="stack", resource_name="*")

    provider.allow_stack_reads(reads)

    resources = statement_resources(Template.from_stack(stack), STACK_READ_ACTIONS)
    assert stack.resolve(reads) in resources
