"""Issue 22, item 7: a function token that resolves to `ARN:$LATEST` is granted what is called.

The provider addresses an unqualified config (`$LATEST`) by the unqualified function ARN
(`ConfigId.api_target`), so the grant must name that ARN, not `...:$LATEST`; an alias or version
qualifier keeps its exact grant, and `$LATEST.PUBLISHED` is a qualifier of its own. Each test
deploys a CDK app through the offline engine with the stack's own provider and IAM enforced.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import aws_cdk as cdk
import boto3
import pytest

from event_invoke_config import LambdaEventInvokeConfig
from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.local_cloud import create_functions
from offline_cloud.template import Template
from tests.engine_templates import provider_may_delete
from tests.grant_resolver import grant_resolver

pytestmark = pytest.mark.slow


def synth(folder: Path) -> Template:
    """An app with one config on the function the parameter `Worker` names."""
    root = cdk.App(outdir=str(folder))
    stack = cdk.Stack(root, "Latest")
    worker = cdk.CfnParameter(stack, "Worker").value_as_string
    LambdaEventInvokeConfig(stack, "Config", function=worker, retry_attempts=1)
    template: Template = root.synth().get_stack_by_name("Latest").template
    return template


@pytest.mark.parametrize("spelled", ["ARN", "name"])
def test_a_parameter_holding_latest_is_granted_the_unqualified_function(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str, spelled: str
) -> None:
    # GIVEN a function, named by a parameter as `ARN:$LATEST` or `name:$LATEST`
    (arn,) = create_functions(moto_endpoint, "latest")
    value = f"{arn if spelled == 'ARN' else arn.rsplit(':', 1)[1]}:$LATEST"
    name = f"latest-{uuid.uuid4().hex[:8]}"
    # WHEN the config is created, then the stack deleted
    stack = cloud.engine.create_stack(name, synth(tmp_path), {"Worker": value})
    # THEN the provider's calls on the unqualified function were allowed
    assert stack.status == "CREATE_COMPLETE", [e for e in stack.events if e.reason]
    assert cloud.denied_calls == []
    assert read_config(cloud.lambda_client, f"{arn}:$LATEST") is not None
    assert provider_may_delete(cloud, stack, arn) and not provider_may_delete(
        cloud, stack, f"{arn}:$LATEST"
    )
    assert cloud.engine.delete_stack(name).status == "DELETE_COMPLETE"
    assert read_config(cloud.lambda_client, f"{arn}:$LATEST") is None


def grants_of(template: Template, worker: str) -> list[str]:
    """The resources the template's grant policies name once CloudFormation resolves them."""
    resolve = grant_resolver(template, {}, {"Worker": worker})
    return [
        arn
        for body in template["Resources"].values()
        if body["Type"] == "AWS::IAM::ManagedPolicy"
        for statement in resolve(body["Properties"]["PolicyDocument"])["Statement"]
        for arn in statement["Resource"]
    ]


@pytest.mark.parametrize(
    ("qualifier", "expected"),
    [("", ""), (":$LATEST", ""), (":live", ":live"), (":1", ":1"),
     (":$LATEST.PUBLISHED", ":$LATEST.PUBLISHED")],
)  # fmt: skip
@pytest.mark.parametrize("spelled", ["ARN", "name"])
def test_only_a_trailing_latest_is_taken_off_the_grant(
    tmp_path: Path, spelled: str, qualifier: str, expected: str
) -> None:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"
    worker = f"{arn if spelled == 'ARN' else 'orders'}{qualifier}"

    assert grants_of(synth(tmp_path), worker) == [f"{arn}{expected}"]


def test_an_alias_in_the_parameter_is_still_allowed(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    (arn,) = create_functions(moto_endpoint, "qualified")
    client = boto3.client("lambda", endpoint_url=moto_endpoint, region_name=REGION)
    version = client.publish_version(FunctionName=arn)["Version"]
    client.create_alias(FunctionName=arn, Name="live", FunctionVersion=version)
    name = f"latest-{uuid.uuid4().hex[:8]}"

    stack = cloud.engine.create_stack(name, synth(tmp_path), {"Worker": f"{arn}:live"})

    assert stack.status == "CREATE_COMPLETE", [e for e in stack.events if e.reason]
    assert provider_may_delete(cloud, stack, f"{arn}:live") and not provider_may_delete(
        cloud, stack, arn
    )
    assert read_config(cloud.lambda_client, f"{arn}:live") is not None
