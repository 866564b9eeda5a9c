"""Small templates for engine contract tests, and what Lambda holds after they deploy.

Settings differ per config (FIRST, SECOND, THIRD) so that every assertion says whose config a
function holds.
"""

from __future__ import annotations

import uuid
from typing import Any

from event_invoke_config_provider.function_ref import UNQUALIFIED
from offline_cloud.deployment import LocalCloud, service_token
from offline_cloud.iam_policy import evaluate
from offline_cloud.local_cloud import create_functions
from offline_cloud.stack_state import Stack

CUSTOM = "Custom::LambdaEventInvokeConfig"
NATIVE = "AWS::Lambda::EventInvokeConfig"
# (MaximumRetryAttempts, MaximumEventAgeInSeconds): whose config a function holds.
FIRST, SECOND, THIRD = (0, 600), (1, 1200), (2, 1800)
ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    },
}
ALIAS = {
    "Version": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
    "Live": {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "FunctionName": {"Ref": "Fn"},
            "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]},
            "Name": "live",
        },
    },
}


def function(name: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": name,
            "Runtime": "python3.14",
            "Handler": "index.handler",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
        },
    }


def config(
    function_name: Any, settings: tuple[int, int], resource_type: str = CUSTOM, **more: Any
) -> dict[str, Any]:
    retries, age = settings
    properties = {"FunctionName": function_name, **more}
    properties.update(MaximumRetryAttempts=retries, MaximumEventAgeInSeconds=age)
    if resource_type == CUSTOM:
        properties = {"ServiceToken": service_token(), "ServiceTimeout": 120, **properties}
    return {"Type": resource_type, "Properties": properties}


def template(**resources: Any) -> dict[str, Any]:
    return {"Resources": {"Role": ROLE, **resources}}


def held(
    cloud: LocalCloud, function_name: str, qualifier: str = UNQUALIFIED
) -> tuple[int, int] | None:
    """The settings of the config Lambda holds for a function and qualifier, if any."""
    try:
        found = cloud.lambda_client.get_function_event_invoke_config(
            FunctionName=function_name, Qualifier=qualifier
        )
    except cloud.lambda_client.exceptions.ResourceNotFoundException:
        return None
    return found["MaximumRetryAttempts"], found["MaximumEventAgeInSeconds"]


def requests(cloud: LocalCloud, since: int = 0) -> list[tuple[str, str]]:
    """The custom-resource requests CloudFormation sent, from the `since`-th on."""
    return [
        (exchange.event["RequestType"], exchange.event["LogicalResourceId"])
        for exchange in cloud.provider.history[since:]
    ]


def deployed(stack: Stack, status: str) -> Stack:
    assert stack.status == status, [e for e in stack.events if e.reason]
    return stack


def created(cloud: LocalCloud, stack: str, resources: dict[str, Any]) -> Stack:
    return deployed(cloud.engine.create_stack(stack, resources), "CREATE_COMPLETE")


def updated(cloud: LocalCloud, stack: str, resources: dict[str, Any]) -> Stack:
    return deployed(cloud.engine.update_stack(stack, resources), "UPDATE_COMPLETE")


def hand_made(cloud: LocalCloud, moto_endpoint: str, settings: tuple[int, int]) -> str:
    """The name of a new function outside any stack, with a config set by hand."""
    arn = create_functions(moto_endpoint, f"hand-{uuid.uuid4().hex[:6]}")[0]
    retries, age = settings
    cloud.lambda_client.put_function_event_invoke_config(
        FunctionName=arn, MaximumRetryAttempts=retries, MaximumEventAgeInSeconds=age
    )
    return arn.rsplit(":", 1)[1]


def provider_may_delete(cloud: LocalCloud, stack: Stack, resource: str) -> bool:
    """Whether the stack's own provider role may delete the config at `resource` now."""
    [role] = [
        str(r.physical_id)
        for logical_id, r in stack.resources.items()
        if r.type == "AWS::IAM::Role" and logical_id.startswith("EventInvokeConfigProviderRole")
    ]
    documents = cloud.native.role_policies.documents(role)
    return evaluate(documents, "lambda:DeleteFunctionEventInvokeConfig", resource).allowed


def grant_policies(stack: Stack) -> set[str]:
    """The physical ids of the stack's managed policies: its grant buckets."""
    return {
        str(r.physical_id) for r in stack.resources.values() if r.type == "AWS::IAM::ManagedPolicy"
    }
