"""What a resource operation gives the engine: the physical resource, or why it failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

Properties = dict[str, Any]


class ResourceError(Exception):
    """A resource operation failed; `physical_id` is the id CloudFormation then records."""

    def __init__(self, reason: str, physical_id: str | None = None) -> None:
        super().__init__(reason)
        self.physical_id = physical_id


@dataclass(frozen=True)
class Created:
    """A physical resource: its id and the values `Ref` and `Fn::GetAtt` return."""

    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


def physical_name(stack: str, logical_id: str, limit: int = 64) -> str:
    """A generated name like CloudFormation's: stack, logical id, random suffix."""
    suffix = uuid.uuid4().hex[:12].upper()
    return f"{f'{stack}-{logical_id}'[: limit - 13]}-{suffix}"
