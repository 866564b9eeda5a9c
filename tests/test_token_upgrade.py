"""Upgrading 0.5.0's token grants: each name moves into the grant digest, and nothing is denied.

0.5.0 took a function's name apart in the grant itself (`Fn::Select`/`Fn::Split`); this version
reads it from the grant digest (docs/design.md, "Grants and the grant digest"). The first deploy
runs 0.5.0 as released (`fixtures/v0_5_0/`: its template and provider asset, two configs on
functions named by parameters); the upgrade deploys this version's template of the same app,
with IAM enforced on every call the provider makes. The grant's template form changes (the name
read from the digest, taken after `:function:`), so its bucket is replaced: the provider's role
must keep its grants throughout, and a later change of a parameter must still move its config
with nothing denied.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from event_invoke_config import LambdaEventInvokeConfig
from offline_cloud.deployment import LocalCloud, provider_asset, read_config
from offline_cloud.local_cloud import create_functions
from offline_cloud.stack_state import Stack
from offline_cloud.template import load_template
from tests.engine_templates import grant_policies, provider_may_delete

pytestmark = pytest.mark.slow
RELEASE = Path(__file__).parent / "fixtures" / "v0_5_0"
STACK = "TokenUpgrade"
PARAMETERS = ("Worker", "Spare")


def this_version() -> dict[str, object]:
    """The fixture's app as this version synthesizes it."""
    stack = cdk.Stack(cdk.App(), STACK)
    for name in PARAMETERS:
        function = cdk.CfnParameter(stack, name).value_as_string
        LambdaEventInvokeConfig(stack, f"{name}Config", function=function, retry_attempts=1)
    return dict(Template.from_stack(stack).to_json())


def held(cloud: LocalCloud, *functions: str) -> list[bool]:
    """Whether Lambda holds an unqualified config of each function."""
    return [read_config(cloud.lambda_client, f"{arn}:$LATEST") is not None for arn in functions]


def assert_clean(cloud: LocalCloud, stack: Stack) -> None:
    assert stack.status == "UPDATE_COMPLETE", [e for e in stack.events if e.reason]
    assert stack.reasons("DELETE_FAILED") == []
    assert cloud.denied_calls == []


def test_upgrading_token_grants_from_0_5_0_keeps_them_and_a_later_move_is_allowed(
    cloud: LocalCloud, moto_endpoint: str
) -> None:
    worker, spare, moved = create_functions(moto_endpoint, "token-upgrade", 3)
    values = {"Worker": worker.rsplit(":", 1)[1], "Spare": spare}  # a name and an ARN
    this_asset = cloud.provider.asset
    released = load_template(RELEASE, STACK)
    assert "Fn::Select" in str(released) and "Names" not in str(released), "0.5.0's grants"
    cloud.provider.asset = provider_asset(RELEASE, released)
    name = f"token-upgrade-{uuid.uuid4().hex[:8]}"
    created = cloud.engine.create_stack(name, released, values)
    assert created.status == "CREATE_COMPLETE", [e for e in created.events if e.reason]
    released_policies = grant_policies(created)
    # WHEN the stack is upgraded: the provider's code first (the digest and the configs depend
    # on it through their ServiceToken), then the digest, the buckets and the configs
    cloud.provider.asset = this_asset
    upgraded = this_version()
    assert "Names" in str(upgraded)
    updated = cloud.engine.update_stack(name, upgraded, values)
    # THEN nothing was denied or left, both grants hold, and a later move is allowed
    assert_clean(cloud, updated)
    assert grant_policies(updated).isdisjoint(released_policies), "the bucket replaced"
    assert held(cloud, worker, spare) == [True, True]
    assert all(provider_may_delete(cloud, updated, arn) for arn in (worker, spare))
    after_move = cloud.engine.update_stack(name, upgraded, {**values, "Worker": moved})
    assert_clean(cloud, after_move)
    assert held(cloud, worker, spare, moved) == [False, True, True]
    assert not provider_may_delete(cloud, after_move, worker), "the old function is still granted"
    assert cloud.engine.delete_stack(name).status == "DELETE_COMPLETE"
    assert held(cloud, spare, moved) == [False, False]
