"""Issue 9: a grant outlives every config it covers, through CloudFormation's phases.

Each test synthesizes two versions of a small CDK app, deploys the first through the offline
engine (offline_cloud/engine.py) and updates the stack to the second, with IAM enforced on every
call the provider makes (offline_cloud/iam_roles.py): the old config's cleanup Delete must be
allowed, leave no DELETE_FAILED and remove the config from Lambda. `shape` is how the grants are
built: "construct", the construct as shipped (`LambdaEventInvokeConfig` and its provider); or
"config_grants", `ConfigGrants` wired by hand to a bare provider role, which pins the ordering
model (content-addressed policies that the configs depend on) on its own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from event_invoke_config import EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config.adopted_copies import allow_copies
from event_invoke_config.grants import MAX_BUCKETS, ConfigGrants
from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.native_resources import FAILING_TYPE
from offline_cloud.stack_state import Stack
from offline_cloud.template import Template, load_template
from tests.support import new_function

pytestmark = pytest.mark.slow
CUSTOM = "Custom::LambdaEventInvokeConfig"
BUCKET_PREFIX = "EventInvokeConfigProviderGrantsBucket"
DELETE = "lambda:DeleteFunctionEventInvokeConfig"
SHAPES = ["construct", "config_grants"]


@dataclass(frozen=True)
class On:
    """What a config configures: a function of the app (by construct id), maybe its alias."""

    function: str
    alias: str | None = None


@dataclass(frozen=True)
class AppVersion:
    """One version of the app: its functions (each with a `live` alias) and configs."""

    functions: tuple[str, ...]
    configs: Mapping[str, On]


def synth(folder: Path, app: AppVersion, shape: str, *, vpc: bool = False) -> Template:
    """The stack template of `app`, with its grants built the `shape` way (`vpc`: the
    construct's provider in a VPC)."""
    root = cdk.App(outdir=str(folder))
    stack = cdk.Stack(root, "Grants")
    if vpc:
        network = ec2.Vpc.from_vpc_attributes(
            stack,
            "Vpc",
            vpc_id="vpc-1",
            availability_zones=["us-east-1a"],
            private_subnet_ids=["subnet-1"],
        )
        EventInvokeConfigProvider.of(stack, vpc=network)
    functions = {name: new_function(stack, name) for name in app.functions}
    aliases = {
        name: lambda_.Alias(stack, f"{name}Live", alias_name="live", version=fn.current_version)
        for name, fn in functions.items()
    }
    by_hand = _bare_provider(stack) if shape == "config_grants" else None
    for config_id, on in app.configs.items():
        function, alias = functions[on.function], aliases[on.function]
        if by_hand is None:
            target = alias if on.alias else function
            LambdaEventInvokeConfig(stack, config_id, function=target, retry_attempts=1)
            continue
        provider, grants = by_hand
        properties = {
            "ServiceToken": provider.function_arn,
            "ServiceTimeout": "120",
            "FunctionName": function.function_arn,
            "MaximumRetryAttempts": 1,
        }
        if on.alias:
            properties["Qualifier"] = on.alias
        config = cdk.CfnResource(stack, config_id, type=CUSTOM, properties=properties)
        config.node.add_dependency(alias)
        grants.grant(
            config, [f"{function.function_arn}:{on.alias}" if on.alias else function.function_arn]
        )
    template: Template = root.synth().get_stack_by_name("Grants").template
    return template


def _bare_provider(stack: cdk.Stack) -> tuple[lambda_.Function, ConfigGrants]:
    """A provider function whose role reads its own stack; configs get `ConfigGrants`."""
    role = iam.Role(stack, "ProviderRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["cloudformation:ListStackResources", "cloudformation:DescribeStacks"],
            resources=[stack.stack_id],
        )
    )
    allow_copies(role)  # as the provider's own role: the copies of configs taken over
    provider = new_function(stack, "Provider", role=role)
    grants = ConfigGrants(
        stack, "Grants", role=role, service_token=provider.function_arn, service_timeout=120
    )
    return provider, grants


def configs(stack: Stack) -> dict[str, str]:
    """Physical id (the config's qualified ARN) by logical id, of the stack's configs."""
    return {
        logical_id: str(resource.physical_id)
        for logical_id, resource in stack.resources.items()
        if resource.type == CUSTOM
    }


def api_resource(physical_id: str) -> str:
    """The ARN a call on this config names: unqualified for `$LATEST`, as the provider calls."""
    return physical_id.removesuffix(":$LATEST")


def assert_clean(cloud: LocalCloud, stack: Stack, status: str) -> None:
    """The operation ended in `status` with no DELETE_FAILED and no call denied."""
    assert stack.status == status, [e for e in stack.events if e.reason]
    assert stack.reasons("DELETE_FAILED") == []
    assert cloud.denied_calls == []


