"""The resource operations of the offline CloudFormation (engine.py), one at a time.

Create, Update and Delete of one logical resource: a custom resource's request goes to its
ServiceToken (an Update that changes it fails, as CloudFormation's does), a native one to
native_resources.py. Each status change is recorded and logged as a stack event. `keeps` says which
DeletionPolicy and UpdateReplacePolicy values keep a physical resource: docs/design.md, "The offline
cloud", "Stack operations".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .native_resources import NativeResources
from .physical_resources import Created, Properties, ResourceError
from .stack_state import Resource, Stack, StackEvent, is_custom, now
from .template import no_lookup

# Sends one custom-resource event: (stack, event) -> the resource, or raises ResourceError.
CustomResourceSender = Callable[["Stack", dict[str, Any]], Created]
SERVICE_TOKEN = "ServiceToken"
SERVICE_TOKEN_CHANGE = "Modifying service token is not allowed."
RETAIN, RETAIN_EXCEPT_ON_CREATE = "Retain", "RetainExceptOnCreate"
# The statuses in which a Delete undoes the operation that created the resource: a failed
# create's rollback, and an update rollback's cleanup (it deletes only what the update created).
CREATION_ROLLED_BACK = ("ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")


def keeps(policy: str, creation_rolled_back: bool = False) -> bool:
    """Whether a DeletionPolicy or UpdateReplacePolicy value keeps the physical resource.

    Retain keeps it; RetainExceptOnCreate too, unless the operation that created it is rolled back
    (`creation_rolled_back`); Snapshot and Delete delete it (no modelled type has snapshots).
    AWS's words for each: docs/design.md, "Stack operations".
    """
    return policy == RETAIN or (policy == RETAIN_EXCEPT_ON_CREATE and not creation_rolled_back)


@dataclass(frozen=True)
class Output:
    """One output of a stack: its value, and the name it is exported under (None: not)."""

    key: str
    value: Any
    description: str | None
    export_name: str | None


class ResourceOperations:
    """Create, Update and Delete of one resource of a stack, and the records they leave."""

    native: NativeResources
    send_custom: CustomResourceSender
    exports: dict[str, Any]
    lock: threading.Lock

    def _create(self, stack: Stack, logical_id: str) -> bool:
        body = stack.template["Resources"][logical_id]
        properties = self._resolve(stack, body.get("Properties", {}))
        resource = Resource(body["Type"], "CREATE_IN_PROGRESS", properties)
        self._record(stack, logical_id, resource)
        self._take_policies(stack, logical_id)
        try:
            if is_custom(resource.type):
                created = self.send_custom(stack, stack.request("Create", logical_id))
            else:
                created = self.native.create(stack.name, logical_id, resource.type, properties)
        except ResourceError as failure:
            resource.physical_id = failure.physical_id
            self._set(stack, logical_id, "CREATE_FAILED", str(failure))
            return False
        resource.physical_id, resource.attributes = created.physical_id, created.attributes
        self._set(stack, logical_id, "CREATE_COMPLETE")
        return True

    def _update_to_template(self, stack: Stack, logical_id: str) -> bool:
        body = stack.template["Resources"][logical_id]
        self._take_policies(stack, logical_id)
        properties = self._resolve(stack, body.get("Properties", {}))
        if properties == stack.resources[logical_id].properties:
            return True
        return self._update(stack, logical_id, properties)

    def _update(self, stack: Stack, logical_id: str, properties: Properties) -> bool:
        resource = stack.resources[logical_id]
        if is_custom(resource.type) and (
            properties.get(SERVICE_TOKEN) != resource.properties.get(SERVICE_TOKEN)
        ):
            self._set(stack, logical_id, "UPDATE_FAILED", SERVICE_TOKEN_CHANGE)
            return False  # refused by CloudFormation itself: nothing sent, nothing changed
        old_properties, resource.properties = resource.properties, properties
        current = Created(str(resource.physical_id), resource.attributes)
        self._set(stack, logical_id, "UPDATE_IN_PROGRESS")
        try:
            if is_custom(resource.type):
                event = stack.request("Update", logical_id, old_properties)
                updated = self.send_custom(stack, event)
            else:
                change = (properties, old_properties)
                updated = self.native.update(stack.name, logical_id, resource.type, change, current)
        except ResourceError as failure:
            self._set(stack, logical_id, "UPDATE_FAILED", str(failure))
            return False
        resource.physical_id, resource.attributes = updated.physical_id, updated.attributes
        self._set(stack, logical_id, "UPDATE_COMPLETE")
        return True

    def _take_policies(self, stack: Stack, logical_id: str) -> None:
        """Set a resource's DeletionPolicy and UpdateReplacePolicy from the template in effect."""
        body = stack.template["Resources"][logical_id]
        resource = stack.resources[logical_id]
        resource.deletion_policy = body.get("DeletionPolicy", "Delete")
        resource.update_replace_policy = body.get("UpdateReplacePolicy", "Delete")

    def _delete(self, stack: Stack, logical_id: str) -> None:
        """Delete a resource (unless its DeletionPolicy keeps it) and drop it from the stack."""
        resource = stack.resources[logical_id]
        if keeps(resource.deletion_policy, stack.status in CREATION_ROLLED_BACK):
            self._log(stack, logical_id, "DELETE_SKIPPED", resource.physical_id)
        elif self._delete_physical(stack, logical_id, resource, status_of=resource) is False:
            return
        with self.lock:
            del stack.resources[logical_id]

    def _delete_replaced(self, stack: Stack, logical_id: str, gone: Resource) -> None:
        """Delete a physical resource that `logical_id` no longer shows, unless the logical
        resource's UpdateReplacePolicy keeps it: kept, it leaves CloudFormation's scope
        ("UpdateReplacePolicy retains the old physical resource or snapshot, but removes it
        from CloudFormation's scope", .../aws-attribute-updatereplacepolicy.html)."""
        if keeps(stack.resources[logical_id].update_replace_policy):
            self._log(stack, logical_id, "DELETE_SKIPPED", gone.physical_id)
        else:
            self._delete_physical(stack, logical_id, gone)

    def _delete_physical(
        self, stack: Stack, logical_id: str, gone: Resource, status_of: Resource | None = None
    ) -> bool:
        """Delete one physical resource; `status_of` is the record whose status shows it."""
        if gone.physical_id is None:
            return True
        self._log(stack, logical_id, "DELETE_IN_PROGRESS", gone.physical_id)
        if status_of is not None:
            status_of.status = "DELETE_IN_PROGRESS"
        try:
            if is_custom(gone.type):
                event = stack.request("Delete", logical_id, physical=gone)
                self.send_custom(stack, event)
            else:
                self.native.delete(gone.type, gone.physical_id)
        except ResourceError as failure:
            self._log(stack, logical_id, "DELETE_FAILED", gone.physical_id, str(failure))
            if status_of is not None:
                status_of.status = "DELETE_FAILED"
            return stack.status.endswith("CLEANUP_IN_PROGRESS")  # cleanup moves on
        self._log(stack, logical_id, "DELETE_COMPLETE", gone.physical_id)
        return True

    # --- helpers ----------------------------------------------------------------------------

    def _resolve(self, stack: Stack, value: Any) -> Any:
        def lookup(logical_id: str, attribute: str) -> Any:
            return stack.resources[logical_id].attributes[attribute]

        return stack.resolver(lookup, self.exports)(value)

    def outputs(self, stack: Stack) -> list[Output]:
        """The outputs of the stack's template that exist, resolved (DescribeStacks' Outputs)."""
        found = []
        for key, output in stack.template.get("Outputs", {}).items():
            if stack.resolver(no_lookup, self.exports).exists(output):
                export = output.get("Export")
                found.append(
                    Output(
                        key,
                        self._resolve(stack, output["Value"]),
                        output.get("Description"),
                        None if export is None else self._resolve(stack, export["Name"]),
                    )
                )
        return found

    def _export(self, stack: Stack) -> None:
        for output in self.outputs(stack):
            if output.export_name is not None:
                self.exports[output.export_name] = output.value

    def _record(self, stack: Stack, logical_id: str, resource: Resource) -> None:
        with self.lock:
            stack.resources[logical_id] = resource
        self._log(stack, logical_id, resource.status, resource.physical_id)

    def _set(self, stack: Stack, logical_id: str, status: str, reason: str = "") -> None:
        resource = stack.resources[logical_id]
        resource.status, resource.updated_at = status, now()
        self._log(stack, logical_id, status, resource.physical_id, reason)

    def _set_stack(self, stack: Stack, status: str) -> None:
        stack.status = status
        self._log(stack, stack.name, status, stack.stack_id)

    def _log(
        self, stack: Stack, logical_id: str, status: str, physical_id: str | None, reason: str = ""
    ) -> None:
        with self.lock:
            stack.events.append(StackEvent(logical_id, status, physical_id, reason))
