"""The provider's hardening options: log KMS key, permissions boundary, the adoption switch."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from event_invoke_config import EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config.provider_logs import LOGS_KEY_ACTIONS
from event_invoke_config_provider.adoption import ALLOW_ADOPTION_VARIABLE
from tests.support import ENVIRONMENT, logical_id, new_stack

BOUNDARY = f"arn:aws:iam::{ENVIRONMENT.account}:policy/platform-boundary"


def synthesized(stack: cdk.Stack) -> Template:
    LambdaEventInvokeConfig(stack, "Async", function="orders")
    return Template.from_stack(stack)


def only(template: Template, resource_type: str) -> dict[str, Any]:
    (resource,) = template.find_resources(resource_type).values()
    return dict(resource)


def in_partition(value: Any, partition: str = "aws") -> str:
    """An ARN the template joins with `AWS::Partition`, as it reads in `partition`."""
    if isinstance(value, str):
        return value
    if value == {"Ref": "AWS::Partition"}:
        return partition
    separator, parts = value["Fn::Join"]
    return str(separator).join(in_partition(part, partition) for part in parts)


def checkov_skips(resource: dict[str, Any]) -> dict[str, str]:
    skips = resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    return {skip["id"]: skip["comment"] for skip in skips}


def provider_variables(template: Template) -> dict[str, str]:
    (function,) = template.find_resources(
        "AWS::Lambda::Function",
        {"Properties": {"Handler": Match.string_like_regexp("event_invoke_config_provider")}},
    ).values()
    return dict(function["Properties"].get("Environment", {}).get("Variables", {}))


# --- log KMS key -----------------------------------------------------------------------------


def test_a_log_kms_key_encrypts_the_log_group_and_lets_cloudwatch_logs_use_it() -> None:
    # GIVEN a key of the provider's stack
    stack = new_stack()
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    # WHEN the provider is given it
    EventInvokeConfigProvider.of(stack, log_kms_key=key)
    template = synthesized(stack)
    # THEN the log group names the key, and checkov's CKV_AWS_158 is no longer skipped
    log_group = only(template, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [logical_id(key), "Arn"]}
    assert "CKV_AWS_158" not in checkov_skips(log_group)
    # AND the key policy lets this region's CloudWatch Logs use it for this account's and
    # region's log groups, as the AWS page documents, without naming the log group (a cycle)
    region, account = ENVIRONMENT.region, ENVIRONMENT.account
    statements = only(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]
    [logs] = [s for s in statements if s.get("Sid") == "ProviderLogsUseOfTheKey"]
    assert logs["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
    assert logs["Action"] == list(LOGS_KEY_ACTIONS)
    [(operator, condition)] = logs["Condition"].items()
    assert operator == "ArnLike"
    assert in_partition(condition["kms:EncryptionContext:aws:logs:arn"]) == (
        f"arn:aws:logs:{region}:{account}:log-group:*"
    )
    assert logical_id(EventInvokeConfigProvider.of(stack).log_group) not in str(logs)


def test_without_a_key_the_skip_stays_with_its_reason() -> None:
    log_group = only(synthesized(new_stack()), "AWS::Logs::LogGroup")

    assert "KmsKeyId" not in log_group["Properties"]
    assert "log_kms_key" in checkov_skips(log_group)["CKV_AWS_158"]


def test_an_imported_key_is_used_and_its_missing_policy_is_a_warning() -> None:
    stack = new_stack()
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    arn = f"arn:aws:kms:{ENVIRONMENT.region}:{ENVIRONMENT.account}:key/{key_id}"
    EventInvokeConfigProvider.of(stack, log_kms_key=kms.Key.from_key_arn(stack, "Key", arn))

    template = synthesized(stack)

    assert only(template, "AWS::Logs::LogGroup")["Properties"]["KmsKeyId"] == arn
    warnings = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("log_kms_key is an imported key")
    )
    assert len(warnings) == 1


def test_a_log_kms_key_must_be_a_key() -> None:
    with pytest.raises(TypeError, match="log_kms_key must be one of"):
        EventInvokeConfigProvider.of(new_stack(), log_kms_key="alias/logs")


# --- permissions boundary --------------------------------------------------------------------


def test_a_stacks_permissions_boundary_reaches_the_providers_role() -> None:
    # GIVEN a stack bounded as the README says
    stack = new_stack()
    boundary = iam.ManagedPolicy.from_managed_policy_arn(stack, "Boundary", BOUNDARY)
    iam.PermissionsBoundary.of(stack).apply(boundary)
    # WHEN a config brings the provider
    template = synthesized(stack)
    # THEN its role carries the boundary
    provider = EventInvokeConfigProvider.of(stack)
    role = template.to_json()["Resources"][logical_id(provider.role)]
    assert role["Properties"]["PermissionsBoundary"] == BOUNDARY


# --- adoption switch -------------------------------------------------------------------------


def shared(stack: cdk.Stack, **options: Any) -> EventInvokeConfigProvider:
    provider = EventInvokeConfigProvider.of(stack, **options)
    provider.allow_function_names(["orders-*"])
    provider.allow_stack_reads(
        stack.format_arn(service="cloudformation", resource="stack", resource_name="*")
    )
    return provider


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, None),  # its own stack only: the handler's default, adopting
        ({"allow_adoption": False}, "false"),
        ({"allow_adoption": True}, None),
    ],
)
def test_a_per_stack_provider_adopts_unless_told_not_to(
    options: dict[str, Any], expected: str | None
) -> None:
    stack = new_stack()
    EventInvokeConfigProvider.of(stack, **options)

    assert provider_variables(synthesized(stack)).get(ALLOW_ADOPTION_VARIABLE) == expected


@pytest.mark.parametrize(
    ("options", "expected"), [({}, "false"), ({"allow_adoption": True}, "true")]
)
def test_a_shared_provider_adopts_only_when_allowed(options: dict[str, Any], expected: str) -> None:
    stack = new_stack()
    shared(stack, **options)

    assert provider_variables(synthesized(stack))[ALLOW_ADOPTION_VARIABLE] == expected


def test_allow_adoption_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="allow_adoption must be one of \\(bool, NoneType\\)"):
        EventInvokeConfigProvider.of(new_stack(), allow_adoption="false")
