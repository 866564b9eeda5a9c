"""Issue 8's table, row by row: what Lambda holds after CloudFormation's real event sequences.

Each test deploys small templates through the offline engine (offline_cloud/engine.py), which sends
the synthesized provider asset the Creates, Updates and Deletes CloudFormation would, in its
order, with its update, cleanup and rollback phases, and answers the provider's reads of its
own stack. Each asserts the configs moto's Lambda holds afterwards. Settings differ per config
so that every assertion says whose config a function holds.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from event_invoke_config_provider.function_ref import UNQUALIFIED
from offline_cloud import moto_lambda
from offline_cloud.deployment import LocalCloud
from offline_cloud.native_resources import FAILING_TYPE
from tests.engine_templates import (
    ALIAS,
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
    requests,
    template,
    updated,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def name() -> str:
    """A function name no other test uses."""
    return f"own-{uuid.uuid4().hex[:10]}"


def test_a_renamed_config_is_kept(cloud: LocalCloud, name: str) -> None:
    created(cloud, "rename", template(Fn=function(name), Old=config({"Ref": "Fn"}, FIRST)))
    sent = len(cloud.provider.history)

    renamed = template(Fn=function(name), New=config({"Ref": "Fn"}, FIRST))
    updated(cloud, "rename", renamed)

    assert requests(cloud, sent) == [("Create", "New"), ("Delete", "Old")]
    assert held(cloud, name) == FIRST


def test_swapped_configs_are_never_lost(cloud: LocalCloud, name: str) -> None:
    one, two = f"{name}-1", f"{name}-2"
    functions = {"Fn1": function(one), "Fn2": function(two)}
    before = template(
        **functions, X=config({"Ref": "Fn1"}, FIRST), Y=config({"Ref": "Fn2"}, SECOND)
    )
    created(cloud, "swap", before)

    after = template(**functions, X=config({"Ref": "Fn2"}, FIRST), Y=config({"Ref": "Fn1"}, SECOND))
    stack = cloud.engine.update_stack("swap", after)

    # The engine updates X first, onto Fn2 whose config Y still holds: refused, rolled back.
    # On AWS the order may differ; then it swaps, which keeps every config too.
    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    assert (held(cloud, one), held(cloud, two)) == (FIRST, SECOND)


@pytest.mark.parametrize("first", ["the update of X", "the create of Y"])
def test_a_split_into_an_alias_config_and_a_new_latest_config_is_never_lost(
    cloud: LocalCloud, name: str, first: str
) -> None:
    before = template(Fn=function(name), **ALIAS, X=config({"Ref": "Fn"}, FIRST))
    created(cloud, "split", before)

    moved = {**config({"Ref": "Fn"}, FIRST, Qualifier="live"), "DependsOn": "Live"}
    added = config({"Ref": "Fn"}, THIRD)
    configs = {"X": moved, "Y": added} if first == "the update of X" else {"Y": added, "X": moved}
    stack = cloud.engine.update_stack("split", template(Fn=function(name), **ALIAS, **configs))

    outcomes = {
        "UPDATE_COMPLETE": {UNQUALIFIED: THIRD, "live": FIRST},
        "UPDATE_ROLLBACK_COMPLETE": {UNQUALIFIED: FIRST, "live": None},
    }
    # The engine goes in template order among independent resources, so `first` fixes the
    # outcome here. On AWS the order may differ; either outcome keeps every config.
    expected = "UPDATE_ROLLBACK_COMPLETE" if first == "the update of X" else "UPDATE_COMPLETE"
    assert stack.status == expected
    assert {q: held(cloud, name, q) for q in (UNQUALIFIED, "live")} == outcomes[stack.status]


def test_a_migration_as_a_plain_type_change_is_refused_and_keeps_the_config(
    cloud: LocalCloud, name: str
) -> None:
    native = config({"Ref": "Fn"}, FIRST, NATIVE, Qualifier=UNQUALIFIED)
    created(cloud, "migrate", template(Fn=function(name), Native=native))

    ours = config({"Ref": "Fn"}, SECOND)
    stack = cloud.engine.update_stack("migrate", template(Fn=function(name), Ours=ours))

    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    [reason] = stack.reasons("CREATE_FAILED")
    assert name in reason and "AdoptExisting" in reason
    assert held(cloud, name) == FIRST


def test_the_migration_recipe_retain_then_adopt_keeps_the_config_with_our_settings(
    cloud: LocalCloud, name: str
) -> None:
    native = config({"Ref": "Fn"}, FIRST, NATIVE, Qualifier=UNQUALIFIED)
    created(cloud, "recipe", template(Fn=function(name), Native=native))
    retained = {**native, "DeletionPolicy": "Retain"}
    updated(cloud, "recipe", template(Fn=function(name), Native=retained))

    ours = config({"Ref": "Fn"}, SECOND, AdoptExisting="true")
    updated(cloud, "recipe", template(Fn=function(name), Ours=ours))
    assert held(cloud, name) == SECOND

    deployed(cloud.engine.delete_stack("recipe"), "DELETE_COMPLETE")
    assert held(cloud, name) is None, "the config is ours now: it goes with the stack"


def test_a_second_stack_cannot_take_a_config_over_and_leaves_it_when_deleted(
    cloud: LocalCloud, name: str
) -> None:
    first = template(Fn=function(name), Config=config({"Ref": "Fn"}, FIRST))
    created(cloud, "first", first)

    second = cloud.engine.create_stack("second", template(Config=config(name, SECOND)))

    deployed(second, "ROLLBACK_COMPLETE")
    assert held(cloud, name) == FIRST
    deployed(cloud.engine.delete_stack("second"), "DELETE_COMPLETE")
    assert held(cloud, name) == FIRST


def test_a_hand_made_config_survives_a_stack_that_rolls_back(
    cloud: LocalCloud, moto_endpoint: str
) -> None:
    hand = hand_made(cloud, moto_endpoint, SECOND)
    failing = {"Type": FAILING_TYPE, "DependsOn": "Config"}

    stack = cloud.engine.create_stack("hand", template(Config=config(hand, FIRST), Fails=failing))

    deployed(stack, "ROLLBACK_COMPLETE")
    assert held(cloud, hand) == SECOND


def test_adopt_existing_takes_a_hand_made_config_over(
    cloud: LocalCloud, moto_endpoint: str
) -> None:
    hand = hand_made(cloud, moto_endpoint, SECOND)

    adopting = config(hand, FIRST, AdoptExisting="true")
    created(cloud, "adopt", template(Config=adopting))

    assert held(cloud, hand) == FIRST


@pytest.mark.waits
def test_a_lost_reply_is_rolled_back_by_deleting_exactly_that_config(
    cloud: LocalCloud, name: str
) -> None:
    created(cloud, "lost", template(Fn=function(name), **ALIAS))
    retries, age = SECOND
    cloud.lambda_client.put_function_event_invoke_config(
        FunctionName=name,
        Qualifier="live",
        MaximumRetryAttempts=retries,
        MaximumEventAgeInSeconds=age,
    )
    moto_lambda.inject(
        name, "ServiceException", "reply lost", times=50, operations=("put",), applied=True
    )
    lost = config({"Ref": "Fn"}, FIRST)
    lost["Properties"]["ServiceTimeout"] = 20

    stack = cloud.engine.update_stack("lost", template(Fn=function(name), **ALIAS, Config=lost))

    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    failed = next(e for e in stack.events if e.status == "CREATE_FAILED")
    assert (
        failed.physical_id == f"arn:aws:lambda:us-east-1:123456789012:function:{name}:{UNQUALIFIED}"
    )
    assert requests(cloud)[-2:] == [("Create", "Config"), ("Delete", "Config")]
    assert held(cloud, name) is None, "what the Create may have written is removed"
    assert held(cloud, name, "live") == SECOND, "and nothing else"


def test_a_short_service_timeout_stops_the_provider_before_cloudformation_stops_waiting(
    cloud: LocalCloud, name: str
) -> None:
    before = config({"Ref": "Fn"}, FIRST)
    before["Properties"]["ServiceTimeout"] = 8
    stack = created(cloud, "timeout", template(Fn=function(name), Config=before))
    busy = "The operation cannot be performed at this time. An update is in progress."
    moto_lambda.inject(name, "ResourceConflictException", busy, times=10_000, operations=("put",))

    def function_free_again_once_rolling_back(_event: dict[str, Any]) -> None:
        if stack.status == "UPDATE_ROLLBACK_IN_PROGRESS":
            moto_lambda.clear(name)

    cloud.provider.before_send = function_free_again_once_rolling_back
    after = config({"Ref": "Fn"}, SECOND)
    after["Properties"]["ServiceTimeout"] = 8
    deployed(
        cloud.engine.update_stack("timeout", template(Fn=function(name), Config=after)),
        "UPDATE_ROLLBACK_COMPLETE",
    )

    update, rollback = cloud.provider.history[-2:]
    assert update.response is not None, "the provider answered before CloudFormation gave up"
    assert update.response["Status"] == "FAILED"
    assert "ResourceConflictException" in update.response["Reason"], "it retried until it gave up"
    assert rollback.event["ResourceProperties"]["MaximumRetryAttempts"] == str(FIRST[0])
    cloud.provider.settle()
    assert held(cloud, name) == FIRST, "nothing was written after the deadline"
