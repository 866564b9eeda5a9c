"""A custom-resource sender for engine tests: records each request and answers it simply."""

from __future__ import annotations

import uuid
from typing import Any

from offline_cloud.physical_resources import Created, ResourceError
from offline_cloud.stack_state import Stack

CUSTOM = "Custom::Thing"


class Recorder:
    """Answers custom-resource requests: SUCCESS with the Target property as physical id."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str | None]] = []
        self.seen_status: list[str] = []
        self.fail_on: list[tuple[str, str]] = []  # each fails once

    def clear(self) -> None:
        """Forget what was sent so far."""
        self.sent.clear()
        self.seen_status.clear()

    def __call__(self, stack: Stack, event: dict[str, Any]) -> Created:
        request, logical_id = event["RequestType"], event["LogicalResourceId"]
        self.sent.append((request, logical_id, event.get("PhysicalResourceId")))
        self.seen_status.append(stack.status)
        if (request, logical_id) in self.fail_on:
            self.fail_on.remove((request, logical_id))
            raise ResourceError("refused", event.get("PhysicalResourceId"))
        if request == "Delete":
            return Created(event["PhysicalResourceId"])
        target = event["ResourceProperties"]["Target"]
        return Created(target, {"Ref": target})


def thing(target: str, **attributes: Any) -> dict[str, Any]:
    return {"Type": CUSTOM, "Properties": {"Target": target}, **attributes}


def name() -> str:
    return f"engine-{uuid.uuid4().hex[:8]}"
