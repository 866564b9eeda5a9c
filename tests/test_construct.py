"""The construct's template: properties, targets, destinations and synth-time value checks."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from event_invoke_config import RESOURCE_TYPE, InvalidPropertyError, LambdaEventInvokeConfig
from event_invoke_config_provider.properties import ADOPT_EXISTING
from tests.support import (
    ORDERS_ARN,
    config_access_resources,
    logical_id,
    new_function,
    new_stack,
)


def test_a_function_in_the_stack_gets_the_native_property_names() -> None:
    # GIVEN
    stack = new_stack()
    fn = new_function(stack)
    queue = sqs.Queue(stack, "Failures")
    # WHEN
    LambdaEventInvokeConfig(
        stack,
        "Async",
        function=fn,
        retry_attempts=0,
        max_event_age=cdk.Duration.hours(1),
        on_failure=destinations.SqsDestination(queue),
    )
    # THEN
    template = Template.from_stack(stack)
    template.has_resource(
        RESOURCE_TYPE,
        {
            "Properties": {
                "ServiceToken": {"Fn::GetAtt": [Match.string_like_regexp("Provider"), "Arn"]},
                "ServiceTimeout": "300",
                "FunctionName": {"Fn::GetAtt": [logical_id(fn), "Arn"]},
                "MaximumRetryAttempts": 0,
                "MaximumEventAgeInSeconds": 3600,
                "DestinationConfig": {
                    "OnFailure": {"Destination": {"Fn::GetAtt": [Match.any_value(), "Arn"]}}
                },
            },
            "DependsOn": Match.array_with([Match.string_like_regexp("FnServiceRoleDefaultPolicy")]),
        },
    )
    assert (
        "Qualifier" not in next(iter(template.find_resources(RESOURCE_TYPE).values()))["Properties"]
    )
    # the function may send to the queue, as with the native L2
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": Match.array_with(["sqs:SendMessage"])})]
                )
            },
            "Roles": [{"Ref": Match.string_like_regexp("FnServiceRole")}],
        },
    )


def test_settings_not_given_are_not_in_the_template() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", function="orders")

    properties = next(iter(Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()))[
        "Properties"
    ]

    assert set(properties) == {"ServiceToken", "ServiceTimeout", "FunctionName"}


@pytest.mark.parametrize(
    ("function", "qualifier", "name", "qualifier_property", "granted_tail"),
    [
        ("orders", None, "orders", None, ":123456789012:function:orders"),
        ("orders:live", None, "orders:live", None, ":123456789012:function:orders:live"),
        ("orders", "live", "orders", "live", ":123456789012:function:orders:live"),
        ("orders", "$LATEST", "orders", "$LATEST", ":123456789012:function:orders"),
        (
            "123456789012:function:orders:7",
            None,
            "123456789012:function:orders:7",
            None,
            ":123456789012:function:orders:7",
        ),
        (ORDERS_ARN + ":live", None, ORDERS_ARN + ":live", None, None),
    ],
)
def test_every_string_form_of_a_target(
    function: str,
    qualifier: str | None,
    name: str,
    qualifier_property: str | None,
    granted_tail: str | None,
) -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", function=function, qualifier=qualifier)

    template = Template.from_stack(stack)
    properties = next(iter(template.find_resources(RESOURCE_TYPE).values()))["Properties"]
    (granted,) = config_access_resources(template)

    assert properties["FunctionName"] == name
    assert properties.get("Qualifier") == qualifier_property
    # exactly the ARN the provider's calls name: the version's or alias's, never the function's
    if granted_tail is None:
        assert granted == ORDERS_ARN + ":live"
    else:
        assert granted["Fn::Join"][1][-1].endswith(granted_tail)


def test_an_alias_gives_its_function_and_its_name_and_is_created_first() -> None:
    stack = new_stack()
    fn = new_function(stack)
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)

    LambdaEventInvokeConfig(stack, "Async", function=alias, retry_attempts=1)

    Template.from_stack(stack).has_resource(
        RESOURCE_TYPE,
        {
            "Properties": {
                "FunctionName": {"Fn::GetAtt": [logical_id(fn), "Arn"]},
                "Qualifier": "live",
            },
            "DependsOn": Match.array_with([logical_id(alias)]),
        },
    )
    fn_arn = {"Fn::GetAtt": [logical_id(fn), "Arn"]}
    assert config_access_resources(Template.from_stack(stack)) == [
        {"Fn::Join": ["", [fn_arn, ":live"]]},
    ]


def test_a_version_of_the_app_is_ordered_by_its_qualifier_s_getatt_not_a_depends_on() -> None:
    stack = new_stack()
    fn = new_function(stack)

    LambdaEventInvokeConfig(stack, "Async", function=fn.current_version)

    template = Template.from_stack(stack)
    (version,) = template.find_resources("AWS::Lambda::Version")
    config = next(iter(template.find_resources(RESOURCE_TYPE).values()))
    assert config["Properties"]["Qualifier"] == {"Fn::GetAtt": [version, "Version"]}
    assert version not in config.get("DependsOn", [])


def test_a_version_gives_its_function_and_its_number_and_the_policy_that_version() -> None:
    stack = new_stack()
    version = lambda_.Version.from_version_arn(stack, "V", ORDERS_ARN + ":3")

    LambdaEventInvokeConfig(stack, "Async", function=version)

    template = Template.from_stack(stack)
    properties = next(iter(template.find_resources(RESOURCE_TYPE).values()))["Properties"]
    assert properties["FunctionName"] == ORDERS_ARN
    assert properties["Qualifier"] == "3"
    assert config_access_resources(template) == [ORDERS_ARN + ":3"]


def test_attributes_are_tokens_for_the_resource_attributes() -> None:
    stack = new_stack()
    config = LambdaEventInvokeConfig(stack, "Async", function="orders")
    cdk.CfnOutput(stack, "Arn", value=config.function_arn)
    cdk.CfnOutput(stack, "Modified", value=config.last_modified)

    outputs = Template.from_stack(stack).find_outputs("*")
    logical_id = stack.get_logical_id(config.resource)

    assert outputs["Arn"]["Value"] == {"Fn::GetAtt": [logical_id, "FunctionArn"]}
    assert outputs["Modified"]["Value"] == {"Fn::GetAtt": [logical_id, "LastModified"]}


BAD_AT_SYNTH: list[tuple[str, dict[str, Any], str]] = [
    (
        "retries 3",
        {"retry_attempts": 3},
        "retry_attempts must be a whole number from 0 to 2; got 3.",
    ),
    (
        "retries -1",
        {"retry_attempts": -1},
        "retry_attempts must be a whole number from 0 to 2; got -1.",
    ),
    (
        "age 59 s",
        {"max_event_age": cdk.Duration.seconds(59)},
        "max_event_age (seconds) must be a whole number from 60 to 21600; got 59.",
    ),
    (
        "age over 6 h",
        {"max_event_age": cdk.Duration.seconds(21601)},
        "from 60 to 21600; got 21601.",
    ),
    (
        "age fraction",
        {"max_event_age": cdk.Duration.millis(90500)},
        "max_event_age (seconds) must be a whole number from 60 to 21600; got 90.5.",
    ),
    ("bad function", {"function": "my function"}, "function must be a function name"),
    (
        "bad qualifier",
        {"qualifier": "a/b"},
        "qualifier must be a version number, an alias name or $LATEST",
    ),
    (
        "two qualifiers",
        {"function": "orders:live", "qualifier": "blue"},
        "qualifier: the function carries the qualifier 'live' and 'blue' is given beside it",
    ),
    ("S3 ARN on success", {"on_success": "arn:aws:s3:::bucket"}, "on_success must be the ARN of"),
    (
        "foreign destination",
        {"on_failure": "arn:aws:dynamodb:us-east-1:123456789012:table/t"},
        "on_failure must be the ARN of",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "message"), [(k, m) for _, k, m in BAD_AT_SYNTH], ids=[i for i, _, _ in BAD_AT_SYNTH]
)
def test_known_bad_values_fail_at_synth_naming_the_parameter(
    kwargs: dict[str, Any], message: str
) -> None:
    stack = new_stack()
    arguments: dict[str, Any] = {"function": "orders", **kwargs}

    with pytest.raises(InvalidPropertyError) as raised:
        LambdaEventInvokeConfig(stack, "Async", **arguments)

    assert message in str(raised.value)


def test_an_s3_destination_object_is_refused_on_success() -> None:
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")

    with pytest.raises(InvalidPropertyError, match="on_success cannot be an S3 bucket"):
        LambdaEventInvokeConfig(
            stack, "Async", function="orders", on_success=destinations.S3Destination(bucket)
        )


def test_tokens_are_left_for_the_provider_to_check() -> None:
    stack = new_stack()
    retries = cdk.CfnParameter(stack, "Retries", type="Number").value_as_number
    name = cdk.CfnParameter(stack, "Name").value_as_string

    LambdaEventInvokeConfig(stack, "Async", function=name, retry_attempts=retries)

    properties = next(iter(Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()))[
        "Properties"
    ]
    assert properties["MaximumRetryAttempts"] == {"Ref": "Retries"}
    assert properties["FunctionName"] == {"Ref": "Name"}


def test_a_function_as_its_own_destination_is_refused() -> None:
    stack = new_stack()
    fn = new_function(stack)

    with pytest.raises(
        InvalidPropertyError, match="on_failure cannot be the configured function itself"
    ):
        LambdaEventInvokeConfig(
            stack, "Async", function=fn, on_failure=destinations.LambdaDestination(fn)
        )
    with pytest.raises(
        InvalidPropertyError, match="on_success cannot be the configured function itself"
    ):
        LambdaEventInvokeConfig(stack, "ByArn", function=ORDERS_ARN, on_success=ORDERS_ARN)


@pytest.mark.parametrize("how", ["from_function_arn", "from_function_name"])
def test_an_imported_function_is_configured_by_its_arn_and_only_it_is_allowed(how: str) -> None:
    stack = new_stack()
    imported = (
        lambda_.Function.from_function_arn(stack, "Imported", ORDERS_ARN)
        if how == "from_function_arn"
        else lambda_.Function.from_function_name(stack, "Imported", "orders")
    )

    LambdaEventInvokeConfig(stack, "Async", function=imported, retry_attempts=2)

    template = Template.from_stack(stack)
    properties = next(iter(template.find_resources(RESOURCE_TYPE).values()))["Properties"]
    resolved_arn = stack.resolve(imported.function_arn)
    assert properties["FunctionName"] == resolved_arn
    assert config_access_resources(template) == [resolved_arn]


@pytest.mark.parametrize("imported", [False, True])
def test_a_destination_object_needs_a_function_whose_role_is_known(imported: bool) -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Failures")
    function: Any = (
        lambda_.Function.from_function_arn(stack, "F", ORDERS_ARN) if imported else "orders"
    )

    with pytest.raises(
        InvalidPropertyError, match="on_failure: an IDestination grants the function's role"
    ):
        LambdaEventInvokeConfig(
            stack, "Async", function=function, on_failure=destinations.SqsDestination(queue)
        )


def test_an_imported_function_with_its_role_gets_the_grant() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Failures")
    role = cdk.aws_iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::123456789012:role/orders")
    function = lambda_.Function.from_function_attributes(
        stack, "F", function_arn=ORDERS_ARN, role=role
    )

    LambdaEventInvokeConfig(
        stack, "Async", function=function, on_failure=destinations.SqsDestination(queue)
    )

    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": Match.array_with(["sqs:SendMessage"])})]
                )
            },
            "Roles": ["orders"],
        },
    )
    [policy_id] = [
        k
        for k, v in template.find_resources("AWS::IAM::Policy").items()
        if v["Properties"]["Roles"] == ["orders"]
    ]
    assert policy_id in next(iter(template.find_resources(RESOURCE_TYPE).values()))["DependsOn"]


def test_without_destination_objects_the_config_waits_for_its_grant_alone() -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(
        stack, "Async", function=new_function(stack), on_failure=ORDERS_ARN + "-dlq"
    )

    template = Template.from_stack(stack)
    resource = next(iter(template.find_resources(RESOURCE_TYPE).values()))

    assert resource["DependsOn"] == list(template.find_resources("AWS::IAM::ManagedPolicy")), (
        "only its grant"
    )
    assert "DeletionPolicy" not in resource, "Delete is CloudFormation's default: not written"


@pytest.mark.parametrize(("adopt", "expected"), [(True, "true"), (False, None)])
def test_adopt_existing_is_written_only_when_asked(adopt: bool, expected: str | None) -> None:
    # GIVEN
    stack = new_stack()
    # WHEN
    LambdaEventInvokeConfig(stack, "Async", function="orders", adopt_existing=adopt)
    # THEN
    properties = next(iter(Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()))[
        "Properties"
    ]
    assert properties.get(ADOPT_EXISTING) == expected
