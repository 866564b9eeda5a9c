"""A stack's state as CloudFormation keeps it: its status, and per logical id what is deployed.

This is what ListStackResources and DescribeStacks show (devtools/stack_api.py) and what the
engine (devtools/engine.py) changes, one status at a time.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from .fake_aws import ACCOUNT, REGION
from .template import Template

Properties = dict[str, Any]


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
    updated_at: datetime.datetime = field(default_factory=now)


@dataclass(frozen=True)
class StackEvent:
    """One line of the stack's event log (DescribeStackEvents)."""

    logical_id: str
    status: str
    physical_id: str | None
    reason: str = ""


@dataclass
class Stack:
    """A stack's live state."""

    name: str
    template: Template
    status: str
    stack_id: str = ""
    resources: dict[str, Resource] = field(default_factory=dict)
    events: list[StackEvent] = field(default_factory=list)
    created_at: datetime.datetime = field(default_factory=now)

    def __post_init__(self) -> None:
        self.stack_id = self.stack_id or (
            f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{self.name}/{uuid.uuid4()}"
        )

    def reasons(self, status: str) -> list[str]:
        """The reasons logged with `status` (e.g. CREATE_FAILED), oldest first."""
        return [event.reason for event in self.events if event.status == status]
