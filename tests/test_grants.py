"""The construct's grants fit IAM's quotas at the largest stack and outlive the configs they cover.

The deployed sizes are read here independently of `iam_limits`: the template's intrinsics are
resolved to the longest values (the `aws-us-gov` partition, a made-up region name as long as
`iam_limits`' floor, CloudFormation-generated function names of 64 characters), and the compact
JSON is measured.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import botocore.loaders
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from benchmarks import scale
from event_invoke_config import RESOURCE_TYPE, LambdaEventInvokeConfig, iam_limits
from event_invoke_config.grants import CONFIG_ACTIONS, ConfigGrants, GrantCapacityError
from tests.support import new_function

# No region has a 20-character name yet (the longest, us-isof-south-1, has 15).
PSEUDO = {"AWS::Partition": "aws-us-gov", "AWS::Region": "us-isof-southeast-10"}
ACCOUNT = "123456789012"
ORDERS = "arn:aws:lambda:us-east-1:123456789012:function:orders"
# IAM: the inline policies of one role hold at most 10,240 characters together.
INLINE_POLICIES_MAX_CHARS_PER_ROLE = 10_240


class Deployed:
    """A template's values as they deploy at their longest; refuses what it cannot read."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.resources: Mapping[str, Any] = template["Resources"]

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            return self.get_att(*value["Fn::GetAtt"])
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(self(parts))
        return {key: self(item) for key, item in value.items()}

    def function_arn(self, name: str) -> str:
        return f"{self.arn_prefix('lambda')}function:{name}"

    @staticmethod
    def arn_prefix(service: str) -> str:
        return f"arn:{PSEUDO['AWS::Partition']}:{service}:{PSEUDO['AWS::Region']}:{ACCOUNT}:"

    def ref(self, name: str) -> str:
        if name == "AWS::AccountId":
            return ACCOUNT
        if name == "AWS::StackId":
            stack = f"stack/{'s' * 128}/{'u' * 36}"
            return f"{self.arn_prefix('cloudformation')}{stack}"
        if name in PSEUDO:
            return PSEUDO[name]
        body = self.resources[name]
        properties = body.get("Properties", {})
        if body["Type"] == "AWS::Lambda::Function":
            return properties.get("FunctionName") or (name + "-" + "x" * 64)[:64]
        if body["Type"] == "AWS::Lambda::Alias":
            return f"{self.function_arn(self(properties['FunctionName']))}:{properties['Name']}"
        if body["Type"] == "AWS::IAM::Role":
            return (name + "-" + "x" * 64)[:64]
        raise AssertionError(f"no deployed value for Ref {name} ({body['Type']})")

    def get_att(self, name: str, attribute: str) -> str:
        body = self.resources[name]
        if (body["Type"], attribute) == ("AWS::Lambda::Function", "Arn"):
            return self.function_arn(self.ref(name))
        if body["Type"] == "AWS::SQS::Queue" and attribute == "Arn":
            return f"{self.arn_prefix('sqs')}{name}"
        if body["Type"] == "AWS::Logs::LogGroup" and attribute == "Arn":
            return f"{self.arn_prefix('logs')}log-group:/aws/lambda/{'x' * 64}:*"
        raise AssertionError(f"no deployed value for {name}.{attribute} ({body['Type']})")