def test_every_call_the_demo_apps_provider_makes_is_checked_and_allowed(
    cloud: LocalCloud, cdk_out: Path
) -> None:
    template = load_template(cdk_out, "EventInvokeConfigDemo")

    assert_clean(cloud, cloud.engine.create_stack("demo", template), "CREATE_COMPLETE")
    assert_clean(cloud, cloud.engine.delete_stack("demo"), "DELETE_COMPLETE")

    [role] = {exchange.role for exchange in cloud.provider.history}
    assert role is not None and "EventInvokeConfigProvider" in role, "the stack's provider role"
    assert {call.action for call in cloud.iam.calls} >= {
        "lambda:GetFunctionEventInvokeConfig",
        "lambda:PutFunctionEventInvokeConfig",
        DELETE,
        "cloudformation:DescribeStacks",  # a teardown's Deletes read the stack's status alone
    }


SCENARIOS = {
    "remove a config": (
        AppVersion(("A", "B"), {"ConfigA": On("A"), "ConfigB": On("B")}),
        AppVersion(("A", "B"), {"ConfigB": On("B")}),
    ),
    "move a config to another function": (
        AppVersion(("A", "B"), {"Config": On("A")}),
        AppVersion(("A", "B"), {"Config": On("B")}),
    ),
    "move a config to another qualifier": (
        AppVersion(("A",), {"Config": On("A")}),
        AppVersion(("A",), {"Config": On("A", "live")}),
    ),
    "remove a function with its config": (
        AppVersion(("A", "B"), {"ConfigA": On("A"), "ConfigB": On("B")}),
        AppVersion(("B",), {"ConfigB": On("B")}),
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("change", list(SCENARIOS))
def test_the_old_config_is_deleted_and_nothing_is_denied(
    cloud: LocalCloud, tmp_path: Path, change: str, shape: str
) -> None:
    before, after = SCENARIOS[change]
    name = f"grants-{uuid.uuid4().hex[:8]}"
    deployed = cloud.engine.create_stack(name, synth(tmp_path / "v1", before, shape))
    assert_clean(cloud, deployed, "CREATE_COMPLETE")
    old = set(configs(deployed).values())

    updated = cloud.engine.update_stack(name, synth(tmp_path / "v2", after, shape))

    assert_clean(cloud, updated, "UPDATE_COMPLETE")
    new = set(configs(updated).values())
    assert all(read_config(cloud.lambda_client, arn) is not None for arn in new)
    gone = old - new
    assert gone, "the change leaves a config behind to delete"
    for physical_id in gone:
        assert read_config(cloud.lambda_client, physical_id) is None, physical_id
        deletes = [
            c
            for c in cloud.iam.calls
            if (c.action, c.resource) == (DELETE, api_resource(physical_id))
        ]
        assert deletes and all(c.allowed for c in deletes), "checked against the grants, allowed"

    assert_clean(cloud, cloud.engine.delete_stack(name), "DELETE_COMPLETE")
    assert all(read_config(cloud.lambda_client, arn) is None for arn in new)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_move_that_rolls_back_deletes_the_new_config_and_keeps_the_old(
    cloud: LocalCloud, tmp_path: Path, shape: str
) -> None:
    before, after = SCENARIOS["move a config to another function"]
    name = f"grants-{uuid.uuid4().hex[:8]}"
    deployed = cloud.engine.create_stack(name, synth(tmp_path / "v1", before, shape))
    assert_clean(cloud, deployed, "CREATE_COMPLETE")
    [(logical_id, on_a)] = configs(deployed).items()
    failing = synth(tmp_path / "v2", after, shape)
    failing["Resources"]["Fails"] = {"Type": FAILING_TYPE, "DependsOn": [logical_id]}

    rolled_back = cloud.engine.update_stack(name, failing)

    assert_clean(cloud, rolled_back, "UPDATE_ROLLBACK_COMPLETE")
    assert configs(rolled_back) == {logical_id: on_a}
    assert read_config(cloud.lambda_client, on_a) is not None
    [moved_to] = {c.resource for c in cloud.iam.calls if c.action == DELETE}
    assert moved_to != api_resource(on_a)
    assert read_config(cloud.lambda_client, f"{moved_to}:$LATEST") is None


def test_a_grant_shrunk_in_the_update_phase_denies_the_cleanup_delete(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    """The shape before issue 9: one policy, updated in place, that lists every target."""
    template = synth(tmp_path / "v1", SCENARIOS["remove a config"][0], "config_grants")
    name = f"grants-{uuid.uuid4().hex[:8]}"
    inline = _as_one_inline_policy(template)
    deployed = cloud.engine.create_stack(name, inline)
    assert_clean(cloud, deployed, "CREATE_COMPLETE")
    [config_a] = [
        arn for logical, arn in configs(deployed).items() if logical.startswith("ConfigA")
    ]

    shrunk = _as_one_inline_policy(
        synth(tmp_path / "v2", SCENARIOS["remove a config"][1], "config_grants")
    )
    updated = cloud.engine.update_stack(name, shrunk)

    assert updated.status == "UPDATE_COMPLETE", "a failed cleanup Delete does not fail the stack"
    [failed] = [event for event in updated.events if event.status == "DELETE_FAILED"]
    assert failed.physical_id == config_a
    [denied] = cloud.denied_calls
    assert (denied.action, denied.resource) == (DELETE, api_resource(config_a))
    assert "because no identity-based policy allows" in denied.message
    assert read_config(cloud.lambda_client, config_a) is not None, "left behind"
    cloud.iam.calls.clear()


def _as_one_inline_policy(template: Template) -> Template:
    """`template` with its ConfigGrants managed policies merged into one inline policy."""
    resources: dict[str, Any] = template["Resources"]
    buckets = {k for k, v in resources.items() if v["Type"] == "AWS::IAM::ManagedPolicy"}
    statements = [
        s
        for k in sorted(buckets)
        for s in resources[k]["Properties"]["PolicyDocument"]["Statement"]
    ]
    role = resources[min(buckets)]["Properties"]["Roles"]
    merged = {k: v for k, v in resources.items() if k not in buckets}
    for body in merged.values():
        if buckets & set(body.get("DependsOn", [])):
            body["DependsOn"] = [*(set(body["DependsOn"]) - buckets), "ConfigAccess"]
    merged["ConfigAccess"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "ConfigAccess",
            "Roles": role,
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        },
    }
    return {**template, "Resources": merged}


def one_function_per_bucket(folder: Path, *, vpc: bool) -> tuple[str, ...]:
    """Functions whose configs land each in another bucket, read from a probe synth.

    grants.py homes a config by its granted ARN, here `Fn::GetAtt <function> Arn`, which
    depends only on the function's construct id: named in lowercase letters, so that the
    logical id (id and an uppercase hex hash) reads back.
    """
    names = tuple(f"F{a}{b}" for a in "abcd" for b in "abcdefghij")
    probe = AppVersion(names, {f"Config{name}": On(name) for name in names})
    resources = synth(folder, probe, "construct", vpc=vpc)["Resources"]
    first: dict[str, str] = {}
    for body in resources.values():
        if body["Type"] == CUSTOM:
            [bucket] = [d for d in body["DependsOn"] if d.startswith(BUCKET_PREFIX)]
            function_id = body["Properties"]["FunctionName"]["Fn::GetAtt"][0]
            name = re.fullmatch(r"(F[a-z]+)[0-9A-F]{8}", function_id)
            assert name is not None, function_id
            first.setdefault(bucket, name[1])
    return tuple(sorted(first.values()))


@pytest.mark.parametrize("vpc", [False, True], ids=["5 buckets", "4 buckets and the VPC policy"])
def test_a_change_to_every_bucket_at_once_stays_within_the_roles_10_managed_policies(
    cloud: LocalCloud, tmp_path: Path, vpc: bool
) -> None:
    """At the update's peak the role holds every old and every new bucket policy (and the AWS
    managed VPC policy): the engine refuses an 11th (offline_cloud/iam_roles.py), so this deploys
    only if the construct leaves room."""
    functions = one_function_per_bucket(tmp_path / "probe", vpc=vpc)
    assert len(functions) == (MAX_BUCKETS - 1 if vpc else MAX_BUCKETS)
    ids = [f"Config{name}" for name in functions]
    before = AppVersion(functions, {i: On(f) for i, f in zip(ids, functions, strict=True)})
    after = AppVersion(functions, {i: On(f, "live") for i, f in zip(ids, functions, strict=True)})
    name = f"grants-{uuid.uuid4().hex[:8]}"
    deployed = cloud.engine.create_stack(name, synth(tmp_path / "v1", before, "construct", vpc=vpc))
    assert_clean(cloud, deployed, "CREATE_COMPLETE")
    old_buckets, old_configs = _bucket_policies(deployed), set(configs(deployed).values())
    assert len(old_buckets) == len(ids), "one config in each bucket"

    updated = cloud.engine.update_stack(name, synth(tmp_path / "v2", after, "construct", vpc=vpc))

    assert_clean(cloud, updated, "UPDATE_COMPLETE")
    assert _bucket_policies(updated).isdisjoint(old_buckets), "every bucket changed"
    assert all(
        read_config(cloud.lambda_client, arn) is not None for arn in configs(updated).values()
    )
    assert all(read_config(cloud.lambda_client, arn) is None for arn in old_configs)
    assert_clean(cloud, cloud.engine.delete_stack(name), "DELETE_COMPLETE")


def _bucket_policies(stack: Stack) -> set[str]:
    return {
        str(resource.physical_id)
        for resource in stack.resources.values()
        if resource.type == "AWS::IAM::ManagedPolicy"
    }
