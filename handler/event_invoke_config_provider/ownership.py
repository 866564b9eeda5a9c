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

from botocore.exceptions import ClientError

from .event import CustomResourceEvent
from .function_ref import ConfigId
from .properties import RESOURCE_TYPE

# Stack states in which CloudFormation puts back what the failed operation changed.
ROLLBACK_STATES = frozenset({"UPDATE_ROLLBACK_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
# Stack states in which CloudFormation deletes every resource of the stack (see above).
TEARDOWN_STATES = frozenset({"DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"})
# Stack states whose Deletes undo what the failed operation created ("Stack status codes":
# ROLLBACK_IN_PROGRESS "removal of one or more stacks after a failed stack creation",
# UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS "deleting any new resources it created during the
# stack update"): a config taken over in it is written back (copies.py), not deleted.
UNDO_STATES = frozenset({"ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"})
# CloudFormation sends a custom resource's requests once "a stack operation" is initiated, to a
# ServiceToken "from the same Region as the stack" ("CloudFormation custom resource request and
# response reference", .../UserGuide/crpg-ref.html), and "run[s] it during a stack operation"
# (.../TemplateReference/aws-resource-cloudformation-customresource.html). While one runs, the
# stack's status ends in _IN_PROGRESS ("Stack status codes", .../UserGuide/view-stack-events.html),
# but for REVIEW_IN_PROGRESS, "a stack with an expected StackId but without any templates or
# resources". Nothing stricter is assumed (which status sends which request type is not
# documented): an event whose stack shows no operation was not sent by CloudFormation, or came
# after CloudFormation stopped waiting for it.
NO_OPERATION_STATES = frozenset({"REVIEW_IN_PROGRESS"})
# One ListStackResources request: its parameters -> one page of the answer.
ListPage = Callable[[dict[str, str]], Mapping[str, Any]]


def operation_in_progress(status: str | None) -> bool:
    """Whether CloudFormation runs an operation on a stack of `status` (None: no such stack)."""
    return (
        status is not None and status.endswith("_IN_PROGRESS") and status not in NO_OPERATION_STATES
    )


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
