"""A stack deployed with an earlier release upgrades in one deploy, a removal and a move included.

The first deploy runs the release as released: its synthesized template and provider asset,
kept in `fixtures/v0_1_0/` and `fixtures/v0_2_0/` (READMEs there say how they were made). The
upgrade deploys this version's template of the same app, less one config and with another moved
to a new function, with IAM enforced on every call the provider makes (offline_cloud/iam_roles.py).
In 0.1.0 the config grants sat in the provider role's DefaultPolicy, so the test fails if that
policy loses them before the cleanup phase's Deletes; 0.2.0 had this version's grants.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from offline_cloud.deployment import LocalCloud, provider_asset, read_config
from offline_cloud.stack_state import Stack
from offline_cloud.template import load_template
from tests.support import RELEASED, upgrade_app

pytestmark = pytest.mark.slow
STACK = "Upgrade"  # the fixture app's stack
CUSTOM = "Custom::LambdaEventInvokeConfig"
DELETE = "lambda:DeleteFunctionEventInvokeConfig"
FUNCTIONS = ("A", "B", "C", "D")  # upgrade_app's
# The releases' configs (construct id -> function) are Removed on A, Moved on B and Kept on C.
UPGRADED_CONFIGS = {"Moved": "D", "Kept": "C"}


def configs(stack: Stack) -> dict[str, str]:
    """Physical id (the config's qualified ARN) by construct id, of the stack's configs."""
    return {
        next(c for c in ("Removed", "Moved", "Kept") if logical_id.startswith(c)): str(
            resource.physical_id
        )
        for logical_id, resource in stack.resources.items()
        if resource.type == CUSTOM
    }


def function_arns(stack: Stack) -> dict[str, str]:
    """The ARN of each of the fixture app's functions A to D, by construct id."""
    return {
        name: resource.attributes["Arn"]
        for name in FUNCTIONS
        for logical_id, resource in stack.resources.items()
        if resource.type == "AWS::Lambda::Function" and logical_id.startswith(name)
    }


def configs_in_lambda(cloud: LocalCloud, functions: dict[str, str]) -> dict[str, int]:
    """The retry attempts of the unqualified config Lambda holds, by function construct id."""
    held = {}
    for name, arn in functions.items():
        config = read_config(cloud.lambda_client, f"{arn}:$LATEST")
        if config is not None:
            held[name] = config["MaximumRetryAttempts"]
    return held


def deploy_release(cloud: LocalCloud, release: Path) -> Stack:
    """A new stack of the fixture app, deployed with `release`'s template and provider."""
    template = load_template(release, STACK)
    cloud.provider.asset = provider_asset(release, template)
    deployed = cloud.engine.create_stack(f"upgrade-{uuid.uuid4().hex[:8]}", template)
    assert deployed.status == "CREATE_COMPLETE", [e for e in deployed.events if e.reason]
    assert all(e.role for e in cloud.provider.history), "run with the provider's role"
    assert configs_in_lambda(cloud, function_arns(deployed)) == {"A": 1, "B": 1, "C": 1}
    return deployed


@pytest.mark.parametrize("release", RELEASED.values(), ids=RELEASED.keys())
def test_the_release_fixture_creates_updates_and_deletes_its_configs(
    cloud: LocalCloud, release: Path
) -> None:
    this_asset = cloud.provider.asset
    deployed = deploy_release(cloud, release)
    functions = function_arns(deployed)
    assert cloud.provider.asset != this_asset, "the release's own provider ran"
    template = load_template(release, STACK)
    [kept] = [k for k in template["Resources"] if k.startswith("Kept")]
    template["Resources"][kept]["Properties"]["MaximumRetryAttempts"] = 0

    updated = cloud.engine.update_stack(deployed.name, template)

    assert updated.status == "UPDATE_COMPLETE", [e for e in updated.events if e.reason]
    assert configs_in_lambda(cloud, functions) == {"A": 1, "B": 1, "C": 0}
    deleted = cloud.engine.delete_stack(deployed.name)
    assert deleted.status == "DELETE_COMPLETE", [e for e in deleted.events if e.reason]


@pytest.mark.parametrize("release", RELEASED.values(), ids=RELEASED.keys())
def test_upgrading_with_a_removal_and_a_move_denies_nothing_and_leaves_nothing(
    cloud: LocalCloud, release: Path
) -> None:
    this_asset = cloud.provider.asset
    deployed = deploy_release(cloud, release)
    functions, before = function_arns(deployed), configs(deployed)
    # The provider function is updated to this version's code before any config's event is
    # sent (each config depends on it through its ServiceToken), cleanup Deletes included.
    cloud.provider.asset = this_asset

    upgraded = dict(Template.from_stack(upgrade_app(UPGRADED_CONFIGS)).to_json())
    updated = cloud.engine.update_stack(deployed.name, upgraded)

    assert updated.status == "UPDATE_COMPLETE", [e for e in updated.events if e.reason]
    assert updated.reasons("DELETE_FAILED") == []
    assert cloud.denied_calls == []
    after = configs(updated)
    assert set(after) == {"Moved", "Kept"}
    assert after["Kept"] == before["Kept"] and after["Moved"] != before["Moved"]
    assert configs_in_lambda(cloud, functions) == {"C": 1, "D": 1}, "exactly the declared ones"
    for gone in (before["Removed"], before["Moved"]):
        resource = gone.removesuffix(":$LATEST")  # the ARN the provider's call names
        deletes = [c for c in cloud.iam.calls if (c.action, c.resource) == (DELETE, resource)]
        assert deletes and all(c.allowed for c in deletes), f"{gone}: deleted, allowed"

    deleted = cloud.engine.delete_stack(deployed.name)
    assert deleted.status == "DELETE_COMPLETE", [e for e in deleted.events if e.reason]
