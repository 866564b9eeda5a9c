"""Events bound to a live operation: act only on what CloudFormation could have sent.

Anyone allowed to invoke the provider can hand it an event, and events cannot be authenticated;
so before anything is written or deleted, the event's stack must be in the provider's own account
and region, with an operation in progress on it (docs/design.md, "Forged events").
"""

from __future__ import annotations

from typing import Any

from . import reasons
from .calls import Calls
from .cloudformation import Refusal
from .deadline import Deadline
from .event import CustomResourceEvent
from .function_ref import Environment
from .properties import RESOURCE_TYPE

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


def operation_in_progress(status: str | None) -> bool:
    """Whether CloudFormation runs an operation on a stack of `status` (None: no such stack)."""
    return (
        status is not None and status.endswith("_IN_PROGRESS") and status not in NO_OPERATION_STATES
    )


def check_resource_type(event: CustomResourceEvent) -> None:
    """Refuse an event for another resource type: this provider serves its own only."""
    if event.resource_type != RESOURCE_TYPE:
        raise Refusal(foreign_type(event.resource_type))


def calls_on_live_stack(event: CustomResourceEvent, context: Any, deadline: Deadline) -> Calls:
    """The event's calls, once its stack shows that CloudFormation could have sent it.

    The stack's status is read once (DescribeStacks); a Delete's ownership check reads the same."""
    own = Environment.of_function_arn(context.invoked_function_arn)
    if Environment.of_stack_id(event.stack_id) != own:
        raise Refusal(foreign_stack(event.stack_id))
    calls = Calls(deadline, event)
    status = calls.stack_status
    if not operation_in_progress(status):
        raise Refusal(no_operation(event.stack_id, status))
    return calls


def foreign_type(resource_type: str) -> str:
    """An event for a resource type this provider does not serve."""
    return reasons.reason(
        "A request for a resource of type {}",
        f"this provider serves {RESOURCE_TYPE} only; nothing was changed",
        f"Declare the resource as Type: {RESOURCE_TYPE}, or use the provider of that type.",
        resource_type,
    )


def foreign_stack(stack_id: str) -> str:
    """An event naming a stack in another account or region than the provider's."""
    return reasons.reason(
        "A request for the stack {}",
        "it is not in this provider's account and region, where CloudFormation would have "
        "sent it from; nothing was changed",
        "Use a provider deployed in the stack's own account and region.",
        stack_id,
    )


def no_operation(stack_id: str, status: str | None) -> str:
    """An event whose stack shows no operation: CloudFormation did not send it, or gave up."""
    return reasons.reason(
        "A request for the stack {}",
        "no stack operation is in progress on it ({}), and CloudFormation sends requests only "
        "during one; nothing was changed",
        "If a deploy is running, CloudFormation stopped waiting for this request: retry the "
        "stack operation. Otherwise, find who invoked the provider (CloudTrail).",
        stack_id,
        "no such stack" if status is None else status,
    )
