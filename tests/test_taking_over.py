"""Taking a config over, and rolling back: nothing a user had is lost (issue 22, items 1, 2, 6).

Each test deploys through the offline engine with the real provider, IAM enforced, and asserts
the settings Lambda holds afterwards (FIRST, SECOND, THIRD say whose they are). On 0.3.0 the
rollbacks here deleted the config taken over, or ended UPDATE_ROLLBACK_FAILED.
"""

from __future__ import annotations

import uuid

import pytest

from event_invoke_config_provider.function_ref import UNQUALIFIED
from offline_cloud.deployment import LocalCloud
from offline_cloud.local_cloud import create_functions
from offline_cloud.native_resources import FAILING_TYPE
from tests.engine_templates import (
    FIRST,
    NATIVE,
    SECOND,
    THIRD,
    config,
    created,
    deployed,
    function,
    hand_made,
    held,
    template,
)

pytestmark = pytest.mark.slow
# Fails after the config it depends on: an unrelated failure later in the same deploy.
FAILS_AFTER_CONFIG = {"Type": FAILING_TYPE, "DependsOn": "Config"}


@pytest.fixture
def name() -> str:
    """A function name no other test uses."""
    return f"take-{uuid.uuid4().hex[:10]}"


def test_the_native_migration_rolled_back_leaves_the_native_config_as_it_was(
    cloud: LocalCloud, name: str
) -> None:
    # GIVEN step 1 of the README's migration: the native config, retained
    native = config({"Ref": "Fn"}, FIRST, NATIVE, Qualifier=UNQUALIFIED)
    native["DeletionPolicy"] = "Retain"
    created(cloud, "migrate", template(Fn=function(name), Native=native))
    # WHEN step 2 adopts it with new settings and a later resource of the deploy fails
    adopting = config({"Ref": "Fn"}, SECOND, AdoptExisting="true")
    step_2 = template(Fn=function(name), Config=adopting, Fails=FAILS_AFTER_CONFIG)
    stack = cloud.engine.update_stack("migrate", step_2)
    # THEN the rollback writes the native config's settings back: the stack's native resource
    # is healthy and Lambda holds what it declares
    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    assert held(cloud, name) == FIRST
    assert stack.resources["Native"].status != "DELETE_COMPLETE"


def test_a_stack_creation_that_adopts_and_rolls_back_gives_the_config_back(
    cloud: LocalCloud, moto_endpoint: str
) -> None:
    hand = hand_made(cloud, moto_endpoint, SECOND)

    adopting = config(hand, FIRST, AdoptExisting="true")
    stack = cloud.engine.create_stack(
        "adopt-fails", template(Config=adopting, Fails=FAILS_AFTER_CONFIG)
    )

    deployed(stack, "ROLLBACK_COMPLETE")
    assert held(cloud, hand) == SECOND


def test_a_move_that_adopts_and_rolls_back_gives_both_configs_back(
    cloud: LocalCloud, moto_endpoint: str, name: str
) -> None:
    hand = hand_made(cloud, moto_endpoint, SECOND)
    created(cloud, "move-adopt", template(Fn=function(name), Config=config({"Ref": "Fn"}, FIRST)))

    moved = config(hand, THIRD, AdoptExisting="true")
    stack = cloud.engine.update_stack(
        "move-adopt", template(Fn=function(name), Config=moved, Fails=FAILS_AFTER_CONFIG)
    )

    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    assert (held(cloud, name), held(cloud, hand)) == (FIRST, SECOND)


def test_adopt_existing_left_on_adopts_nothing_more(
    cloud: LocalCloud, moto_endpoint: str, name: str
) -> None:
    # GIVEN a config that adopted once, AdoptExisting left true
    adopting = config({"Ref": "Fn"}, FIRST, AdoptExisting="true")
    created(cloud, "left-on", template(Fn=function(name), Config=adopting))
    other = hand_made(cloud, moto_endpoint, SECOND)  # another owner's config
    # WHEN a later deploy moves it onto a function whose config someone else holds
    moved = config(other, THIRD, AdoptExisting="true")
    stack = cloud.engine.update_stack("left-on", template(Fn=function(name), Config=moved))
    # THEN the move is refused before writing, the reason says how to adopt on purpose
    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    assert (held(cloud, name), held(cloud, other)) == (FIRST, SECOND)
    [reason] = stack.reasons("UPDATE_FAILED")
    assert "AdoptExisting adopts only in the deploy that turns it on" in reason


def test_a_rollback_whose_function_was_deleted_out_of_band_completes(
    cloud: LocalCloud, moto_endpoint: str
) -> None:
    # GIVEN a config of a function outside the stack, which someone then deletes
    arn = create_functions(moto_endpoint, f"gone-{uuid.uuid4().hex[:6]}")[0]
    gone = arn.rsplit(":", 1)[1]
    created(cloud, "gone", template(Config=config(gone, FIRST)))
    cloud.lambda_client.delete_function(FunctionName=arn)
    # WHEN a deploy changes its settings (Lambda: function not found) and rolls back
    stack = cloud.engine.update_stack("gone", template(Config=config(gone, SECOND)))
    # THEN the rollback's Update has nothing to write back and succeeds: no stuck stack
    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    [reason] = stack.reasons("UPDATE_FAILED")
    assert reason.startswith(f"FunctionName {gone}: Lambda refused the settings (")
