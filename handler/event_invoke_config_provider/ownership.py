"""Who holds a config: the custom resources of the event's own stack, as CloudFormation lists them.

A resource's physical id is its config's canonical ARN, so the other resources of the stack and
type that show it hold the config. The provider reads its own stack only (`ListStackResources`,
`DescribeStacks`); a Delete reads the status first and lists only when another resource may
outlive the operation. The stack states relied on, with their AWS references: docs/design.md,
"Ownership: who holds a config".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from .event import CustomResourceEvent
from .function_ref import ConfigId
from .properties import RESOURCE_TYPE

# Stack states in which CloudFormation puts back what the failed operation changed.
ROLLBACK_STATES = frozenset({"UPDATE_ROLLBACK_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
# Stack states in which CloudFormation deletes every resource of the stack
# (docs/design.md, "Ownership: who holds a config").
TEARDOWN_STATES = frozenset({"DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
# Stack states whose Deletes undo what the failed operation created ("Stack status codes":
# ROLLBACK_IN_PROGRESS "removal of one or more stacks after a failed stack creation",
# UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS "deleting any new resources it created during the
# stack update"): a config taken over in it is written back (copies.py), not deleted.
UNDO_STATES = frozenset({"ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"})
# One ListStackResources request: its parameters -> one page of the answer.
ListPage = Callable[[dict[str, str]], Mapping[str, Any]]


def holders(list_page: ListPage, event: CustomResourceEvent, config: ConfigId) -> list[str]:
    """Logical ids of the other resources of this stack and type that hold `config`.

    Pages one request at a time, so that a page that must be retried is the only one repeated.
    """
    found: list[str] = []
    request = {"StackName": event.stack_id}
    while True:
        page = list_page(request)
        for resource in page["StackResourceSummaries"]:
            if (
                # The provider's own type, never the event's: an event can name any type.
                resource["ResourceType"] == RESOURCE_TYPE
                and resource["LogicalResourceId"] != event.logical_resource_id
                and not resource["ResourceStatus"].startswith("DELETE_")
                and resource.get("PhysicalResourceId") == config.physical_id
            ):
                found.append(resource["LogicalResourceId"])
        if not page.get("NextToken"):
            return found
        request = {"StackName": event.stack_id, "NextToken": page["NextToken"]}


def stack_status(client: Any, stack_id: str) -> str | None:
    """The stack's status, by its unique id (DescribeStacks); None if there is no such stack."""
    try:
        [stack] = client.describe_stacks(StackName=stack_id)["Stacks"]
    except ClientError as error:
        # CloudFormation's answer for a stack id it does not know (400 ValidationError).
        if error.response["Error"]["Code"] == "ValidationError":
            return None
        raise
    return str(stack["StackStatus"])
