"""The update rollbacks of the offline CloudFormation (engine.py), resumable.

A resource whose rollback fails stops only what depends on it; the stack ends UPDATE_ROLLBACK_FAILED
and ContinueUpdateRollback (with ResourcesToSkip) resumes it, then runs the cleanup. The model and
its AWS references: docs/design.md, "The offline cloud", "Stack operations" (rollback-failed
states).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from .engine_resources import ResourceOperations
from .stack_state import Operation, Stack, is_custom
from .template import dependency_map

ROLLBACK_FAILED = "UPDATE_ROLLBACK_FAILED"


class UpdateRollback(ResourceOperations):
    """UPDATE_ROLLBACK_IN_PROGRESS and its cleanup, and ContinueUpdateRollback."""

    # offline_cloud/engine.py: the cleanup both an update and its rollback end with
    _delete_left_over: Callable[[Stack, Operation, list[str], dict[str, Any]], None]
    _require: Callable[[str], Stack]

    def continue_update_rollback(self, name: str, resources_to_skip: Iterable[str] = ()) -> Stack:
        """ContinueUpdateRollback: resume an UPDATE_ROLLBACK_FAILED stack's rollback, the
        `resources_to_skip` (logical ids whose rollback failed) marked rolled back unsent."""
        stack = self._require(name)
        operation = stack.paused
        if stack.status != ROLLBACK_FAILED or operation is None:
            raise ValueError(
                f"Stack {name} is in {stack.status} state: ContinueUpdateRollback needs "
                f"{ROLLBACK_FAILED}"
            )
        skipped = list(resources_to_skip)
        for logical_id in skipped:
            if logical_id not in operation.rollback_failed:
                raise ValueError(
                    f"Resource {logical_id} cannot be skipped: only a resource in UPDATE_FAILED "
                    "state because its rollback failed can be"
                )
        self._roll_back_update(stack, operation, skipped)
        return stack

    def _roll_back_update(
        self, stack: Stack, operation: Operation, skipped: Iterable[str] = ()
    ) -> None:
        """Back to the operation's stable state, then delete what the operation made; a failed
        rollback stops what depends on it and, once the rest is rolled back, the stack."""
        self._set_stack(stack, "UPDATE_ROLLBACK_IN_PROGRESS")
        abandoned = [*stack.order(), *stack.resources]
        operation.rollback_failed, left = set(), set[str]()
        needs = dependency_map(operation.template, operation.parameters)
        for logical_id in operation.order():
            if logical_id in operation.rolled_back:
                continue
            if needs[logical_id] & left:
                left.add(logical_id)  # waits for a resource whose rollback failed
            elif logical_id in skipped:
                self._mark_rolled_back(stack, operation, logical_id)
            elif self._roll_back_resource(stack, operation, logical_id):
                operation.rolled_back.add(logical_id)
            else:
                operation.rollback_failed.add(logical_id)
                left.add(logical_id)
        if left:
            stack.paused = operation
            self._set_stack(stack, ROLLBACK_FAILED)
            return
        stack.paused = None
        stack.template, stack.parameters = operation.template, operation.parameters
        self._set_stack(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        self._delete_left_over(stack, operation, abandoned, operation.before)
        self._set_stack(stack, "UPDATE_ROLLBACK_COMPLETE")

    def _roll_back_resource(self, stack: Stack, operation: Operation, logical_id: str) -> bool:
        """One resource back to its stable state; False if its rollback failed."""
        current, was = stack.resources[logical_id], operation.before[logical_id]
        if current.updated_at == was.updated_at:
            return True  # not touched by this operation
        during = replace(current)
        unchanged = during.physical_id == was.physical_id and current.status != "UPDATE_FAILED"
        if current.properties == was.properties and during.physical_id == was.physical_id:
            # nothing changed (a ServiceToken change, refused): no request to undo it
            self._record(stack, logical_id, replace(current, status="UPDATE_COMPLETE"))
        elif not (unchanged or is_custom(current.type)):
            # a native resource replaced, or whose update failed (and so changed nothing):
            # its old physical resource is still there as it was
            self._record(stack, logical_id, replace(was, status="UPDATE_COMPLETE"))
        elif not self._update(stack, logical_id, was.properties):
            # nothing changed: ContinueUpdateRollback retries with the same request
            stack.resources[logical_id].properties = during.properties
            return False
        if stack.resources[logical_id].physical_id != during.physical_id:
            operation.replaced.setdefault(logical_id, []).append(during)
        return True

    def _mark_rolled_back(self, stack: Stack, operation: Operation, logical_id: str) -> None:
        """A skipped resource: UPDATE_COMPLETE with its stable state's record, nothing sent."""
        during = stack.resources[logical_id]
        was = operation.before[logical_id]
        self._record(stack, logical_id, replace(was, status="UPDATE_COMPLETE"))
        if was.physical_id != during.physical_id:
            operation.replaced.setdefault(logical_id, []).append(during)
        operation.rolled_back.add(logical_id)
