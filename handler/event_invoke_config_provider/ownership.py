"""Who holds a config: the custom resources of the event's own stack, as CloudFormation lists them.

A config belongs to exactly one resource. The physical id of a resource is its config's
canonical ARN, so the resources of the same stack and type that show that physical id hold
it: a Create may take a config over from such a resource (a rename, a split) and a Delete leaves
a config alone while one holds it. A config that none holds was set by hand, by another stack or
by the native resource: nothing touches it without the resource's `AdoptExisting`.

Reading its own stack is the provider's only view of CloudFormation: `ListStackResources` and
`DescribeStacks` on that stack, nothing else. A Delete first reads the stack's status (one
request) and lists the resources only when another resource may outlive the operation. What
that relies on, from CloudFormation's documentation:

- DELETE_IN_PROGRESS is the removal of the whole stack, and ROLLBACK_IN_PROGRESS the removal of
  everything a failed (or cancelled) stack creation made ("Stack status codes",
  .../UserGuide/view-stack-events.html). Every other resource of the stack goes too, but for
  one kept by `DeletionPolicy: Retain` (.../UserGuide/aws-attribute-deletionpolicy.html) or by
  `RetainResources` of a DeleteStack retried after DELETE_FAILED
  (.../APIReference/API_DeleteStack.html); a kept one holds the same config only if two
  resources of one template declare it, which is unsupported (both write it; the CDK construct
  refuses it at synth). So a Delete in these states deletes without listing.
- An update deletes replaced and removed resources in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, and
  its rollback deletes what it created in UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, while
  the stack's other resources stay (.../UserGuide/using-cfn-updating-stacks-update-behaviors.html
  and "Stack status codes"): a renamed or split config may be held by one of them, so list.
- Any other status: AWS documents no Delete there, so nothing is assumed; list.
- DescribeStacks takes the stack's unique id, also once it is being deleted
  (.../APIReference/API_DescribeStacks.html). The status it reads stays true for the Delete
  at hand: DELETE_IN_PROGRESS is followed by DELETE_COMPLETE or DELETE_FAILED, and
  ROLLBACK_IN_PROGRESS by ROLLBACK_COMPLETE or ROLLBACK_FAILED, from which the stack can only
  be deleted ("Stack status codes").

`...` is https://docs.aws.amazon.com/AWSCloudFormation/latest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .cloudformation import fit_reason
from .event import CustomResourceEvent
from .function_ref import ConfigId
from .properties import ADOPT_EXISTING, FUNCTION_NAME

# Stack states in which CloudFormation puts back what the failed operation changed.
ROLLBACK_STATES = frozenset({"UPDATE_ROLLBACK_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
# Stack states in which CloudFormation deletes every resource of the stack (see above).
TEARDOWN_STATES = frozenset({"DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
# One ListStackResources request: its parameters -> one page of the answer.
ListPage = Callable[[dict[str, str]], Mapping[str, Any]]


class OwnershipError(RuntimeError):
    """A write refused before anything was sent: the config belongs to no resource of the stack."""


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
                resource["ResourceType"] == event.resource_type
                and resource["LogicalResourceId"] != event.logical_resource_id
                and not resource["ResourceStatus"].startswith("DELETE_")
                and resource.get("PhysicalResourceId") == config.physical_id
            ):
                found.append(resource["LogicalResourceId"])
        if not page.get("NextToken"):
            return found
        request = {"StackName": event.stack_id, "NextToken": page["NextToken"]}


def stack_status(client: Any, stack_id: str) -> str:
    """The stack's status, by its unique id (DescribeStacks)."""
    [stack] = client.describe_stacks(StackName=stack_id)["Stacks"]
    return str(stack["StackStatus"])


def refusal(config: ConfigId) -> OwnershipError:
    """The error for a config that no resource of the stack holds: what to do, within the reason.

    The provider sees its own stack only, so the reason gives each way out, the safe ones
    first: another stack's config is given up there before it is adopted here; a stack's own
    config left by a paused update (`--no-rollback`) comes back with the rollback.
    """
    return OwnershipError(
        fit_reason(
            f"{FUNCTION_NAME} {{}}: a config no resource of this stack manages is there; nothing "
            "was changed. Another stack's: remove it there first (Retain keeps it). Left by a "
            f"--no-rollback deploy: cdk rollback. Else set {ADOPT_EXISTING}: true.",
            config.describe(),
        )
    )


def unreadable_stack(stack_id: str, action: str) -> PermissionError:
    """The error for a stack the provider may not read with `action`."""
    return PermissionError(
        fit_reason(
            f"The provider may not read its stack (cloudformation:{action} on {{}}); it reads it "
            "to know which resource holds a config.",
            stack_id,
        )
    )
