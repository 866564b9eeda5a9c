"""Issue 14, items 5b and 5c: a move paused by `--no-rollback`, and a rename that rolls back.

Both go through the offline engine (offline_cloud/engine.py): DisableRollback leaves the stack
UPDATE_FAILED with no cleanup, and RollbackStack (`cdk rollback`) takes it back to its last
stable state. Each test asserts what Lambda holds at every step that matters.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from offline_cloud.deployment import LocalCloud
from offline_cloud.native_resources import FAILING_TYPE
from tests.engine_templates import (
    FIRST,
    SECOND,
    config,
    created,
    deployed,
    function,
    held,
    template,
    updated,
)

pytestmark = pytest.mark.slow
FAILS = {"Type": FAILING_TYPE, "DependsOn": "Config"}


@pytest.fixture
def names() -> tuple[str, str]:
    """Two function names no other test uses."""
    one = f"paused-{uuid.uuid4().hex[:10]}"
    return one, f"{one}-2"


def two_functions(names: tuple[str, str], config_on: int, **resources: Any) -> dict[str, Any]:
    """Both functions, and the config (FIRST) on the first or second, with `resources`."""
    one, two = names
    functions = {"Fn1": function(one), "Fn2": function(two)}
    target = {"Ref": "Fn1" if config_on == 1 else "Fn2"}
    return template(**functions, Config=config(target, FIRST), **resources)


def paused_move(cloud: LocalCloud, names: tuple[str, str]) -> None:
    """Deploy the config on the first function, then move it with --no-rollback and fail."""
    created(cloud, "paused", two_functions(names, 1))
    moved = cloud.engine.update_stack(
        "paused", two_functions(names, 2, Fails=FAILS), disable_rollback=True
    )
    deployed(moved, "UPDATE_FAILED")
    assert (held(cloud, names[0]), held(cloud, names[1])) == (FIRST, FIRST), "no cleanup"


def test_a_paused_move_comes_back_with_rollback_stack(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    paused_move(cloud, names)

    deployed(cloud.engine.rollback_stack("paused"), "UPDATE_ROLLBACK_COMPLETE")

    assert (held(cloud, names[0]), held(cloud, names[1])) == (FIRST, None)


def test_a_paused_move_reverted_is_refused_before_writing_and_the_reason_leads_to_rollback(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    paused_move(cloud, names)
    with pytest.raises(ValueError, match=r"non-terminal \[UPDATE_FAILED\].*rollback-stack"):
        cloud.engine.update_stack("paused", two_functions(names, 1))

    reverted = cloud.engine.update_stack("paused", two_functions(names, 1), disable_rollback=True)

    deployed(reverted, "UPDATE_FAILED")
    *_, reason = filter(None, reverted.reasons("UPDATE_FAILED"))
    assert "Left by a --no-rollback deploy: cdk rollback." in reason
    assert (held(cloud, names[0]), held(cloud, names[1])) == (FIRST, FIRST), "nothing written"
    deployed(cloud.engine.rollback_stack("paused"), "UPDATE_ROLLBACK_COMPLETE")
    assert (held(cloud, names[0]), held(cloud, names[1])) == (FIRST, None)
    updated(cloud, "paused", two_functions(names, 2))
    assert (held(cloud, names[0]), held(cloud, names[1])) == (None, FIRST), "the move, redone"


def renamed(name: str, logical_id: str, settings: tuple[int, int], **more: Any) -> dict[str, Any]:
    return template(Fn=function(name), **{logical_id: config({"Ref": "Fn"}, settings)}, **more)


def test_a_rename_with_new_settings_that_rolls_back_gets_the_old_settings_back(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    name, _ = names
    created(cloud, "rename", renamed(name, "Old", FIRST))
    fails = {"Type": FAILING_TYPE, "DependsOn": "New"}

    stack = cloud.engine.update_stack("rename", renamed(name, "New", SECOND, Fails=fails))

    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    assert list(stack.resources) == ["Role", "Fn", "Old"]
    assert held(cloud, name) == FIRST, "New kept a copy when it took over; its rollback wrote it"


def test_rename_and_new_settings_in_two_deploys_keep_the_settings_through_a_rollback(
    cloud: LocalCloud, names: tuple[str, str]
) -> None:
    name, _ = names
    created(cloud, "rename", renamed(name, "Old", FIRST))
    updated(cloud, "rename", renamed(name, "New", FIRST))
    fails = {"Type": FAILING_TYPE, "DependsOn": "New"}

    stack = cloud.engine.update_stack("rename", renamed(name, "New", SECOND, Fails=fails))

    deployed(stack, "UPDATE_ROLLBACK_COMPLETE")
    assert held(cloud, name) == FIRST, "the rollback's Update wrote New's old settings back"
    updated(cloud, "rename", renamed(name, "New", SECOND))
    assert held(cloud, name) == SECOND
