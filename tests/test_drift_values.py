"""The drift report's parts: what it resolves, how it compares, its exit status, its answer
when Lambda does not answer a config."""

from __future__ import annotations

import datetime
import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from event_invoke_config.drift import check_config, compare, expected_settings, read_stack
from event_invoke_config.drift_report import (
    DELETED,
    IN_SYNC,
    MODIFIED,
    NOT_CHECKED,
    UNMANAGED,
    Finding,
    exit_status,
)
from event_invoke_config.drift_values import UNKNOWN, StackFacts, template_of
from offline_cloud.fake_aws import ACCOUNT, REGION

STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/Drifty/0c6b3d40"
FACTS = StackFacts(
    STACK_ID,
    {"Retries": "2", "Target": "fn-b"},
    {
        "Queue": ("AWS::SQS::Queue", f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q1"),
        "Topic": ("AWS::SNS::Topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:t1"),
        "Fn": ("AWS::Lambda::Function", "fn-a"),
        "Bus": ("AWS::Events::EventBus", "bus1"),
        "Bucket": ("AWS::S3::Bucket", "bucket1"),
        "Role": ("AWS::IAM::Role", "role1"),
    },
)


# Blocks the CDK and crhelper: the report must run where only boto3 is installed.
@pytest.mark.parametrize(
    ("value", "resolved"),
    [
        (3, 3),
        ({"Ref": "Retries"}, "2"),
        ({"Ref": "Fn"}, "fn-a"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, f"arn:aws:sqs:{REGION}:{ACCOUNT}:q1"),
        ({"Fn::GetAtt": "Topic.TopicArn"}, f"arn:aws:sns:{REGION}:{ACCOUNT}:t1"),
        ({"Fn::GetAtt": ["Fn", "Arn"]}, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-a"),
        ({"Fn::GetAtt": ["Bus", "Arn"]}, f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/bus1"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "arn:aws:s3:::bucket1"),
        (
            {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:x"},
            f"arn:aws:sns:{REGION}:{ACCOUNT}:x",
        ),
        ({"Fn::Join": [":", [{"Ref": "AWS::StackName"}, {"Ref": "Target"}]]}, "Drifty:fn-b"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, UNKNOWN),
        ({"Fn::ImportValue": "shared-queue"}, UNKNOWN),
        ({"Fn::If": ["Prod", 1, 2]}, UNKNOWN),
        ({"Ref": "Missing"}, UNKNOWN),
        ({"Fn::Sub": "${Role.Arn}"}, UNKNOWN),
    ],
)
def test_resolves_what_the_stack_reads_determine_and_nothing_else(
    value: Any, resolved: Any
) -> None:
    assert FACTS.resolve(value) is resolved or FACTS.resolve(value) == resolved


def test_expected_settings_turn_strings_into_numbers_and_keep_unknowns() -> None:
    properties = {
        "MaximumRetryAttempts": {"Ref": "Retries"},
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::ImportValue": "q"}}},
    }
    assert expected_settings(FACTS, properties) == {
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": None,
        "OnSuccess": None,
        "OnFailure": UNKNOWN,
    }


@pytest.mark.parametrize(("written_later", "status"), [(False, IN_SYNC), (True, MODIFIED)])
def test_an_unknown_value_is_judged_by_which_write_came_last(
    written_later: bool, status: str
) -> None:
    stack_wrote = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    lambda_wrote = stack_wrote + datetime.timedelta(seconds=5 if written_later else -5)
    expected = {**expected_settings(FACTS, {"MaximumRetryAttempts": 1}), "OnFailure": UNKNOWN}
    found = {"MaximumRetryAttempts": 1, "LastModified": lambda_wrote}
    got, differences, reason = compare({"LastUpdatedTimestamp": stack_wrote}, expected, found)
    assert got == status
    assert [d["Property"] for d in differences] == (["LastModified"] if written_later else [])
    assert reason is not None and "OnFailure" in reason


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ([IN_SYNC, IN_SYNC], 0),
        ([IN_SYNC, MODIFIED], 1),
        ([DELETED], 1),
        ([UNMANAGED, NOT_CHECKED], 1),
        ([IN_SYNC, NOT_CHECKED], 2),
        ([], 0),
    ],
)
def test_exit_status_is_drift_first_then_what_was_not_checked(
    statuses: list[str], code: int
) -> None:
    assert exit_status([Finding("R", "arn", status) for status in statuses]) == code


@pytest.mark.parametrize(
    ("code", "message", "status"),
    [
        ("ResourceNotFoundException", "The function X doesn't have an EventInvokeConfig", DELETED),
        ("ResourceNotFoundException", "Function not found: arn:aws:lambda:...:fn-a", NOT_CHECKED),
        ("AccessDeniedException", "User: x is not authorized to perform: ...", NOT_CHECKED),
    ],
)
def test_a_config_lambda_does_not_answer(code: str, message: str, status: str) -> None:
    client = boto3.client("lambda", region_name=REGION)
    physical_id = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn-a:live"
    summary = {
        "LogicalResourceId": "Config",
        "PhysicalResourceId": physical_id,
        "ResourceStatus": "UPDATE_COMPLETE",
    }
    with Stubber(client) as stubber:
        target = {"FunctionName": physical_id.rsplit(":", 1)[0], "Qualifier": "live"}
        stubber.add_client_error("get_function_event_invoke_config", code, message, 404, target)
        finding = check_config(client, FACTS, summary, {"MaximumRetryAttempts": 1})
        stubber.assert_no_pending_responses()
    assert (finding.Status, finding.Reason is not None) == (status, status == NOT_CHECKED)


@pytest.mark.parametrize(
    ("properties", "physical_id"),
    [
        ({"FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST"}, "fn-a:$LATEST"),
        ({"FunctionName": f"{ACCOUNT}:function:fn-a", "Qualifier": "live"}, "fn-a:live"),
        ({"FunctionName": {"Fn::ImportValue": "x"}, "Qualifier": "live"}, None),
        ({"FunctionName": "fn-a:live", "Qualifier": "other"}, None),
    ],
)
def test_a_native_config_is_named_by_its_qualified_function_arn(
    properties: dict[str, Any], physical_id: str | None
) -> None:
    prefix = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
    assert FACTS.native_config(properties) == (physical_id and prefix + physical_id)


def test_a_yaml_template_reads_with_cloudformations_short_forms() -> None:
    body = (
        "Resources:\n"
        "  Config:\n"
        "    Type: Custom::LambdaEventInvokeConfig\n"
        "    Properties:\n"
        "      FunctionName: !Ref Fn\n"
        "      MaximumRetryAttempts: 1\n"
        "      DestinationConfig:\n"
        "        OnFailure:\n"
        "          Destination: !GetAtt Queue.Arn\n"
        "        OnSuccess:\n"
        "          Destination: !Sub 'arn:${AWS::Partition}:sns:${AWS::Region}:"
        "${AWS::AccountId}:t1'\n"
    )
    properties = template_of(body)["Resources"]["Config"]["Properties"]
    assert expected_settings(FACTS, properties) == {
        "MaximumRetryAttempts": 1,
        "MaximumEventAgeInSeconds": None,
        "OnSuccess": f"arn:aws:sns:{REGION}:{ACCOUNT}:t1",
        "OnFailure": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q1",
    }
    assert template_of('{"Resources": {}}') == {"Resources": {}}


def test_a_noecho_parameter_is_not_known() -> None:
    client = boto3.client("cloudformation", region_name=REGION)
    template = {
        "Parameters": {"Retries": {"Type": "String", "NoEcho": True}, "Age": {"Type": "String"}},
        "Resources": {"Config": {"Type": "Custom::LambdaEventInvokeConfig", "Properties": {}}},
    }
    parameters = [
        {"ParameterKey": "Retries", "ParameterValue": "****"},
        {"ParameterKey": "Age", "ParameterValue": "600"},
    ]
    with Stubber(client) as stubber:
        stack = {"StackId": STACK_ID, "StackName": "Drifty", "Parameters": parameters}
        stubber.add_response(
            "describe_stacks",
            {"Stacks": [{**stack, "CreationTime": datetime.datetime.now(datetime.UTC),
                         "StackStatus": "UPDATE_COMPLETE"}]},
        )  # fmt: skip
        stubber.add_response("list_stack_resources", {"StackResourceSummaries": []})
        stubber.add_response("get_template", {"TemplateBody": json.dumps(template)})
        facts, _summaries, _declared = read_stack(client, "Drifty")
    assert (facts.ref("Retries"), facts.ref("Age")) == (UNKNOWN, "600")
