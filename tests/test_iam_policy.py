"""IAM as the offline engine enforces it: the evaluation, and the check at the Lambda and stack API.

Every call the provider makes with its role's credentials goes through these checks in the
engine-driven tests (test_ownership, test_contract, test_examples, test_grant_lifecycle); here
the evaluator is pinned against IAM's documented matching, and the wire answers against the
errors Lambda and CloudFormation send.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from offline_cloud.engine import CloudFormation
from offline_cloud.iam_policy import UnsupportedPolicyError, evaluate
from offline_cloud.iam_roles import AttachedPolicy, Enforcement
from offline_cloud.local_cloud import create_functions
from offline_cloud.native_resources import NativeResources
from offline_cloud.physical_resources import Created
from offline_cloud.stack_api import StackApi
from offline_cloud.stack_state import Stack


def allow(*actions: str, effect: str = "Allow", resource: Any = "*") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Action": list(actions), "Resource": resource}],
    }


FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:orders"
GET = "lambda:GetFunctionEventInvokeConfig"


def _inside_this_region(allowed: str) -> list[dict[str, Any]]:
    """An allow, and a deny of the same action on every function outside us-east-1."""
    deny = {
        "Effect": "Deny",
        "Action": GET,
        "NotResource": "arn:aws:lambda:us-east-1:123456789012:function:*",
    }
    return [allow(GET, resource=allowed), {"Statement": [deny]}]


@pytest.mark.parametrize(
    ("documents", "action", "resource", "allowed"),
    [
        ([allow(GET, resource=FUNCTION)], GET, FUNCTION, True),
        ([allow("LAMBDA:get*invokeconfig", resource=FUNCTION)], GET, FUNCTION, True),
        ([allow("lambda:Get?unctionEventInvokeConfig", resource=FUNCTION)], GET, FUNCTION, True),
        ([allow("lambda:Put*", resource=FUNCTION)], GET, FUNCTION, False),
        ([allow(GET, resource=FUNCTION.replace("orders", "Orders"))], GET, FUNCTION, False),
        ([allow(GET, resource=FUNCTION)], GET, f"{FUNCTION}:live", False),
        ([allow(GET, resource=f"{FUNCTION}:*")], GET, f"{FUNCTION}:live", True),
        ([allow(GET, resource=f"{FUNCTION}:*")], GET, FUNCTION, False),
        ([allow(GET, resource=f"{FUNCTION[:-2]}*")], GET, f"{FUNCTION}:live", True),
        ([allow(GET, resource=f"{FUNCTION[:-1]}?")], GET, FUNCTION, True),
        ([allow(GET, resource=f"{FUNCTION}?live")], GET, f"{FUNCTION}:live", False),
        ([allow(GET, resource=f"{FUNCTION[:-6]}*s:live")], GET, f"{FUNCTION}:live", True),
        ([allow(GET, resource="arn:aws:lambda:*:*:function:orders")], GET, FUNCTION, True),
        ([allow(GET, resource=[FUNCTION[:-1], "*"])], GET, FUNCTION, True),
        ([allow(GET), allow("lambda:*", effect="Deny", resource=FUNCTION)], GET, FUNCTION, False),
        ([], GET, FUNCTION, False),
        (
            [{"Statement": {"Effect": "Allow", "NotAction": "lambda:Put*", "Resource": "*"}}],
            GET,
            FUNCTION,
            True,
        ),
        (_inside_this_region("arn:*:lambda:*:*:function:orders"), GET, FUNCTION, True),
        (
            _inside_this_region("arn:*:lambda:*:*:function:orders"),
            GET,
            FUNCTION.replace("us-east-1", "eu-west-1"),
            False,
        ),
    ],
)
def test_iam_allows_what_an_allow_statement_matches_unless_a_deny_does(
    documents: list[dict[str, Any]], action: str, resource: str, allowed: bool
) -> None:
    assert evaluate(documents, action, resource).allowed is allowed


def test_iam_refuses_policy_elements_it_does_not_evaluate() -> None:
    condition = {"Effect": "Allow", "Action": GET, "Resource": "*", "Condition": {}}
    with pytest.raises(UnsupportedPolicyError, match="Condition"):
        evaluate([{"Statement": [condition]}], GET, FUNCTION)
    assert evaluate([], GET, FUNCTION).reason == (
        f"because no identity-based policy allows the {GET} action"
    )


def test_calls_with_a_roles_credentials_are_authorized_at_the_wire_and_others_are_not(
    moto_endpoint: str,
) -> None:
    engine = CloudFormation(NativeResources(moto_endpoint), _no_custom_resources)
    stack = engine.create_stack(f"iam-{uuid.uuid4().hex[:8]}", {"Resources": {}})
    [function] = create_functions(moto_endpoint, "wire")
    engine.native.role_policies.put(
        "policy",
        AttachedPolicy(
            frozenset({"provider-role"}),
            (
                allow("cloudformation:ListStackResources", resource=stack.stack_id),
                allow(GET, resource=f"{function}:live"),
            ),
        ),
    )
    enforcement = Enforcement(engine.native.role_policies)
    credentials = enforcement.credentials("provider-role")
    session = boto3.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
        region_name="us-east-1",
    )
    try:
        with StackApi(engine) as endpoint:
            as_role = session.client("cloudformation", endpoint_url=endpoint)
            as_test = boto3.client("cloudformation", endpoint_url=endpoint)
            as_role.list_stack_resources(StackName=stack.stack_id)
            with pytest.raises(ClientError) as denied_read:
                as_role.describe_stacks(StackName=stack.stack_id)
            as_test.describe_stacks(StackName=stack.stack_id)
        lambda_as_role = session.client("lambda", endpoint_url=moto_endpoint)
        with pytest.raises(lambda_as_role.exceptions.ResourceNotFoundException):
            lambda_as_role.get_function_event_invoke_config(FunctionName=function, Qualifier="live")
        with pytest.raises(ClientError) as denied_get:
            lambda_as_role.get_function_event_invoke_config(FunctionName=function)
    finally:
        enforcement.close()

    for denied, code in ((denied_read, "AccessDenied"), (denied_get, "AccessDeniedException")):
        assert denied.value.response["Error"]["Code"] == code
        assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert [(c.action, c.resource, c.allowed) for c in enforcement.calls] == [
        ("cloudformation:ListStackResources", stack.stack_id, True),
        ("cloudformation:DescribeStacks", stack.stack_id, False),
        (GET, f"{function}:live", True),
        (GET, function, False),
    ], "the test's own calls are not checked"


def _no_custom_resources(_stack: Stack, _event: dict[str, Any]) -> Created:
    raise AssertionError("no custom resources here")
