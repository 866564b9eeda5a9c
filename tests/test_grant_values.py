"""Issue 14: grants follow the values CloudFormation resolves, not only the template text.

Each test deploys a small CDK app through the offline engine (offline_cloud/engine.py) with IAM
enforced on every provider call, then changes a value the config's function is named by while
the template text stays the same: a function of the stack replaced, a parameter, an SSM
parameter type, an import whose name is a parameter. The old config must be deleted in the
cleanup phase with nothing denied, the new one written, and afterwards the provider's role must
grant nothing on the old function.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_ssm as ssm

from event_invoke_config import LambdaEventInvokeConfig
from event_invoke_config.grants import MAX_BUCKETS
from event_invoke_config_provider.grant_digest import GRANT_DIGEST_TYPE
from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.fake_aws import ACCOUNT, CREDENTIALS, REGION
from offline_cloud.local_cloud import create_functions
from offline_cloud.native_resources import FAILING_TYPE
from offline_cloud.stack_state import Stack
from offline_cloud.template import Template
from tests.engine_templates import grant_policies, provider_may_delete
from tests.support import new_function

pytestmark = pytest.mark.slow
CUSTOM = "Custom::LambdaEventInvokeConfig"
DELETE = "lambda:DeleteFunctionEventInvokeConfig"
Build = Callable[[cdk.Stack], None]


def synth(folder: Path, build: Build) -> Template:
    root = cdk.App(outdir=str(folder))
    build(cdk.Stack(root, "Values"))
    template: Template = root.synth().get_stack_by_name("Values").template
    return template


def config_on(function: str, construct_id: str = "Config") -> Build:
    """An app with one config on `function` (a name or token), retries 1."""
    return lambda stack: _config(stack, construct_id, function)


def _config(stack: cdk.Stack, construct_id: str, function: Any) -> None:
    LambdaEventInvokeConfig(stack, construct_id, function=function, retry_attempts=1)


def on_parameter(stack: cdk.Stack) -> None:
    _config(stack, "Config", cdk.CfnParameter(stack, "Worker").value_as_string)


def configs(stack: Stack) -> dict[str, str]:
    return {
        logical_id: str(resource.physical_id)
        for logical_id, resource in stack.resources.items()
        if resource.type == CUSTOM
    }


def assert_moved(cloud: LocalCloud, stack: Stack, old: str, new: str, status: str) -> None:
    """`stack` ended in `status`, nothing denied or DELETE_FAILED, the config moved old -> new."""
    assert stack.status == status, [e for e in stack.events if e.reason]
    assert stack.reasons("DELETE_FAILED") == []
    assert cloud.denied_calls == []
    assert read_config(cloud.lambda_client, f"{new}:$LATEST") is not None
    assert read_config(cloud.lambda_client, f"{old}:$LATEST") is None, "the old config is left"
    assert provider_may_delete(cloud, stack, new)
    assert not provider_may_delete(cloud, stack, old), "the old function is still granted"


def _name(function_arn: str) -> str:
    return function_arn.rsplit(":", 1)[1]


def deploy(cloud: LocalCloud, name: str, template: Template, **parameters: str) -> Stack:
    """Create the stack; it must complete."""
    stack = cloud.engine.create_stack(name, template, parameters)
    assert stack.status == "CREATE_COMPLETE", [e for e in stack.events if e.reason]
    return stack


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def test_a_replaced_function_of_the_stack_moves_its_config(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    name = f"values-{uuid.uuid4().hex[:8]}"

    def version(function_name: str) -> Build:
        return lambda stack: _config(
            stack, "Config", new_function(stack, "Fn", function_name=function_name)
        )

    first = synth(tmp_path / "v1", version(f"{name}-v1"))
    second = synth(tmp_path / "v2", version(f"{name}-v2"))
    assert _without_names(first) == _without_names(second), "only the name differs"
    deploy(cloud, name, first)

    updated = cloud.engine.update_stack(name, second)

    assert_moved(cloud, updated, arn(f"{name}-v1"), arn(f"{name}-v2"), "UPDATE_COMPLETE")


def _without_names(template: Template) -> Template:
    resources = {
        logical_id: {
            **body,
            "Properties": {
                k: v for k, v in body.get("Properties", {}).items() if k != "FunctionName"
            },
        }
        for logical_id, body in template["Resources"].items()
    }
    return {**template, "Resources": resources}


def test_a_parameter_moves_the_config(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    a, b = create_functions(moto_endpoint, "param", 2)
    name = f"values-{uuid.uuid4().hex[:8]}"
    template = synth(tmp_path, on_parameter)
    deploy(cloud, name, template, Worker=_name(a))

    updated = cloud.engine.update_stack(name, template, {"Worker": _name(b)})

    assert_moved(cloud, updated, a, b, "UPDATE_COMPLETE")
    cloud.engine.delete_stack(name)
    assert read_config(cloud.lambda_client, f"{b}:$LATEST") is None


def test_an_ssm_parameter_type_moves_the_config(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    a, b = create_functions(moto_endpoint, "ssm", 2)
    client = boto3.client("ssm", endpoint_url=moto_endpoint, region_name=REGION, **_credentials())
    parameter = f"/values/{uuid.uuid4().hex[:8]}"
    template = synth(
        tmp_path,
        lambda stack: _config(
            stack, "Config", ssm.StringParameter.value_for_string_parameter(stack, parameter)
        ),
    )
    client.put_parameter(Name=parameter, Value=_name(a), Type="String")
    name = f"values-{uuid.uuid4().hex[:8]}"
    deploy(cloud, name, template)
    client.put_parameter(Name=parameter, Value=_name(b), Type="String", Overwrite=True)

    updated = cloud.engine.update_stack(name, template)

    assert_moved(cloud, updated, a, b, "UPDATE_COMPLETE")


@pytest.mark.parametrize("form", ["name", "ARN"])
def test_an_import_named_by_a_parameter_moves_the_config(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str, form: str
) -> None:
    # An import may hold the function's name or its ARN: either is granted and moved.
    a, b = create_functions(moto_endpoint, "import", 2)
    held = _name if form == "name" else str
    prefix = uuid.uuid4().hex[:8]
    exports = {
        "Resources": {"Metadata": {"Type": "AWS::CDK::Metadata"}},
        "Outputs": {
            key: {"Value": value, "Export": {"Name": f"{prefix}-{key}"}}
            for key, value in (("A", held(a)), ("B", held(b)))
        },
    }
    cloud.engine.create_stack(f"exports-{prefix}", exports)
    template = synth(
        tmp_path,
        lambda stack: _config(
            stack, "Config", cdk.Fn.import_value(cdk.CfnParameter(stack, "Export").value_as_string)
        ),
    )
    name = f"values-{prefix}"
    deploy(cloud, name, template, Export=f"{prefix}-A")

    updated = cloud.engine.update_stack(name, template, {"Export": f"{prefix}-B"})

    assert_moved(cloud, updated, a, b, "UPDATE_COMPLETE")


def test_a_change_of_values_in_every_bucket_replaces_every_bucket(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    ids = _one_config_per_bucket(tmp_path / "probe")
    olds = create_functions(moto_endpoint, "old", len(ids))
    news = create_functions(moto_endpoint, "new", len(ids))

    def build(stack: cdk.Stack) -> None:
        for config_id in ids:
            _config(stack, config_id, cdk.CfnParameter(stack, f"{config_id}Fn").value_as_string)

    template = synth(tmp_path / "app", build)
    name = f"values-{uuid.uuid4().hex[:8]}"
    deployed = deploy(cloud, name, template, **_parameters(ids, olds))
    old_policies = grant_policies(deployed)
    assert len(old_policies) == MAX_BUCKETS

    updated = cloud.engine.update_stack(name, template, _parameters(ids, news))

    assert grant_policies(updated).isdisjoint(old_policies), "every bucket replaced"
    for old, new in zip(olds, news, strict=True):
        assert_moved(cloud, updated, old, new, "UPDATE_COMPLETE")


def test_names_echoed_by_several_digests_grant_every_config(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    # GIVEN 16 configs on functions named by parameters: more names than one digest echoes
    arns = create_functions(moto_endpoint, "echoed", 16)

    def build(stack: cdk.Stack) -> None:
        for index in range(len(arns)):
            _config(stack, f"Config{index}", cdk.CfnParameter(stack, f"Fn{index}").value_as_string)

    template = synth(tmp_path, build)
    digests = [r for r in template["Resources"].values() if r["Type"] == GRANT_DIGEST_TYPE]
    assert len(digests) == 2
    # WHEN the stack is created, then deleted
    name = f"values-{uuid.uuid4().hex[:8]}"
    deployed = deploy(cloud, name, template, **{f"Fn{i}": _name(a) for i, a in enumerate(arns)})
    # THEN each config was written and removed with its grant, nothing denied
    assert all(read_config(cloud.lambda_client, f"{a}:$LATEST") for a in arns)
    assert all(provider_may_delete(cloud, deployed, arn) for arn in arns)
    assert cloud.engine.delete_stack(name).status == "DELETE_COMPLETE"
    assert cloud.denied_calls == []
    assert not any(read_config(cloud.lambda_client, f"{a}:$LATEST") for a in arns)


def _one_config_per_bucket(folder: Path) -> list[str]:
    """Config ids whose grants land in each bucket, read from a synthesized template.

    A bucket is chosen by the granted ARN, here made from the parameter `{config id}Fn`.
    """

    def build(stack: cdk.Stack) -> None:
        for index in range(40):
            _config(
                stack, f"Config{index}", cdk.CfnParameter(stack, f"Config{index}Fn").value_as_string
            )

    template = synth(folder, build)
    [digest] = [
        r
        for r in template["Resources"].values()
        if r["Type"] == GRANT_DIGEST_TYPE and "Buckets" in r["Properties"]
    ]
    first_by_bucket = {
        bucket: min(int(json.dumps(arn).split('"Config')[1].split("Fn")[0]) for arn in arns)
        for bucket, arns in digest["Properties"]["Buckets"].items()
    }
    return [f"Config{index}" for index in sorted(first_by_bucket.values())]


def _parameters(ids: list[str], arns: list[str]) -> dict[str, str]:
    return {f"{i}Fn": _name(a) for i, a in zip(ids, arns, strict=True)}


def test_a_rolled_back_parameter_change_leaves_the_old_config_and_grant(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    a, b = create_functions(moto_endpoint, "rollback", 2)
    name = f"values-{uuid.uuid4().hex[:8]}"
    template = synth(tmp_path, on_parameter)
    deployed = deploy(cloud, name, template, Worker=_name(a))
    [config_id] = configs(deployed)
    failing = {**template, "Resources": dict(template["Resources"])}
    failing["Resources"]["Fails"] = {"Type": FAILING_TYPE, "DependsOn": [config_id]}

    rolled_back = cloud.engine.update_stack(name, failing, {"Worker": _name(b)})

    assert_moved(cloud, rolled_back, b, a, "UPDATE_ROLLBACK_COMPLETE")


def test_without_the_digest_the_cleanup_delete_is_denied(
    cloud: LocalCloud, tmp_path: Path, moto_endpoint: str
) -> None:
    """The mechanism on its own: policies whose Description does not carry the digest are
    updated in place, and the old config's cleanup Delete is denied."""
    a, b = create_functions(moto_endpoint, "nodigest", 2)
    name = f"values-{uuid.uuid4().hex[:8]}"
    template = synth(tmp_path, on_parameter)
    for body in template["Resources"].values():
        if body["Type"] == "AWS::IAM::ManagedPolicy":
            body["Properties"]["Description"] = "Event invoke config grants"
    deploy(cloud, name, template, Worker=_name(a))

    updated = cloud.engine.update_stack(name, template, {"Worker": _name(b)})

    assert updated.status == "UPDATE_COMPLETE", "a failed cleanup Delete does not fail the stack"
    assert [event.physical_id for event in updated.events if event.status == "DELETE_FAILED"] == [
        f"{a}:$LATEST"
    ]
    assert [(c.action, c.resource) for c in cloud.denied_calls] == [(DELETE, a)]
    assert read_config(cloud.lambda_client, f"{a}:$LATEST") is not None, "left behind"
    cloud.iam.calls.clear()


def _credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
