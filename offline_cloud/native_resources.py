"""The AWS resource types the engine creates in moto, and the failing `Test::Fails` type.

Each type implements Create, Update and Delete the way CloudFormation's resource does, as far as
the tests need: a change to a create-only property ("Update requires: Replacement" in the
resource's documentation) creates a new physical resource, and the engine deletes the old one in
the cleanup phase; other changes update in place. Policies, log groups, security groups and CDK
metadata are recorded with a made-up physical id (a security group's GroupId) and not created. A
function whose `Code` names an S3 object gets that object's bytes, read as Lambda reads them:
from a bucket in the function's own region, else the create fails (CDK's asset bucket aside).
Roles and policies are kept in `RolePolicies` (offline_cloud/iam_roles.py), which refuses a change
past one of IAM's quotas
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): the resource then
fails, as CloudFormation fails it.

`AWS::Lambda::EventInvokeConfig` calls moto's Lambda API directly. Its physical id here is
`FunctionName|Qualifier`: the resource's identifying properties (its schema's primary
identifier), joined with `|` as CloudFormation joins compound identifiers. Its `Ref` is the same.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from .fake_aws import ACCOUNT, CREDENTIALS, REGION
from .iam_roles import AttachedPolicy, IamQuotaError, RolePolicies
from .local_cloud import EMPTY_ZIP

FAILING_TYPE = "Test::Fails"
# CDK's bootstrap bucket: `cdk deploy` publishes the assets there first; the engine runs the
# provider from cdk.out, so a function whose code is there gets an empty zip.
CDK_ASSETS = re.compile(r"cdk-[a-z0-9]+-assets-[0-9]{12}-[a-z0-9-]+")
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
Properties = dict[str, Any]


class ResourceError(Exception):
    """A resource operation failed; `physical_id` is the id CloudFormation then records."""

    def __init__(self, reason: str, physical_id: str | None = None) -> None:
        super().__init__(reason)
        self.physical_id = physical_id


@dataclass(frozen=True)
class Created:
    """A physical resource: its id and the values `Ref` and `Fn::GetAtt` return."""

    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


def physical_name(stack: str, logical_id: str, limit: int = 64) -> str:
    """A generated name like CloudFormation's: stack, logical id, random suffix."""
    suffix = uuid.uuid4().hex[:12].upper()
    return f"{f'{stack}-{logical_id}'[: limit - 13]}-{suffix}"


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


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
        self._s3 = session.client("s3", endpoint_url=moto_endpoint)
        self.lambda_client = session.client("lambda", endpoint_url=moto_endpoint)
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
                self._create_function,
                None,
                lambda name: self._gone_is_fine(self.lambda_client.delete_function, name),
            ),
            "AWS::Lambda::Version": (("*",), self._create_version, None, self._delete_version),
            "AWS::Lambda::Alias": (
                ("FunctionName", "Name"),
                self._create_alias,
                self._update_alias,
                self._delete_alias,
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
                self._put_config,
                lambda _id, props: self._put_config("", "", props),
                self._delete_config,
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

    def _gone_is_fine(self, call: Callable[..., Any], name: str, **kwargs: Any) -> None:
        with contextlib.suppress(self.lambda_client.exceptions.ResourceNotFoundException):
            call(FunctionName=name, **kwargs)

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

    def _create_function(self, stack: str, logical_id: str, props: Properties) -> Created:
        code = props.get("Code", {})
        if "S3Bucket" in code and not CDK_ASSETS.fullmatch(code["S3Bucket"]):
            body = self._code_object(code["S3Bucket"], code["S3Key"])
        else:
            body = EMPTY_ZIP if code.get("ZipFile") is None else _zip(code["ZipFile"])
        function = self.lambda_client.create_function(
            FunctionName=props.get("FunctionName") or physical_name(stack, logical_id),
            Runtime=props["Runtime"],
            Role=props["Role"],
            Handler=props["Handler"],
            Code={"ZipFile": body},
        )
        name = function["FunctionName"]
        return Created(name, {"Ref": name, "Arn": function["FunctionArn"]})

    def _code_object(self, bucket: str, key: str) -> bytes:
        """A code zip as Lambda fetches it: only from a bucket in the function's region."""
        failed = "Error occurred while GetObject. S3 Error Code"
        try:
            location = self._s3.get_bucket_location(Bucket=bucket)["LocationConstraint"]
            if (location or "us-east-1") != self.region:
                raise ResourceError(
                    f"{failed}: PermanentRedirect. S3 Error Message: The bucket is in this "
                    f"region: {location}. Please use this region to retry the request"
                )
            body: bytes = self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self._s3.exceptions.ClientError as error:
            code = error.response["Error"]["Code"]
            raise ResourceError(f"{failed}: {code}. S3 Error Message: {bucket}/{key}") from error
        return body

    def _put_parameter(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        name = props["Name"]
        self._ssm.put_parameter(
            Name=name, Value=props["Value"], Type=props.get("Type", "String"), Overwrite=True
        )
        return Created(name, {"Ref": name, "Type": props.get("Type", "String")})

    def _create_version(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        version = self.lambda_client.publish_version(FunctionName=props["FunctionName"])
        arn = version["FunctionArn"]
        return Created(arn, {"Ref": arn, "Version": version["Version"], "FunctionArn": arn})

    def _delete_version(self, arn: str) -> None:
        function, _, version = arn.rpartition(":")
        self._gone_is_fine(self.lambda_client.delete_function, function, Qualifier=version)

    def _create_alias(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        alias = self.lambda_client.create_alias(
            FunctionName=props["FunctionName"],
            Name=props["Name"],
            FunctionVersion=props["FunctionVersion"],
        )
        return Created(alias["AliasArn"], {"Ref": alias["AliasArn"], "AliasArn": alias["AliasArn"]})

    def _update_alias(self, arn: str, props: Properties) -> None:
        function, _, name = arn.rpartition(":")
        self.lambda_client.update_alias(
            FunctionName=function, Name=name, FunctionVersion=props["FunctionVersion"]
        )

    def _delete_alias(self, arn: str) -> None:
        function, _, name = arn.rpartition(":")
        self._gone_is_fine(self.lambda_client.delete_alias, function, Name=name)

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

    def _put_config(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        settings = {k: v for k, v in props.items() if k not in ("FunctionName", "Qualifier")}
        self.lambda_client.put_function_event_invoke_config(
            FunctionName=props["FunctionName"], Qualifier=props["Qualifier"], **settings
        )
        physical_id = f"{props['FunctionName']}|{props['Qualifier']}"
        return Created(physical_id, {"Ref": physical_id})

    def _delete_config(self, physical_id: str) -> None:
        function, _, qualifier = physical_id.partition("|")
        self._gone_is_fine(
            self.lambda_client.delete_function_event_invoke_config, function, Qualifier=qualifier
        )
