"""Drive a synthesized stack's custom resources through their lifecycle against moto.

`LocalDeployment` reads a template from the cloud assembly, creates in moto only the resources
the custom resources refer to (functions, versions, aliases, queues, topics, roles), resolves
the intrinsic functions CDK emits, and sends each custom resource the events CloudFormation
would, with every scalar turned into a string as CloudFormation does.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import cfn_yaml

from .lambda_runtime import REGION, ProviderAsset, environment, invoke
from .local_cloud import ResponseCollector

ACCOUNT = "123456789012"
PROVIDER_PACKAGE = "event_invoke_config_provider."
_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
}


def load_template(cdk_out: Path, stack: str) -> dict[str, Any]:
    """The synthesized template of `stack`."""
    template: dict[str, Any] = json.loads((cdk_out / f"{stack}.template.json").read_text())
    return template


def provider_asset(cdk_out: Path, template: dict[str, Any]) -> ProviderAsset:
    """The provider function of a synthesized template (found by its handler's package)."""
    for resource in template["Resources"].values():
        handler = resource.get("Properties", {}).get("Handler", "")
        if resource["Type"] == "AWS::Lambda::Function" and handler.startswith(PROVIDER_PACKAGE):
            return ProviderAsset(
                code_dir=(cdk_out / resource["Metadata"]["aws:asset:path"]).resolve(),
                handler=handler,
                timeout_seconds=resource["Properties"]["Timeout"],
            )
    raise LookupError("the template has no provider function")


def load_yaml_template(path: Path) -> dict[str, Any]:
    """A plain CloudFormation YAML template, short-form intrinsics (`!Ref`) made long-form."""
    template: dict[str, Any] = cfn_yaml.load(str(path))
    return template


def read_config(lambda_client: Any, physical_id: str) -> dict[str, Any] | None:
    """The config a physical id (a qualified function ARN) names, or None if there is none."""
    function, _, qualifier = physical_id.rpartition(":")
    try:
        config: dict[str, Any] = lambda_client.get_function_event_invoke_config(
            FunctionName=function, Qualifier=qualifier
        )
    except lambda_client.exceptions.ResourceNotFoundException:
        return None
    config.pop("ResponseMetadata")
    return config


def _inline_zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


def as_cloudformation_sends(value: Any) -> Any:
    """CloudFormation hands custom resources every scalar as a string."""
    if isinstance(value, dict):
        return {key: as_cloudformation_sends(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_cloudformation_sends(item) for item in value]
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


class LocalDeployment:
    """One stack's resources in moto, and its custom resources run through the provider asset."""

    def __init__(
        self,
        stack: str,
        template: dict[str, Any],
        asset: ProviderAsset,
        *,
        moto_endpoint: str,
        collector: ResponseCollector,
    ) -> None:
        self.stack = stack
        self.template = template
        self.asset = asset
        self.collector = collector
        self.stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack}/{uuid.uuid4()}"
        self.env = environment(moto_endpoint, collector.ca_file)
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        self.lambda_client = session.client("lambda", endpoint_url=moto_endpoint)
        self._iam = session.client("iam", endpoint_url=moto_endpoint)
        self._sqs = session.client("sqs", endpoint_url=moto_endpoint)
        self._sns = session.client("sns", endpoint_url=moto_endpoint)
        self._created: dict[str, dict[str, str]] = {}
        self.last_logs = ""

    # --- intrinsic functions -------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """`value` with Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub done."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            intrinsic = self._intrinsics().get(key)
            if intrinsic is not None:
                return intrinsic(argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::GetAtt": lambda arg: self._attributes(arg[0])[arg[1]],
            "Fn::Join": lambda arg: arg[0].join(str(self.resolve(part)) for part in arg[1]),
            "Fn::Select": lambda arg: self.resolve(arg[1])[int(arg[0])],
            "Fn::Split": lambda arg: str(self.resolve(arg[1])).split(arg[0]),
            "Fn::Sub": lambda arg: _SUB_VARIABLE.sub(self._substitute, arg),
        }

    def _substitute(self, variable: re.Match[str]) -> str:
        name, _, attribute = variable.group(1).partition(".")
        return self._attributes(name)[attribute] if attribute else self._ref(name)

    def _ref(self, name: str) -> str:
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name == "AWS::StackName":
            return self.stack
        return self._attributes(name)["Ref"]

    # --- the resources custom resources refer to -------------------------------------------

    def _creator(self, logical_id: str) -> Callable[[str, dict[str, Any]], dict[str, str]] | None:
        resource_type = self.template["Resources"][logical_id]["Type"]
        return getattr(self, "_create_" + resource_type.replace("::", "_").lower(), None)

    def _attributes(self, logical_id: str) -> dict[str, str]:
        if logical_id not in self._created:
            create = self._creator(logical_id)
            if create is None:
                raise NotImplementedError(f"cannot create {logical_id} in moto")
            properties = self.template["Resources"][logical_id].get("Properties", {})
            self._created[logical_id] = create(logical_id, self.resolve(properties))
        return self._created[logical_id]

    def _create_aws_iam_role(self, logical_id: str, props: dict[str, Any]) -> dict[str, str]:
        role = self._iam.create_role(
            RoleName=f"{self.stack}-{logical_id}"[:64],
            AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
        )["Role"]
        return {"Ref": role["RoleName"], "Arn": role["Arn"]}

    def _create_aws_lambda_function(self, logical_id: str, props: dict[str, Any]) -> dict[str, str]:
        function = self.lambda_client.create_function(
            FunctionName=props.get("FunctionName", f"{self.stack}-{logical_id}"[:64]),
            Runtime=props["Runtime"],
            Role=props["Role"],
            Handler=props["Handler"],
            Code={"ZipFile": _inline_zip(props["Code"].get("ZipFile", ""))},
        )
        return {"Ref": function["FunctionName"], "Arn": function["FunctionArn"]}

    def _create_aws_lambda_version(self, _logical_id: str, props: dict[str, Any]) -> dict[str, str]:
        version = self.lambda_client.publish_version(FunctionName=props["FunctionName"])
        return {"Ref": version["FunctionArn"], "Version": version["Version"]}

    def _create_aws_lambda_alias(self, _logical_id: str, props: dict[str, Any]) -> dict[str, str]:
        alias = self.lambda_client.create_alias(
            FunctionName=props["FunctionName"],
            Name=props["Name"],
            FunctionVersion=props["FunctionVersion"],
        )
        return {"Ref": alias["AliasArn"]}

    def _create_aws_sqs_queue(self, logical_id: str, _props: dict[str, Any]) -> dict[str, str]:
        url = self._sqs.create_queue(QueueName=f"{self.stack}-{logical_id}")["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return {"Ref": url, "Arn": arn["Attributes"]["QueueArn"]}

    def _create_aws_sns_topic(self, logical_id: str, _props: dict[str, Any]) -> dict[str, str]:
        arn = self._sns.create_topic(Name=f"{self.stack}-{logical_id}")["TopicArn"]
        return {"Ref": arn, "TopicArn": arn}

    # --- CloudFormation's side ---------------------------------------------------------------

    def properties_of(self, logical_id: str) -> dict[str, Any]:
        """A custom resource's properties as CloudFormation would send them."""
        resource = self.template["Resources"][logical_id]
        depends_on = resource.get("DependsOn", [])
        for dependency in [depends_on] if isinstance(depends_on, str) else depends_on:
            if self._creator(dependency) is not None:  # e.g. an alias; IAM policies are skipped
                self._attributes(dependency)
        properties = dict(resource["Properties"])
        # The provider runs locally from its asset: it is not created in moto.
        properties["ServiceToken"] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:provider"
        return dict(as_cloudformation_sends(self.resolve(properties)))

    def send(
        self,
        request_type: str,
        logical_id: str,
        properties: dict[str, Any],
        *,
        old_properties: dict[str, Any] | None = None,
        physical_id: str | None = None,
    ) -> dict[str, Any]:
        """Send one event to the provider asset and return the response CloudFormation got."""
        request_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": properties.get("ServiceToken", ""),
            "ResponseURL": self.collector.url_for(request_id),
            "StackId": self.stack_id,
            "RequestId": request_id,
            "LogicalResourceId": logical_id,
            "ResourceType": self.template["Resources"][logical_id]["Type"],
            "ResourceProperties": properties,
        }
        if old_properties is not None:
            event["OldResourceProperties"] = old_properties
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        process = invoke(self.asset, event, self.env)
        self.last_logs = process.stdout + process.stderr
        responses = self.collector.responses(request_id)
        if len(responses) != 1:
            raise RuntimeError(
                f"{request_type} {logical_id}: expected one response, got {len(responses)}; "
                f"exit {process.returncode}, logs:\n{self.last_logs}"
            )
        return responses[0]
