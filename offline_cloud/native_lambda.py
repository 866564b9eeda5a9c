"""The Lambda resource types of the offline CloudFormation: functions, versions, aliases, and
`AWS::Lambda::EventInvokeConfig`, created in moto's Lambda (offline_cloud/native_resources.py
dispatches to them).

A function whose `Code` names an S3 object gets that object's bytes, read as Lambda reads them:
from a bucket in the function's own region, else the create fails (CDK's asset bucket aside); an
update that changes `Code` reads them again.
`AWS::Lambda::EventInvokeConfig`'s physical id here is `FunctionName|Qualifier`: the resource's
identifying properties (its schema's primary identifier), joined with `|` as CloudFormation joins
compound identifiers. Its `Ref` is the same.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from .local_cloud import EMPTY_ZIP
from .physical_resources import Created, Properties, ResourceError, physical_name

# CDK's bootstrap bucket: `cdk deploy` publishes the assets there first; the engine runs the
# provider from cdk.out, so a function whose code is there gets an empty zip.
CDK_ASSETS = re.compile(r"cdk-[a-z0-9]+-assets-[0-9]{12}-[a-z0-9-]+")


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


class LambdaResources:
    """Create, Update and Delete of Lambda's resource types, with moto's Lambda and S3 clients."""

    def __init__(self, lambda_client: Any, s3: Any, region: str) -> None:
        self.lambda_client, self._s3, self.region = lambda_client, s3, region

    def delete_function(self, name: str) -> None:
        self._gone_is_fine(self.lambda_client.delete_function, name)

    def _gone_is_fine(self, call: Callable[..., Any], name: str, **kwargs: Any) -> None:
        with contextlib.suppress(self.lambda_client.exceptions.ResourceNotFoundException):
            call(FunctionName=name, **kwargs)

    def create_function(self, stack: str, logical_id: str, props: Properties) -> Created:
        function = self.lambda_client.create_function(
            FunctionName=props.get("FunctionName") or physical_name(stack, logical_id),
            Runtime=props["Runtime"],
            Role=props["Role"],
            Handler=props["Handler"],
            Code={"ZipFile": self._code(props)},
        )
        name = function["FunctionName"]
        return Created(name, {"Ref": name, "Arn": function["FunctionArn"]})

    def update_function(self, name: str, props: Properties) -> None:
        """An update in place: the function gets the code its `Code` names now, read again.

        `Code` is "Update requires: No interruption" ("AWS::Lambda::Function",
        https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
        aws-resource-lambda-function.html); the function's other settings are not modelled.
        """
        self.lambda_client.update_function_code(FunctionName=name, ZipFile=self._code(props))

    def _code(self, props: Properties) -> bytes:
        code = props.get("Code", {})
        if "S3Bucket" in code and not CDK_ASSETS.fullmatch(code["S3Bucket"]):
            return self._code_object(code["S3Bucket"], code["S3Key"])
        return EMPTY_ZIP if code.get("ZipFile") is None else _zip(code["ZipFile"])

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

    def create_version(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        version = self.lambda_client.publish_version(FunctionName=props["FunctionName"])
        arn = version["FunctionArn"]
        return Created(arn, {"Ref": arn, "Version": version["Version"], "FunctionArn": arn})

    def delete_version(self, arn: str) -> None:
        function, _, version = arn.rpartition(":")
        self._gone_is_fine(self.lambda_client.delete_function, function, Qualifier=version)

    def create_alias(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        alias = self.lambda_client.create_alias(
            FunctionName=props["FunctionName"],
            Name=props["Name"],
            FunctionVersion=props["FunctionVersion"],
        )
        return Created(alias["AliasArn"], {"Ref": alias["AliasArn"], "AliasArn": alias["AliasArn"]})

    def update_alias(self, arn: str, props: Properties) -> None:
        function, _, name = arn.rpartition(":")
        self.lambda_client.update_alias(
            FunctionName=function, Name=name, FunctionVersion=props["FunctionVersion"]
        )

    def delete_alias(self, arn: str) -> None:
        function, _, name = arn.rpartition(":")
        self._gone_is_fine(self.lambda_client.delete_alias, function, Name=name)

    def put_config(self, _stack: str, _logical_id: str, props: Properties) -> Created:
        settings = {k: v for k, v in props.items() if k not in ("FunctionName", "Qualifier")}
        self.lambda_client.put_function_event_invoke_config(
            FunctionName=props["FunctionName"], Qualifier=props["Qualifier"], **settings
        )
        physical_id = f"{props['FunctionName']}|{props['Qualifier']}"
        return Created(physical_id, {"Ref": physical_id})

    def delete_config(self, physical_id: str) -> None:
        function, _, qualifier = physical_id.partition("|")
        self._gone_is_fine(
            self.lambda_client.delete_function_event_invoke_config, function, Qualifier=qualifier
        )
