"""StackSets offline, with service-managed permissions: a stack set's instances are stacks in the
engine of each target region (cloudformation_api.py serves the calls).

Create, update and delete a stack set and its instances (one stack per account of the target
units and per region); each operation reported by DescribeStackSetOperation. The model and what
it leaves out: docs/design.md, "The offline cloud", "The operator's AWS CLI".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .engine import CloudFormation
from .fake_aws import ACCOUNT
from .query_protocol import QueryError
from .stack_requests import as_strings, check_capabilities, load_body, parameter_values
from .stack_state import now
from .template import Template
from .template import parameter_values as effective_values

# Organizational unit id -> the accounts in it.
Organization = dict[str, list[str]]


@dataclass
class Instance:
    """A stack instance: its account, region and stack, and whether it is CURRENT."""

    account: str
    region: str
    stack_name: str
    status: str = "CURRENT"


@dataclass
class StackSet:
    """A stack set, its instances by (account, region), and its operations by id."""

    name: str
    template: Template
    parameters: dict[str, str]
    stack_set_id: str = ""
    instances: dict[tuple[str, str], Instance] = field(default_factory=dict)
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def values(self) -> dict[str, str]:
        """Every parameter's value in effect: the one given, else the Default."""
        return as_strings(effective_values(self.template, self.parameters))


class StackSets:
    """The stack sets, their instances in each region's engine, and their operations."""

    def __init__(self, engine: Callable[[str], CloudFormation], organization: Organization):
        if {a for accounts in organization.values() for a in accounts} - {ACCOUNT}:
            raise ValueError(f"the offline cloud has one account, {ACCOUNT}")
        self._engine, self._organization = engine, organization
        self.stack_sets: dict[str, StackSet] = {}

    def handle(self, action: str, request: dict[str, Any], region: str) -> dict[str, Any]:
        """The result of one StackSets action."""
        actions: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "CreateStackSet": self._create_stack_set,
            "CreateStackInstances": self._create_stack_instances,
            "UpdateStackSet": self._update_stack_set,
            "DeleteStackInstances": self._delete_stack_instances,
            "DeleteStackSet": self._delete_stack_set,
            "DescribeStackSetOperation": self._describe_operation,
        }
        if action not in actions:
            raise QueryError("InvalidAction", f"{action} is not served by this endpoint")
        return actions[action](request)

    def stack_set(self, name: str) -> StackSet:
        """A stack set by name."""
        if name not in self.stack_sets:
            raise QueryError("StackSetNotFoundException", f"StackSet {name} not found", 404)
        return self.stack_sets[name]

    def _create_stack_set(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request["StackSetName"]
        if name in self.stack_sets:
            raise QueryError("NameAlreadyExistsException", f"StackSet {name} already exists", 409)
        if request.get("PermissionModel") != "SERVICE_MANAGED":
            raise QueryError("ValidationError", "only SERVICE_MANAGED stack sets are modelled")
        template = _template(request)
        check_capabilities(template, request.get("Capabilities", []))
        given = parameter_values(template, request.get("Parameters", []), None)
        stack_set = StackSet(name, template, given, f"{name}:{uuid.uuid4()}")
        self.stack_sets[name] = stack_set
        return {"StackSetId": stack_set.stack_set_id}

    def _targets(self, request: dict[str, Any]) -> list[tuple[str, str]]:
        """(account, region) of every account of the request's units, in every region."""
        units = request.get("DeploymentTargets", {}).get("OrganizationalUnitIds")
        if not units or "Accounts" in request.get("DeploymentTargets", {}):
            raise QueryError(
                "ValidationError",
                "StackSets with SERVICE_MANAGED permission model can only have "
                "OrganizationalUnit as target",
            )
        accounts = [a for unit in units for a in self._organization.get(unit, [])]
        return [(account, region) for region in request["Regions"] for account in accounts]

    def _create_stack_instances(self, request: dict[str, Any]) -> dict[str, Any]:
        stack_set = self.stack_set(request["StackSetName"])
        succeeded = True
        for target in self._targets(request):
            if target in stack_set.instances:
                continue
            instance = Instance(*target, f"StackSet-{stack_set.name}-{uuid.uuid4()}")
            stack_set.instances[target] = instance
            stack = self._engine(instance.region).create_stack(
                instance.stack_name, stack_set.template, stack_set.parameters
            )
            succeeded &= self._settle(instance, stack.status == "CREATE_COMPLETE")
        return _operation(stack_set, "CREATE", succeeded)

    def _update_stack_set(self, request: dict[str, Any]) -> dict[str, Any]:
        stack_set = self.stack_set(request["StackSetName"])
        use_previous = request.get("UsePreviousTemplate") == "true"
        template = stack_set.template if use_previous else _template(request)
        check_capabilities(template, request.get("Capabilities", []))
        given = request.get("Parameters", [])
        stack_set.parameters = parameter_values(template, given, stack_set.values())
        stack_set.template = template
        succeeded = True
        for instance in stack_set.instances.values():
            stack = self._engine(instance.region).update_stack(
                instance.stack_name, template, stack_set.parameters
            )
            succeeded &= self._settle(instance, stack.status == "UPDATE_COMPLETE")
        return _operation(stack_set, "UPDATE", succeeded)

    def _delete_stack_instances(self, request: dict[str, Any]) -> dict[str, Any]:
        stack_set = self.stack_set(request["StackSetName"])
        succeeded = True
        for target in self._targets(request):
            instance = stack_set.instances.get(target)
            if instance is None:
                continue
            if request["RetainStacks"] == "true":
                del stack_set.instances[target]
                continue
            stack = self._engine(instance.region).delete_stack(instance.stack_name)
            if self._settle(instance, stack.status == "DELETE_COMPLETE"):
                del stack_set.instances[target]
            else:
                succeeded = False
        return _operation(stack_set, "DELETE", succeeded)

    def _delete_stack_set(self, request: dict[str, Any]) -> dict[str, Any]:
        stack_set = self.stack_set(request["StackSetName"])
        if stack_set.instances:
            raise QueryError(
                "StackSetNotEmptyException", "StackSet is not empty: delete its instances", 409
            )
        del self.stack_sets[stack_set.name]
        return {}

    def _describe_operation(self, request: dict[str, Any]) -> dict[str, Any]:
        stack_set = self.stack_set(request["StackSetName"])
        operation = stack_set.operations.get(request["OperationId"])
        if operation is None:
            raise QueryError(
                "OperationNotFoundException", f"Operation {request['OperationId']} not found", 404
            )
        return {"StackSetOperation": operation}

    @staticmethod
    def _settle(instance: Instance, succeeded: bool) -> bool:
        instance.status = "CURRENT" if succeeded else "OUTDATED"
        return succeeded


def _template(request: dict[str, Any]) -> Template:
    if "TemplateBody" not in request:
        raise QueryError("ValidationError", "only TemplateBody is served by this endpoint")
    return load_body(request["TemplateBody"])


def _operation(stack_set: StackSet, action: str, succeeded: bool) -> dict[str, Any]:
    """Record a finished operation; its id is the answer."""
    operation_id = str(uuid.uuid4())
    stack_set.operations[operation_id] = {
        "OperationId": operation_id,
        "StackSetId": stack_set.stack_set_id,
        "Action": action,
        "Status": "SUCCEEDED" if succeeded else "FAILED",
        "CreationTimestamp": now().isoformat(),
        "EndTimestamp": now().isoformat(),
    }
    return {"OperationId": operation_id}
