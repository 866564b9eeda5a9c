"""The AWS resource types the engine creates in moto, and the failing `Test::Fails` type.

Each type creates, updates and deletes as CloudFormation's resource does, as far as the tests
need: a change to a create-only property replaces, others update in place. Policies, log groups,
security groups and CDK metadata get a made-up physical id; roles and policies go to
`RolePolicies` (iam_roles.py), whose quota refusals fail the resource. Lambda's types are in
native_lambda.py. docs/design.md, "The offline cloud" (Native resources).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3

from .fake_aws import ACCOUNT, CREDENTIALS, REGION
from .iam_roles import AttachedPolicy, IamQuotaError, RolePolicies
from .native_lambda import LambdaResources
from .physical_resources import Created, Properties, ResourceError, physical_name

FAILING_TYPE = "Test::Fails"
# Written by `cdk bootstrap` with the default qualifier.
CDK_BOOTSTRAP_VERSION = "/cdk-bootstrap/hnb659fds/version"
RECORDED_ONLY = {
    "AWS::CDK::Metadata",
    "AWS::EC2::SecurityGroup",
    "AWS::Lambda::Permission",
    "AWS::Logs::LogGroup",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
}


class NativeResources:
    """Create, Update and Delete of the supported types, in moto."""

    def __init__(self, moto_endpoint: str, region: str = REGION) -> None:
        """`region`: where the resources live; moto keeps Lambda and SSM apart by region."""
        self.region = region
        session = boto3.Session(
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=region,
        )
        self.lambda_client = session.client("lambda", endpoint_url=moto_endpoint)
        s3 = session.client("s3", endpoint_url=moto_endpoint)
        functions = LambdaResources(self.lambda_client, s3, region)
        self._iam = session.client("iam", endpoint_url=moto_endpoint)
        self._sqs = session.client("sqs", endpoint_url=moto_endpoint)
        self._sns = session.client("sns", endpoint_url=moto_endpoint)
        self._ssm = session.client("ssm", endpoint_url=moto_endpoint)
        # The account is bootstrapped: CDK templates read this SSM parameter type.
        self._ssm.put_parameter(
            Name=CDK_BOOTSTRAP_VERSION, Value="30", Type="String", Overwrite=True
        )
        self.role_policies = RolePolicies()
        # type -> (create-only properties, create, update in place or None, delete)
        self._types: dict[str, tuple[tuple[str, ...], Any, Any, Callable[[str], None]]] = {
            "AWS::IAM::Role": (
                ("RoleName", "Path"),
                self._create_role,
                self._attach_role_policies,
                self._delete_role,
            ),
            "AWS::IAM::Policy": (
                (),
                self._create_policy,
                self._attach_policy,
                self.role_policies.remove,
            ),
            "AWS::IAM::ManagedPolicy": (
                ("ManagedPolicyName", "Path", "Description"),
                self._create_managed_policy,
                lambda arn, props: self._attach_policy(arn, props, managed=True),
                self.role_policies.remove,
            ),
            "AWS::Lambda::Function": (
                ("FunctionName",),
                functions.create_function,
                functions.update_function,
                functions.delete_function,
            ),
            "AWS::Lambda::Version": (
                ("*",),
                functions.create_version,
                None,
                functions.delete_version,
            ),
            "AWS::Lambda::Alias": (
                ("FunctionName", "Name"),
                functions.create_alias,
                functions.update_alias,
                functions.delete_alias,
            ),
            "AWS::SQS::Queue": (("QueueName",), self._create_queue, None, self._delete_queue),
            "AWS::SNS::Topic": (
                ("TopicName",),
                self._create_topic,
                None,
                lambda arn: self._sns.delete_topic(TopicArn=arn),
            ),
            "AWS::SSM::Parameter": (
                ("Name",),
                self._put_parameter,
                lambda name, props: self._put_parameter("", "", {**props, "Name": name}),
                lambda name: self._ssm.delete_parameter(Name=name),
            ),
            "AWS::Lambda::EventInvokeConfig": (
                ("FunctionName", "Qualifier"),
                functions.put_config,
                lambda _id, props: functions.put_config("", "", props),
                functions.delete_config,
            ),
        }

    def ssm_parameter(self, name: str) -> str:
        """The current value of a Systems Manager parameter."""
        return str(self._ssm.get_parameter(Name=name)["Parameter"]["Value"])

    def handles(self, resource_type: str) -> bool:
        """Whether this module implements `resource_type`."""
        return resource_type in self._types or resource_type in (RECORDED_ONLY | {FAILING_TYPE})

    def create(self, stack: str, logical_id: str, resource_type: str, props: Properties) -> Created:
        """Create a physical resource."""
        if resource_type == FAILING_TYPE:
            raise ResourceError(f"{logical_id} is a {FAILING_TYPE}: its Create always fails")
        if resource_type in RECORDED_ONLY:
            name = physical_name(stack, logical_id)
            service = resource_type.split("::")[1].lower()
            arn = f"arn:aws:{service}:{self.region}:{ACCOUNT}:{name}"
            return Created(name, {"Ref": name, "Arn": arn, "GroupId": name})
        try:
            created: Created = self._types[resource_type][1](stack, logical_id, props)
        except IamQuotaError as error:
            raise ResourceError(str(error)) from error
        return created

    def update(
        self,
        stack: str,
        logical_id: str,
        resource_type: str,
        change: tuple[Properties, Properties],
        current: Created,
    ) -> Created:
        """Update in place, or create a replacement if a create-only property changed."""
        new, old = change
        if resource_type == FAILING_TYPE:
            raise ResourceError(f"{logical_id} is a {FAILING_TYPE}: its Update always fails")
        if resource_type in RECORDED_ONLY:
            return current
        create_only, _create, update, _delete = self._types[resource_type]
        replace = create_only == ("*",) or any(new.get(p) != old.get(p) for p in create_only)
        if replace:
            return self.create(stack, logical_id, resource_type, new)
        if update is not None:
            try:
                update(current.physical_id, new)
            except IamQuotaError as error:
                raise ResourceError(str(error), current.physical_id) from error
        return current

    def delete(self, resource_type: str, physical_id: str) -> None:
        """Delete a physical resource; one already gone is fine."""
        if resource_type in self._types:
            self._types[resource_type][3](physical_id)

    def _create_role(self, stack: str, logical_id: str, props: Properties) -> Created:
        name = props.get("RoleName") or physical_name(stack, logical_id)
        self._attach_role_policies(name, props)  # refused past a quota: no role then
        role = self._iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
            Path=props.get("Path", "/"),
        )["Role"]
        return Created(name, {"Ref": name, "Arn": role["Arn"]})

    def _attach_role_policies(self, name: str, props: Properties) -> None:
        documents = tuple(policy["PolicyDocument"] for policy in props.get("Policies", []))
        arns = tuple(props.get("ManagedPolicyArns", []))
        self.role_policies.put(name, AttachedPolicy(frozenset([name]), documents, arns))

    def _delete_role(self, name: str) -> None:
        self.role_policies.remove(name)
        self._iam.delete_role(RoleName=name)

    def _create_policy(self, stack: str, logical_id: str, props: Properties) -> Created:
        physical_id = physical_name(stack, logical_id)
        self._attach_policy(physical_id, props)
        return Created(physical_id, {"Ref": physical_id})

    def _create_managed_policy(self, stack: str, logical_id: str, props: Properties) -> Created:
        name = props.get("ManagedPolicyName") or physical_name(stack, logical_id, limit=128)
        arn = f"arn:aws:iam::{ACCOUNT}:policy{props.get('Path', '/')}{name}"
        self._attach_policy(arn, props, managed=True)
        return Created(arn, {"Ref": arn, "PolicyArn": arn})

    def _attach_policy(self, physical_id: str, props: Properties, managed: bool = False) -> None:
        """A policy's document applies to the roles it names (users and groups are not kept)."""
        roles = frozenset(props.get("Roles", []))
        document = (props["PolicyDocument"],)
        self.role_policies.put(physical_id, AttachedPolicy(roles, document, managed=managed))

    def _put_parameter(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        name = props["Name"]
        self._ssm.put_parameter(
            Name=name, Value=props["Value"], Type=props.get("Type", "String"), Overwrite=True
        )
        return Created(name, {"Ref": name, "Type": props.get("Type", "String")})

    def _create_queue(self, stack: str, logical_id: str, props: Properties) -> Created:
        name = props.get("QueueName") or physical_name(stack, logical_id, limit=80)
        url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        attributes = {"Ref": url, "QueueUrl": url, "QueueName": name}
        return Created(url, {**attributes, "Arn": arn["Attributes"]["QueueArn"]})

    def _delete_queue(self, url: str) -> None:
        self._sqs.delete_queue(QueueUrl=url)

    def _create_topic(self, stack: str, logical_id: str, props: Properties) -> Created:
        name = props.get("TopicName") or physical_name(stack, logical_id, limit=256)
        arn = self._sns.create_topic(Name=name)["TopicArn"]
        return Created(arn, {"Ref": arn, "TopicArn": arn, "TopicName": name})
