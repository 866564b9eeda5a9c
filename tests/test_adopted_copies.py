"""The provider's copies of the configs it took over (issue 22): SSM parameters under one path.

Its role, as the construct synthesizes it and as release/provider.yaml declares it, deployed by
the offline engine with IAM enforced (offline_cloud/moto_ssm.py): it may get, put and delete a
parameter under `ADOPTED_PARAMETER_PATH` and no other, the release's own ServiceToken parameter
included.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from botocore.exceptions import ClientError

import make_release
from event_invoke_config import EventInvokeConfigProvider
from event_invoke_config_provider.properties import ADOPTED_PARAMETER_PATH
from offline_cloud.engine import CloudFormation
from offline_cloud.fake_aws import REGION
from offline_cloud.iam_roles import Enforcement
from offline_cloud.native_resources import NativeResources
from offline_cloud.physical_resources import Created
from offline_cloud.stack_state import Stack
from offline_cloud.template import Template, load_yaml_template

pytestmark = pytest.mark.slow  # deploys the provider's stacks with IAM enforced
SERVICE_TOKEN_PARAMETER = "/lambda-event-invoke-config/service-token"


def never_called(_stack: Stack, event: dict[str, Any]) -> Created:
    raise AssertionError(f"no custom resource here: {event}")


def construct_template() -> Template:
    """A stack with the construct's provider alone, synthesized in-process."""
    app = cdk.App()
    EventInvokeConfigProvider.of(cdk.Stack(app, "Copies"))
    template: Template = app.synth().get_stack_by_name("Copies").template
    return template


def release_template() -> Template:
    """release/provider.yaml, its code inline (no bucket needed to create the function)."""
    template = load_yaml_template(make_release.TEMPLATE)
    template["Resources"]["Function"]["Properties"]["Code"] = {"ZipFile": "pass"}
    return template


@pytest.fixture
def engine(moto_endpoint: str) -> Iterator[CloudFormation]:
    engine = CloudFormation(NativeResources(moto_endpoint), never_called)
    yield engine
    for stack in list(engine.stacks):
        engine.delete_stack(stack.name)


@contextlib.contextmanager
def ssm_as_role(engine: CloudFormation, stack: Stack, moto_endpoint: str) -> Iterator[Any]:
    """An SSM client with the credentials of the stack's role, checked against its policies."""
    [role] = [r for r in stack.resources.values() if r.type == "AWS::IAM::Role"]
    enforcement = Enforcement(engine.native.role_policies)
    credentials = enforcement.credentials(str(role.physical_id))
    session = boto3.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
        region_name=REGION,
    )
    try:
        yield session.client("ssm", endpoint_url=moto_endpoint)
    finally:
        enforcement.close()


def refusals(ssm: Any, name: str) -> list[str]:
    """The error codes of a get, an overwrite and a delete of the parameter `name`."""
    calls: list[Callable[[], object]] = [
        lambda: ssm.get_parameter(Name=name),
        lambda: ssm.put_parameter(Name=name, Value="x", Type="String", Overwrite=True),
        lambda: ssm.delete_parameter(Name=name),
    ]
    codes = []
    for call in calls:
        try:
            call()
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])
        else:
            codes.append("allowed")
    return codes


@pytest.mark.parametrize("source", ["construct", "release"])
def test_the_providers_role_keeps_copies_under_the_path_and_touches_no_other_parameter(
    engine: CloudFormation, moto_endpoint: str, source: str
) -> None:
    # GIVEN the provider's stack deployed, and parameters outside the path
    unique = uuid.uuid4().hex[:8]
    as_test = boto3.client("ssm", endpoint_url=moto_endpoint, region_name=REGION)
    outside = [
        f"{ADOPTED_PARAMETER_PATH.rstrip('/')}-other/{unique}",  # a sibling of the path
        f"/{unique}{ADOPTED_PARAMETER_PATH}copy",  # the path, deeper down
    ]
    for name in outside:
        as_test.put_parameter(Name=name, Value="kept", Type="String")
    if source == "construct":
        stack = engine.create_stack(f"copies-{unique}", construct_template())
    else:
        token = f"{SERVICE_TOKEN_PARAMETER}-{unique}"  # the stack's own parameter
        given = {
            "FunctionNames": ["async-*"],
            "CodeS3Bucket": "b",
            "ServiceTokenParameterName": token,
        }
        stack = engine.create_stack(f"copies-{unique}", release_template(), given)
        outside.append(token)
    assert stack.status == "CREATE_COMPLETE", stack.reasons("CREATE_FAILED")
    before = {name: as_test.get_parameter(Name=name)["Parameter"] for name in outside}
    with ssm_as_role(engine, stack, moto_endpoint) as ssm:
        # WHEN the role keeps a copy under the path, THEN it may put, get and delete it
        copy = f"{ADOPTED_PARAMETER_PATH}{unique}"
        for value in ("first", "second"):
            ssm.put_parameter(Name=copy, Value=value, Type="String", Overwrite=True)
        assert ssm.get_parameter(Name=copy)["Parameter"]["Value"] == "second"
        ssm.delete_parameter(Name=copy)
        with pytest.raises(ssm.exceptions.ParameterNotFound):
            ssm.get_parameter(Name=copy)
        # and outside the path it is denied each of them
        denied = {name: refusals(ssm, name) for name in outside}
    assert denied == {name: ["AccessDeniedException"] * 3 for name in outside}
    # and nothing it was denied changed
    assert {name: as_test.get_parameter(Name=name)["Parameter"] for name in outside} == before
    for name in outside[:2]:
        as_test.delete_parameter(Name=name)
