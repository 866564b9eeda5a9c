"""Who holds a config: the custom resources of the event's own stack, as CloudFormation lists them.

A config belongs to exactly one resource. The physical id of a resource is its config's
canonical ARN, so the resources of the same stack and type that show that physical id hold
it: a Create may take a config over from such a resource (a rename, a split) and a Delete leaves
a config alone while one holds it. A config that none holds was set by hand, by another stack or
by the native resource: nothing touches it without the resource's `AdoptExisting`.

Reading its own stack is the provider's only view of CloudFormation: `ListStackResources` and
`DescribeStacks` on that stack, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .cloudformation import MAX_REASON
from .deadline import Deadline
from .function_ref import ConfigId
from .properties import ADOPT_EXISTING, FUNCTION_NAME
from .retries import MIN_ATTEMPT_SECONDS, OutOfTimeError

# Stack states in which CloudFormation puts back what the failed operation changed.
ROLLBACK_STATES = frozenset({"UPDATE_ROLLBACK_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})


class OwnershipError(RuntimeError):
    """A write refused before anything was sent: the config belongs to no resource of the stack."""


def holders(
    client: Any, event: Mapping[str, Any], config: ConfigId, deadline: Deadline
) -> list[str]:
    """Logical ids of the other resources of this stack and type that hold `config`."""
    found: list[str] = []
    pages = client.get_paginator("list_stack_resources").paginate(StackName=event["StackId"])
    for page in pages:
        if deadline.remaining() < MIN_ATTEMPT_SECONDS:
            raise OutOfTimeError("Out of time while reading the stack's resources.")
        for resource in page["StackResourceSummaries"]:
            if (
                resource["ResourceType"] == event["ResourceType"]
                and resource["LogicalResourceId"] != event["LogicalResourceId"]
                and not resource["ResourceStatus"].startswith("DELETE_")
                and resource.get("PhysicalResourceId") == config.physical_id
            ):
                found.append(resource["LogicalResourceId"])
    return found


def rolling_back(client: Any, stack_id: str) -> bool:
    """True while CloudFormation rolls the stack back (its Updates restore earlier targets)."""
    [stack] = client.describe_stacks(StackName=stack_id)["Stacks"]
    return stack["StackStatus"] in ROLLBACK_STATES


def refusal(config: ConfigId) -> OwnershipError:
    """The error for a config that no resource of the stack holds: what to do, within the reason.

    The provider sees its own stack only, so the reason gives each way out, the safe ones
    first: another stack's config is given up there before it is adopted here; a stack's own
    config left by a paused update (`--no-rollback`) comes back with the rollback.
    """
    action = (
        f"{FUNCTION_NAME} {{}}: a config no resource of this stack manages is there; nothing was "
        "changed. Another stack's: remove it there first (Retain keeps it). Left by a "
        f"--no-rollback deploy: cdk rollback. Else set {ADOPT_EXISTING}: true."
    )
    room = MAX_REASON - len(action) + 2
    name = config.describe()
    return OwnershipError(action.format(name if len(name) <= room else name[: room - 3] + "..."))


def unreadable_stack(stack_id: str) -> PermissionError:
    """The error for a stack whose resources the provider may not list."""
    return PermissionError(
        "The provider may not list the resources of its stack (cloudformation:"
        f"ListStackResources on {stack_id}); it reads them to know which resource holds a config."
    )