def compact_length(document: Any) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def of_type(template: Mapping[str, Any], resource_type: str) -> Mapping[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def attached_to(policy: Mapping[str, Any], role: str) -> bool:
    return {"Ref": role} in policy["Properties"].get("Roles", [])


def assert_within_iam_quotas(template: Mapping[str, Any]) -> None:
    """Every role: managed policies ≤ 6,144 each and ≤ 10 at an update's peak; inline ≤ 10,240."""
    deployed = Deployed(template)
    managed_policies = of_type(template, "AWS::IAM::ManagedPolicy")
    for logical_id, policy in managed_policies.items():
        size = compact_length(deployed(policy["Properties"]["PolicyDocument"]))
        assert size <= iam_limits.MANAGED_POLICY_MAX_CHARS, (logical_id, size)
    for role_id, role in of_type(template, "AWS::IAM::Role").items():
        ours = [p for p in managed_policies.values() if attached_to(p, role_id)]
        others = len(role["Properties"].get("ManagedPolicyArns", []))
        # Every bucket changes in one update: old and new are attached until the cleanup phase.
        assert others + 2 * len(ours) <= iam_limits.MANAGED_POLICIES_PER_ROLE, role_id
        inline = [
            p["Properties"]["PolicyDocument"]
            for p in of_type(template, "AWS::IAM::Policy").values()
            if attached_to(p, role_id)
        ] + [p["PolicyDocument"] for p in role["Properties"].get("Policies", [])]
        inline_size = sum(compact_length(deployed(document)) for document in inline)
        assert inline_size <= INLINE_POLICIES_MAX_CHARS_PER_ROLE, role_id


@pytest.mark.slow
@pytest.mark.parametrize("kind", scale.KINDS)
def test_the_largest_stack_of_each_kind_fits_iam_within_5_percent_of_native(kind: str) -> None:
    # GIVEN the largest N of each way under 500 resources
    ours = scale.largest(scale.this_design, kind)
    theirs = scale.largest(scale.native, kind)
    # WHEN
    template = scale.template(scale.this_design, kind, ours.configs)
    # THEN
    assert ours.configs >= 0.95 * theirs.configs
    assert len(template["Resources"]) + scale.CDK_METADATA_RESOURCES <= scale.STACK_RESOURCES_MAX
    assert len(of_type(template, RESOURCE_TYPE)) == ours.configs
    assert len(of_type(template, "AWS::IAM::ManagedPolicy")) == 5
    assert_within_iam_quotas(template)


def grant_stack(arns: list[str]) -> Template:
    """A stack with one config per literal function ARN."""
    stack = cdk.Stack(cdk.App(), "Grants")
    for index, arn in enumerate(arns):
        LambdaEventInvokeConfig(stack, f"Config{index}", function=arn)
    return Template.from_stack(stack)


def bucket_ids(template: Template) -> set[str]:
    return set(template.find_resources("AWS::IAM::ManagedPolicy"))


@pytest.mark.parametrize("changed", ["added", "removed"])
def test_adding_or_removing_one_config_replaces_exactly_one_bucket(changed: str) -> None:
    arns = [f"{ORDERS}-{index}" for index in range(41)]
    before = bucket_ids(grant_stack(arns[:40]))
    after = bucket_ids(grant_stack(arns if changed == "added" else arns[:39]))

    assert len(before) == len(after) == 5
    assert len(before - after) == len(after - before) == 1


def in_app_stack(change: str) -> cdk.Stack:
    """Five functions with a config each; `change` applied to the third (index 2)."""
    stack = cdk.Stack(cdk.App(), "Grants")
    for index in range(5):
        if index == 2 and change == "function removed":
            continue
        fn = new_function(stack, f"Fn{index}")
        if index == 2 and change == "config removed":
            continue
        target: lambda_.IFunction = fn
        if index == 2 and change == "moved to an alias":
            target = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
        if index == 2 and change == "moved to another function":
            target = new_function(stack, "Fn99")
        LambdaEventInvokeConfig(stack, f"Config{index}", function=target)
    return stack


def grant_of(template: Mapping[str, Any], config: str) -> str:
    """The one bucket policy the config depends on."""
    buckets = of_type(template, "AWS::IAM::ManagedPolicy")
    (bucket,) = [name for name in template["Resources"][config]["DependsOn"] if name in buckets]
    return str(bucket)


@pytest.mark.parametrize(
    "change",
    ["config removed", "function removed", "moved to an alias", "moved to another function"],
)
def test_a_change_to_a_config_replaces_the_policy_that_granted_it(change: str) -> None:
    # GIVEN a deployed stack, where the third config depends on the policy that grants it
    before_stack = in_app_stack("none")
    before = Template.from_stack(before_stack).to_json()
    config_id = before_stack.get_logical_id(
        before_stack.node.find_child("Config2").node.find_child("Resource")  # type: ignore[arg-type]
    )
    old_grant = grant_of(before, config_id)
    # WHEN the config is removed or moved
    after = Template.from_stack(in_app_stack(change)).to_json()
    # THEN its old grant is a resource the new template drops: CloudFormation deletes it in the
    # cleanup phase, in the previous template's reverse dependency order, after the old config
    assert old_grant not in after["Resources"]
    # and at most one policy is new (none when the old one granted that config alone)
    assert len(bucket_ids(Template.from_json(after)) - set(before["Resources"])) <= 1
    for config in of_type(after, RESOURCE_TYPE):
        assert grant_of(after, config) in after["Resources"]


def test_each_config_depends_on_the_one_bucket_that_grants_its_arn() -> None:
    template = grant_stack([f"{ORDERS}-{index}" for index in range(12)]).to_json()
    buckets = of_type(template, "AWS::IAM::ManagedPolicy")

    for name, config in of_type(template, RESOURCE_TYPE).items():
        statement = buckets[grant_of(template, name)]["Properties"]["PolicyDocument"]["Statement"]
        assert statement == [
            {
                "Effect": "Allow",
                "Action": list(CONFIG_ACTIONS),
                "Resource": statement[0]["Resource"],
            }
        ]
        assert config["Properties"]["FunctionName"] in statement[0]["Resource"]


def test_an_alias_config_is_granted_only_its_qualified_arn() -> None:
    template = scale.template(scale.this_design, "alias", 2)
    functions = of_type(template, "AWS::Lambda::Function")

    granted = [
        resource
        for policy in of_type(template, "AWS::IAM::ManagedPolicy").values()
        for resource in policy["Properties"]["PolicyDocument"]["Statement"][0]["Resource"]
    ]
    assert sorted(granted, key=json.dumps) == sorted(
        (
            {"Fn::Join": ["", [{"Fn::GetAtt": [name, "Arn"]}, ":live"]]}
            for name in functions
            if name.startswith("Fn")
        ),
        key=json.dumps,
    )


def plain_role(stack: cdk.Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def plain_grants(stack: cdk.Stack, **options: Any) -> ConfigGrants:
    """`ConfigGrants` on a plain role, its digest served by a provider of another stack."""
    return ConfigGrants(
        stack,
        "Grants",
        role=plain_role(stack),
        service_token=f"{ORDERS}-provider",
        service_timeout=300,
        **options,
    )


def test_when_every_bucket_is_full_synth_fails_naming_the_config() -> None:
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = plain_grants(stack, buckets=1)
    long_name = "x" * 64

    with pytest.raises(GrantCapacityError, match=r"no room to grant Grants/Config\d+: .* full"):
        for index in range(60):
            arn = f"{ORDERS}-{index}-{long_name}"[: len(ORDERS) + 64]
            config = cdk.CfnResource(stack, f"Config{index}", type=RESOURCE_TYPE)
            grants.grant(config, [arn])


@pytest.mark.parametrize(
    ("resources", "problem"),
    [([], "at least one"), ([f"{ORDERS}:*"], "without wildcards"), (["orders-?"], "wildcards")],
)
def test_a_grant_names_exact_arns(resources: list[str], problem: str) -> None:
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = plain_grants(stack)
    config = cdk.CfnResource(stack, "Config", type=RESOURCE_TYPE)

    with pytest.raises(ValueError, match=problem):
        grants.grant(config, resources)


@pytest.mark.parametrize(("buckets", "error"), [("5", TypeError), (0, ValueError), (6, ValueError)])
def test_buckets_is_checked(buckets: Any, error: type[Exception]) -> None:
    stack = cdk.Stack(cdk.App(), "Grants")
    with pytest.raises(error, match="buckets must"):
        plain_grants(stack, buckets=buckets)


def test_the_estimate_of_lambda_references_is_the_longest_deployed_value() -> None:
    stack = cdk.Stack(cdk.App(), "Scale")
    scale.this_design(stack, "alias", 1)
    fn = stack.node.find_child("Fn0")
    alias = stack.node.find_child("Alias0")
    assert isinstance(fn, lambda_.Function) and isinstance(alias, lambda_.Alias)
    deployed = Deployed(Template.from_stack(stack).to_json())
    values = [fn.function_arn, f"{fn.function_arn}:live", alias.function_arn]
    lengths = iam_limits.reference_lengths(stack, [(v, stack.resolve(v)) for v in values])

    for value in values:
        resolved = stack.resolve(value)
        assert iam_limits.deployed_length(resolved, lengths) == len(deployed(resolved)), resolved


def test_a_literal_document_counts_as_its_compact_json() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": [ORDERS]}]}

    assert iam_limits.policy_length(document, {}) == compact_length(document)


def test_a_bucket_filled_to_capacity_still_deploys_within_the_limit() -> None:
    # GIVEN one bucket, granted configs on functions with generated names until it is full
    stack = cdk.Stack(cdk.App(), "Full")
    grants = plain_grants(stack, buckets=1)
    granted = 0
    with pytest.raises(GrantCapacityError):
        for index in range(100):
            fn = new_function(stack, f"Fn{index}")
            config = cdk.CfnResource(stack, f"Config{index}", type=RESOURCE_TYPE)
            grants.grant(config, [fn.function_arn])
            granted += 1
    # WHEN
    template = Template.from_stack(stack).to_json()
    # THEN the longest deployed document is within the limit, and one more ARN would not be
    (policy,) = of_type(template, "AWS::IAM::ManagedPolicy").values()
    document = Deployed(template)(policy["Properties"]["PolicyDocument"])
    one_more = len(document["Statement"][0]["Resource"][0]) + 3
    assert len(document["Statement"][0]["Resource"]) == granted
    assert compact_length(document) <= iam_limits.MANAGED_POLICY_MAX_CHARS
    assert compact_length(document) + one_more > iam_limits.MANAGED_POLICY_MAX_CHARS


def test_the_region_length_has_a_floor_whatever_botocore_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a botocore that knows only short region names
    partitions = {
        "partitions": [
            {"id": "aws", "regionRegex": "^us-\\w+-\\d+$", "regions": {"us-east-1": {}}},
        ]
    }
    monkeypatch.setattr(botocore.loaders.Loader, "load_data", lambda _self, _name: partitions)
    iam_limits.longest_partition_and_region.cache_clear()
    try:
        # WHEN / THEN the estimate still counts a region of the floor's length
        assert iam_limits.longest_partition_and_region() == (3, iam_limits.REGION_NAME_MIN_CHARS)
    finally:
        iam_limits.longest_partition_and_region.cache_clear()
    monkeypatch.undo()
    # and the installed botocore's longest region is within the floor
    assert iam_limits.longest_partition_and_region()[1] == iam_limits.REGION_NAME_MIN_CHARS
    assert len(PSEUDO["AWS::Region"]) == iam_limits.REGION_NAME_MIN_CHARS
