"""A stack's state as CloudFormation keeps it: its status, and per logical id what is deployed.

What ListStackResources and DescribeStacks show (stack_api.py) and what the engine changes, one
status at a time; `not_updatable` refuses an update from a status CloudFormation refuses it in,
with its words. docs/design.md, "The offline cloud", "Stack operations" (refusals).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import cfn_events
from .fake_aws import ACCOUNT, REGION
from .physical_resources import Properties
from .template import Lookup, Resolver, Template, dependency_order

PAUSED = "UPDATE_FAILED"
NOT_UPDATABLE = (
    "This stack is currently in a non-terminal [UPDATE_FAILED] state. To update your stack from "
    "this state, please use the disable-rollback parameter with update-stack API. To rollback "
    "to last known good state, use the rollback-stack API"
)
# The statuses an update may start from; from any other, UpdateStack and CreateChangeSet are
# refused with `not_updatable`.
UPDATABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")


def is_custom(resource_type: str) -> bool:
    """Whether CloudFormation sends this type's requests to a ServiceToken."""
    return resource_type.startswith("Custom::") or resource_type.endswith("::CustomResource")


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class Resource:
    """One logical resource as ListStackResources shows it, with what it was deployed with."""

    type: str
    status: str
    properties: Properties
    physical_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    deletion_policy: str = "Delete"
    update_replace_policy: str = "Delete"
    updated_at: datetime.datetime = field(default_factory=now)


@dataclass(frozen=True)
class StackEvent:
    """One line of the stack's event log (DescribeStackEvents)."""

    logical_id: str
    status: str
    physical_id: str | None
    reason: str = ""


@dataclass
class Operation:
    """An update since the stack's last stable state, kept until its cleanup or rollback.

    `template`, `parameters` and `before` are that stable state; `replaced` holds, per logical
    id, the physical resources that updates replaced since (each deleted once none shows it).
    Its rollback, once begun, keeps the logical ids it has `rolled_back` and those whose
    rollback failed in its last run (`rollback_failed`), so that ContinueUpdateRollback
    resumes it (offline_cloud/engine_rollback.py).
    """

    template: Template
    parameters: dict[str, Any]
    before: dict[str, Resource]
    replaced: dict[str, list[Resource]] = field(default_factory=dict)
    rolled_back: set[str] = field(default_factory=set)
    rollback_failed: set[str] = field(default_factory=set)

    def order(self) -> list[str]:
        """The stable template's resources, each after what it depends on."""
        return dependency_order(self.template, self.parameters)


@dataclass
class Stack:
    """A stack's live state; `paused`: the unfinished update an UPDATE_FAILED (DisableRollback)
    or UPDATE_ROLLBACK_FAILED stack holds, which RollbackStack or ContinueUpdateRollback ends."""

    name: str
    template: Template
    status: str
    stack_id: str = ""
    resources: dict[str, Resource] = field(default_factory=dict)
    events: list[StackEvent] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)  # the values in effect
    created_at: datetime.datetime = field(default_factory=now)
    paused: Operation | None = None
    region: str = REGION

    def __post_init__(self) -> None:
        self.stack_id = self.stack_id or (
            f"arn:aws:cloudformation:{self.region}:{ACCOUNT}:stack/{self.name}/{uuid.uuid4()}"
        )

    def reasons(self, status: str) -> list[str]:
        """The reasons logged with `status` (e.g. CREATE_FAILED), oldest first."""
        return [event.reason for event in self.events if event.status == status]

    def order(self) -> list[str]:
        """The resources of its template and parameters, each after what it depends on."""
        return dependency_order(self.template, self.parameters)

    def resolver(self, lookup: Lookup, exports: Any) -> Resolver:
        """Resolves intrinsic functions in its template, with its parameter values."""
        return Resolver(
            self.name,
            self.stack_id,
            self.template,
            lookup,
            exports,
            parameters=self.parameters,
            region=self.region,
        )

    def request(
        self,
        request_type: str,
        logical_id: str,
        old_properties: Properties | None = None,
        physical: Resource | None = None,
    ) -> dict[str, Any]:
        """A custom-resource request for a resource (`physical`: a replaced physical one), as
        the operation decides it; offline_cloud/cfn_events.py builds it."""
        resource = physical or self.resources[logical_id]
        return cfn_events.unsent(
            request_type,
            stack_id=self.stack_id,
            logical_id=logical_id,
            properties=resource.properties,
            resource_type=resource.type,
            physical_id=None if request_type == "Create" else resource.physical_id,
            old_properties=old_properties,
        )


def not_updatable(stack: Stack, disable_rollback: bool) -> str | None:
    """CloudFormation's ValidationError for an update of `stack` now, or None: it may start."""
    if stack.status == PAUSED:
        return None if disable_rollback else NOT_UPDATABLE
    if stack.status in UPDATABLE:
        return None
    return f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
