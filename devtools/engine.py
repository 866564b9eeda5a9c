"""CloudFormation's stack operations, offline: the order of Create, Update and Delete it sends.

The model, and the CloudFormation documentation each part follows:

- Order. Resources are created and updated after what they depend on, deleted before it
  ("Resource dependencies", .../resource-dependencies.html; "DependsOn attribute",
  .../aws-attribute-dependson.html).
- Create stack. A failed resource stops the operation; ROLLBACK_IN_PROGRESS deletes every
  resource created so far, in reverse order, including a failed one that has a physical id
  ("Stack status codes", .../view-stack-events.html); a Delete that fails there leaves the
  resource DELETE_FAILED and the stack ROLLBACK_FAILED.
- Update stack ("Understand update behaviors of stack resources",
  .../using-cfn-updating-stacks-update-behaviors.html). Update phase in the dependency order of
  the new template: a new logical id is created; changed properties are updated (a custom
  resource gets OldResourceProperties, "Custom resource request objects",
  .../crpg-ref-requests.html); an Update that returns another physical id is a replacement.
  Then UPDATE_COMPLETE_CLEANUP_IN_PROGRESS deletes, in reverse dependency order of the old
  template, the removed resources and the replaced physical ids.
- Update rollback. UPDATE_ROLLBACK_IN_PROGRESS: every resource updated in the operation, the
  failed one included, is updated back to its old properties (a custom resource: an Update with
  OldResourceProperties = the new ones and its current physical id; a replaced native resource,
  or one whose update failed, simply gets its old physical resource back).
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS then deletes the resources the operation created
  and the physical ids the rollback replaced ("Stack status codes": "deleting any new resources
  it created during the stack update"), in reverse dependency order of the template it
  abandons, like the update's cleanup phase. An Update that fails in the rollback leaves
  UPDATE_ROLLBACK_FAILED.
- Delete stack: every resource in reverse dependency order.
- DeletionPolicy Retain, as last deployed, keeps a resource whenever its logical resource is
  deleted, rollbacks included (the docs' RetainExceptOnCreate exists to opt out of exactly
  that; "DeletionPolicy attribute", .../aws-attribute-deletionpolicy.html).
- A failed Delete in a cleanup phase leaves DELETE_FAILED, and the stack completes anyway.
- ServiceTimeout: an answer later than the event's ServiceTimeout is a failure
  ("AWS::CloudFormation::CustomResource", .../aws-resource-cloudformation-customresource.html).
- Values. Properties are compared after resolution: a resource whose resolved properties
  differ gets an Update even when its template text did not change (a parameter, an SSM
  parameter type, a `Ref` or `Fn::GetAtt` of a replaced resource; "Update behaviors": a
  replacement "changes references from other dependent resources to point to the replacement
  resource"). A replaced native resource's old physical id is deleted in the cleanup phase in
  the same reverse dependency order as a removed resource: documented for removed resources
  and assumed for replaced ones (a replaced grant policy and the old place of a config that
  depended on it; constructs/event_invoke_config/grants.py).
- IAM. Roles and policies change when their resources do, in whichever phase that is (the
  native resources keep them, devtools/iam_roles.py), so the calls of a custom resource's
  provider are evaluated against exactly the grants of that moment (devtools/deployment.py).

All URLs are under https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/.
Parameters and conditions: see `template`. Not modelled: nested stacks, change sets,
parallelism (one resource at a time, in template order among independent ones),
UpdateReplacePolicy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .native_resources import Created, NativeResources, ResourceError
from .stack_state import Properties, Resource, Stack, StackEvent, is_custom, now
from .template import Parameters, Template, no_lookup, parameter_values, resources

# Sends one custom-resource event: (stack, event) -> the resource, or raises ResourceError.
CustomResourceSender = Callable[["Stack", dict[str, Any]], Created]


class CloudFormation:
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
        stack = Stack(name, template, "CREATE_IN_PROGRESS", parameters=values)
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
        self, name: str, template: Template, parameters: Parameters | None = None
    ) -> Stack:
        """Update phase, then cleanup phase; on a failure, roll back."""
        stack = self._require(name)
        old = Stack(name, stack.template, "", parameters=stack.parameters)
        before = {k: replace(r) for k, r in stack.resources.items()}
        values = parameter_values(template, parameters, self.native.ssm_parameter)
        for logical_id, body in resources(template, values).items():
            if logical_id in before and before[logical_id].type != body["Type"]:
                raise ValueError(f"Update of resource type is not permitted ({logical_id})")
        stack.template, stack.parameters = template, values
        self._set_stack(stack, "UPDATE_IN_PROGRESS")
        for logical_id in stack.order():
            if logical_id not in before:
                succeeded = self._create(stack, logical_id)
            else:
                succeeded = self._update_to_template(stack, logical_id)
            if not succeeded:
                self._roll_back_update(stack, old, before)
                return stack
        self._set_stack(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        for logical_id in reversed(old.order()):
            if logical_id not in resources(template, values):
                self._delete(stack, logical_id)
            elif stack.resources[logical_id].physical_id != before[logical_id].physical_id:
                self._delete_physical(stack, logical_id, before[logical_id])
        self._export(stack)
        self._set_stack(stack, "UPDATE_COMPLETE")
        return stack

    def delete_stack(self, name: str) -> Stack:
        """Delete every resource in reverse dependency order."""
        stack = self._require(name)
        self._set_stack(stack, "DELETE_IN_PROGRESS")
        for logical_id in reversed(stack.order()):
            if logical_id in stack.resources:
                self._delete(stack, logical_id)
        failed = any(r.status == "DELETE_FAILED" for r in stack.resources.values())
        self._set_stack(stack, "DELETE_FAILED" if failed else "DELETE_COMPLETE")
        return stack

    def _roll_back_update(self, stack: Stack, old: Stack, before: dict[str, Resource]) -> None:
        """Back to `old`'s template and parameters, then delete what the update made."""
        self._set_stack(stack, "UPDATE_ROLLBACK_IN_PROGRESS")
        abandoned = stack.order()
        replaced_by_rollback: dict[str, Resource] = {}
        for logical_id in old.order():
            current, was = stack.resources[logical_id], before[logical_id]
            if current.updated_at == was.updated_at:
                continue  # not touched by this operation
            during = replace(current)
            unchanged = during.physical_id == was.physical_id and current.status != "UPDATE_FAILED"
            if not (unchanged or is_custom(current.type)):
                # a native resource replaced, or whose update failed (and so changed nothing):
                # its old physical resource is still there as it was
                self._record(stack, logical_id, replace(was, status="UPDATE_COMPLETE"))
            elif not self._update(stack, logical_id, was.properties):
                self._set_stack(stack, "UPDATE_ROLLBACK_FAILED")
                return
            if stack.resources[logical_id].physical_id != during.physical_id:
                replaced_by_rollback[logical_id] = during
        stack.template, stack.parameters = old.template, old.parameters
        self._set_stack(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        for logical_id in reversed(abandoned):
            if logical_id not in before and logical_id in stack.resources:
                self._delete(stack, logical_id)
            elif logical_id in replaced_by_rollback:
                self._delete_physical(stack, logical_id, replaced_by_rollback[logical_id])
        self._set_stack(stack, "UPDATE_ROLLBACK_COMPLETE")

    # --- resource operations -----------------------------------------------------------------

    def _create(self, stack: Stack, logical_id: str) -> bool:
        body = stack.template["Resources"][logical_id]
        properties = self._resolve(stack, body.get("Properties", {}))
        resource = Resource(body["Type"], "CREATE_IN_PROGRESS", properties)
        resource.deletion_policy = body.get("DeletionPolicy", "Delete")
        self._record(stack, logical_id, resource)
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
        stack.resources[logical_id].deletion_policy = body.get("DeletionPolicy", "Delete")
        properties = self._resolve(stack, body.get("Properties", {}))
        if properties == stack.resources[logical_id].properties:
            return True
        return self._update(stack, logical_id, properties)

    def _update(self, stack: Stack, logical_id: str, properties: Properties) -> bool:
        resource = stack.resources[logical_id]
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

    def _delete(self, stack: Stack, logical_id: str) -> None:
        """Delete a resource (unless its DeletionPolicy is Retain) and drop it from the stack."""
        resource = stack.resources[logical_id]
        if resource.deletion_policy == "Retain":
            self._log(stack, logical_id, "DELETE_SKIPPED", resource.physical_id)
        elif self._delete_physical(stack, logical_id, resource, status_of=resource) is False:
            return
        with self.lock:
            del stack.resources[logical_id]

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

    def _export(self, stack: Stack) -> None:
        for output in stack.template.get("Outputs", {}).values():
            if "Export" in output and stack.resolver(no_lookup, self.exports).exists(output):
                name = self._resolve(stack, output["Export"]["Name"])
                self.exports[name] = self._resolve(stack, output["Value"])

    def _require(self, name: str) -> Stack:
        stack = self.find(name)
        if stack is None:
            raise ValueError(f"Stack with id {name} does not exist")
        return stack

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
