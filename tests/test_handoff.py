"""Issue 14, items 3 and 5a: a config handed from one stack to another, nested or not.

The provider reads its own stack only, so a config another stack manages looks like one set by
hand. These tests deploy through the offline engine (offline_cloud/engine.py) and pin the steps the
refusal and the README give: the config ends with the new stack's settings, and the old stack's
later updates and deletion never touch it. The function lives in a stack of its own, so that
both stacks name it and deleting either leaves it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from offline_cloud.deployment import LocalCloud
from tests.engine_templates import (
    FIRST,
    SECOND,
    THIRD,
    config,
    created,
    deployed,
    function,
    held,
    template,
    updated,
)

pytestmark = pytest.mark.slow
HAND_OVER = "Another stack's: remove it there first (Retain keeps it)."


@pytest.fixture
def names(cloud: LocalCloud) -> tuple[str, str]:
    """Two functions no other test uses, in a stack of their own."""
    one, two = (f"hand-{uuid.uuid4().hex[:10]}" for _ in range(2))
    created(cloud, f"{one}-functions", template(Fn1=function(one), Fn2=function(two)))
    return one, two


def retained(resource: dict[str, Any]) -> dict[str, Any]:
    return {**resource, "DeletionPolicy": "Retain"}


def test_retain_remove_then_adopt_hands_the_config_over_and_the_old_stack_lets_go(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    name, other = names
    created(cloud, "a", template(Config=config(name, FIRST)))
    refused = cloud.engine.create_stack("b", template(Config=config(name, SECOND)))
    deployed(refused, "ROLLBACK_COMPLETE")
    [reason] = refused.reasons("CREATE_FAILED")
    assert HAND_OVER in reason and reason.endswith("Else set AdoptExisting: true.")
    deployed(cloud.engine.delete_stack("b"), "DELETE_COMPLETE")

    updated(cloud, "a", template(Config=retained(config(name, FIRST))))
    updated(cloud, "a", template())
    assert held(cloud, name) == FIRST, "stack A let go of it and kept it"
    created(cloud, "b", template(Config=config(name, SECOND, AdoptExisting="true")))
    assert held(cloud, name) == SECOND

    updated(cloud, "a", template(Other=config(other, THIRD)))
    deployed(cloud.engine.delete_stack("a"), "DELETE_COMPLETE")
    assert (held(cloud, name), held(cloud, other)) == (SECOND, None)
    deployed(cloud.engine.delete_stack("b"), "DELETE_COMPLETE")
    assert held(cloud, name) is None, "B owns it: it goes with B"


def test_remove_then_create_without_adopting_hands_the_config_over(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    name, _ = names
    created(cloud, "a", template(Config=config(name, FIRST)))

    updated(cloud, "a", template())
    assert held(cloud, name) is None, "Lambda's defaults until B deploys"
    created(cloud, "b", template(Config=config(name, SECOND)))

    deployed(cloud.engine.delete_stack("a"), "DELETE_COMPLETE")
    assert held(cloud, name) == SECOND


def test_a_move_between_nested_stacks_in_one_deploy_is_refused_and_rolled_back(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    name, _ = names
    created(cloud, "nested-a", template(Config=config(name, FIRST)))
    created(cloud, "nested-b", template())

    moved = [("nested-a", template()), ("nested-b", template(Config=config(name, SECOND)))]
    nested_a, nested_b = cloud.engine.update_nested(moved)

    deployed(nested_b, "UPDATE_ROLLBACK_COMPLETE")
    deployed(nested_a, "UPDATE_ROLLBACK_COMPLETE")
    [reason] = nested_b.reasons("CREATE_FAILED")
    assert HAND_OVER in reason
    assert held(cloud, name) == FIRST
    assert "Config" in nested_a.resources, "A's cleanup never ran: it still holds the config"


def test_the_nested_stacks_recipe_retain_and_remove_then_adopt_keeps_the_config(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    name, _ = names
    created(cloud, "nested-a", template(Config=config(name, FIRST)))
    created(cloud, "nested-b", template())

    for step in (
        [("nested-a", template(Config=retained(config(name, FIRST)))), ("nested-b", template())],
        [("nested-a", template()), ("nested-b", template())],
        [
            ("nested-a", template()),
            ("nested-b", template(Config=config(name, SECOND, AdoptExisting="true"))),
        ],
    ):
        for stack in cloud.engine.update_nested(step):
            deployed(stack, "UPDATE_COMPLETE")
        assert held(cloud, name) is not None

    assert held(cloud, name) == SECOND
    deployed(cloud.engine.delete_stack("nested-a"), "DELETE_COMPLETE")
    assert held(cloud, name) == SECOND
