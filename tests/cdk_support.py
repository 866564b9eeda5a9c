"""Shared builders for the construct's template tests: stacks, functions, statements."""

from __future__ import annotations

import json
from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from constructs import Construct

from event_invoke_config.grants import CONFIG_ACTIONS

ACCOUNT = "123456789012"
REGION = "us-east-1"
ORDERS_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
ENVIRONMENT = cdk.Environment(account=ACCOUNT, region=REGION)


def new_stack(scope: Construct | None = None, construct_id: str = "Stack") -> cdk.Stack:
    """A stack with a known account and region, in a new app unless `scope` is given."""
    return cdk.Stack(scope or cdk.App(), construct_id, env=ENVIRONMENT)


def logical_id(construct: Construct) -> str:
    """The logical id of the L2 `construct`'s resource in its stack."""
    resource = cast(cdk.CfnElement, construct.node.default_child)
    return cdk.Stack.of(construct).get_logical_id(resource)


def new_function(scope: cdk.Stack, construct_id: str = "Fn", **kwargs: Any) -> lambda_.Function:
    """A small inline Python function; `kwargs` go to `aws_lambda.Function`."""
    return lambda_.Function(
        scope,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c): pass"),
        **kwargs,
    )


def statement_resources(template: Template, actions: tuple[str, ...]) -> list[Any]:
    """The Resource list of the statement that grants exactly `actions`."""
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            granted = statement["Action"]
            if sorted(granted if isinstance(granted, list) else [granted]) == sorted(actions):
                resources = statement["Resource"]
                return resources if isinstance(resources, list) else [resources]
    raise AssertionError(f"no statement grants exactly {actions}")


def config_access_resources(template: Template) -> list[Any]:
    """Every resource the provider's grant policies (one per bucket) name, in a stable order."""
    resources = [
        resource
        for policy in template.find_resources("AWS::IAM::ManagedPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == list(CONFIG_ACTIONS)
        for resource in statement["Resource"]
    ]
    return sorted(resources, key=json.dumps)


def synth_error(scope: Construct) -> str:
    """The message of the error the synth of `scope`'s app fails with."""
    try:
        cast(cdk.App, scope.node.root).synth()
    except RuntimeError as error:
        return str(error)
    raise AssertionError("the synth succeeded")
