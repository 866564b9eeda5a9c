"""CloudFormation's stack operations, offline: the order of Create, Update and Delete it sends.

Create, Update (update phase, cleanup, rollback and its cleanup, DisableRollback, nested stacks) and
Delete stack, one resource at a time in dependency order, with resolved values compared,
DeletionPolicy and UpdateReplacePolicy applied, and IAM changing in the phase its resources do. The
model, its AWS references and what is assumed: docs/design.md, "The offline cloud", "Stack
operations".
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from .engine_resources import CustomResourceSender
from .engine_rollback import UpdateRollback
from .native_resources import NativeResources
from .stack_state import PAUSED, Operation, Stack, not_updatable
from .template import Parameters, Template, dependency_map, parameter_values, resources


class CloudFormation(UpdateRollback):
    """The stacks of one account and region, and the operations that change them."""

    def __init__(self, native: NativeResources, send_custom: CustomResourceSender) -> None:
        self.native = native
        self.send_custom = send_custom
        self.stacks: list[Stack] = []
        self.exports: dict[str, Any] = {}
        self.lock = threading.Lock()  # the stack API reads the state while an operation runs

    def find(self, name_or_id: str) -> Stack | None:
        """A live stack by name, or any stack by id."""
        for stack in reversed(self.stacks):
            if stack.stack_id == name_or_id:
                return stack
            if stack.name == name_or_id and stack.status != "DELETE_COMPLETE":
                return stack
        return None

    def _require(self, name: str) -> Stack:
        stack = self.find(name)
        if stack is None:
            raise ValueError(f"Stack with id {name} does not exist")
        return stack

    # --- stack operations ------------------------------------------------------------------

    def create_stack(
        self, name: str, template: Template, parameters: Parameters | None = None
    ) -> Stack:
        """Create every resource in dependency order; on a failure, roll back.

        `parameters`: values of the template's parameters (those not given take their Default).
        """
        if self.find(name) is not None:
            raise ValueError(f"Stack [{name}] already exists")
        values = parameter_values(template, parameters, self.native.ssm_parameter)
        stack = Stack(
            name, template, "CREATE_IN_PROGRESS", parameters=values, region=self.native.region
        )
        with self.lock:
            self.stacks.append(stack)
        created: list[str] = []
        for logical_id in stack.order():
            created.append(logical_id)
            if not self._create(stack, logical_id):
                self._set_stack(stack, "ROLLBACK_IN_PROGRESS")
                for done in reversed(created):
                    self._delete(stack, done)
                left = "FAILED" if stack.resources else "COMPLETE"  # a Delete failed: DELETE_FAILED
                self._set_stack(stack, f"ROLLBACK_{left}")
                return stack
        self._export(stack)
        self._set_stack(stack, "CREATE_COMPLETE")
        return stack

    def update_stack(
        self,
        name: str,
        template: Template,
        parameters: Parameters | None = None,
        *,
        disable_rollback: bool = False,
    ) -> Stack:
        """Update phase, then cleanup phase; on a failure, roll back (or, `disable_rollback`,
        stop UPDATE_FAILED)."""
        stack = self._require(name)
        operation = self._begin_update(stack, template, parameters, disable_rollback)
        if self._update_phase(stack, operation):
            self._clean_up(stack, operation)
        elif disable_rollback:
            stack.paused = operation
            self._set_stack(stack, PAUSED)
        else:
            self._roll_back_update(stack, operation)
        return stack

    def rollback_stack(self, name: str) -> Stack:
        """RollbackStack: an UPDATE_FAILED stack back to its last stable state."""
        stack = self._require(name)
        if stack.status != PAUSED or stack.paused is None:
            raise ValueError(f"Stack {name} is in {stack.status} state and cannot be rolled back")
        self._roll_back_update(stack, stack.paused)
        return stack

    def update_nested(self, updates: list[tuple[str, Template]]) -> list[Stack]:
        """A parent's update of its nested stacks: every update phase, then every cleanup."""
        begun: list[tuple[Stack, Operation]] = []
        for name, template in updates:
            stack = self._require(name)
            begun.append((stack, self._begin_update(stack, template, None, False)))
            if not self._update_phase(*begun[-1]):
                for done, operation in reversed(begun):
                    self._roll_back_update(done, operation)
                return [stack for stack, _ in begun]
        for stack, operation in begun:
            self._clean_up(stack, operation)
        return [stack for stack, _ in begun]

    def delete_stack(self, name: str, retain_resources: tuple[str, ...] = ()) -> Stack:
        """Delete every resource in reverse dependency order.

        `retain_resources`: DeleteStack's RetainResources, "For stacks in the DELETE_FAILED
        state, a list of resource logical IDs that are associated with the resources you want
        to retain" (.../APIReference/API_DeleteStack.html): those are left, not deleted.
        """
        stack = self._require(name)
        if retain_resources and stack.status != "DELETE_FAILED":
            raise ValueError(
                f"Stack [{name}] cannot be deleted while in status {stack.status} with "
                "RetainResources: only a DELETE_FAILED stack can retain resources"
            )
        self._set_stack(stack, "DELETE_IN_PROGRESS")
        needs = dependency_map(stack.template, stack.parameters)
        for logical_id in reversed(stack.order()):
            if logical_id in retain_resources and logical_id in stack.resources:
                self._log(
                    stack, logical_id, "DELETE_SKIPPED", stack.resources[logical_id].physical_id
                )
                with self.lock:
                    del stack.resources[logical_id]
            elif logical_id in stack.resources and not _still_needed(stack, needs, logical_id):
                self._delete(stack, logical_id)
        failed = any(r.status == "DELETE_FAILED" for r in stack.resources.values())
        self._set_stack(stack, "DELETE_FAILED" if failed else "DELETE_COMPLETE")
        return stack

    # --- phases of an update ------------------------------------------------------------------

    def _begin_update(
        self,
        stack: Stack,
        template: Template,
        parameters: Parameters | None,
        disable_rollback: bool,
    ) -> Operation:
        """The operation the update belongs to: a new one, or the paused one it continues."""
        refused = not_updatable(stack, disable_rollback)
        if refused is not None:
            raise ValueError(refused)
        values = parameter_values(template, parameters, self.native.ssm_parameter)
        for logical_id, body in resources(template, values).items():
            current = stack.resources.get(logical_id)
            if current is not None and current.type != body["Type"]:
                raise ValueError(f"Update of resource type is not permitted ({logical_id})")
        operation, stack.paused = stack.paused, None
        if operation is None:
            before = {k: replace(r) for k, r in stack.resources.items()}
            operation = Operation(stack.template, stack.parameters, before)
        stack.template, stack.parameters = template, values
        self._set_stack(stack, "UPDATE_IN_PROGRESS")
        return operation

    def _update_phase(self, stack: Stack, operation: Operation) -> bool:
        """Create the new logical ids and update the changed ones; False on the first failure."""
        for logical_id in stack.order():
            current = stack.resources.get(logical_id)
            if current is None or current.status == "CREATE_FAILED":
                succeeded = self._create(stack, logical_id)
            else:
                was = replace(current)
                succeeded = self._update_to_template(stack, logical_id)
                if stack.resources[logical_id].physical_id != was.physical_id:
                    operation.replaced.setdefault(logical_id, []).append(was)
            if not succeeded:
                return False
        return True

    def _clean_up(self, stack: Stack, operation: Operation) -> None:
        self._set_stack(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        kept = resources(stack.template, stack.parameters)
        self._delete_left_over(stack, operation, [*operation.order(), *stack.resources], kept)
        self._export(stack)
        self._set_stack(stack, "UPDATE_COMPLETE")

    def _delete_left_over(
        self, stack: Stack, operation: Operation, order: list[str], kept: dict[str, Any]
    ) -> None:
        """In reverse `order`: delete the resources not `kept`, and each replaced physical id
        that its logical resource no longer shows."""
        done: set[str] = set()
        for logical_id in reversed(list(dict.fromkeys(order))):
            if logical_id not in kept:
                if logical_id in stack.resources:
                    self._delete(stack, logical_id)
                continue
            self._take_policies(stack, logical_id)  # a rollback's: the restored template's
            current = stack.resources[logical_id].physical_id
            for gone in operation.replaced.get(logical_id, []):
                if gone.physical_id not in (current, *done):
                    done.add(str(gone.physical_id))
                    self._delete_replaced(stack, logical_id, gone)


def _still_needed(stack: Stack, needs: dict[str, set[str]], logical_id: str) -> bool:
    """Whether a resource of the stack that depends on `logical_id` is still there (its Delete
    failed): the reverse dependency order then never reaches `logical_id` (assumed from that
    order; the docs do not say it in words). `needs`: the template's `dependency_map`."""
    return any(logical_id in needs.get(other, ()) for other in stack.resources)
