"""CloudFormation's ListStackResources, DescribeStacks and GetTemplate on 127.0.0.1, from the
engine's live state, mid-operation states included (which moto's CloudFormation cannot show).

Pages by a small `PAGE_SIZE`, authorizes a role's requests (`cloudformation:<Action>` on the
stack's ARN), and `throttle(seconds)` answers CloudFormation's `Throttling` for that long.
docs/design.md, "The offline cloud", "Lambda, SSM and the stack API".
"""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

from . import iam_roles
from .engine import CloudFormation
from .native_resources import NativeResources
from .physical_resources import Created
from .query_protocol import QueryServer, answer, error
from .stack_state import Stack

PAGE_SIZE = 2


def _time(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def list_stack_resources(stack: Stack, next_token: str | None) -> str:
    """One page of the stack's resource summaries."""
    start = int(next_token or 0)
    page = list(stack.resources.items())[start : start + PAGE_SIZE]
    summaries = [
        {
            "LogicalResourceId": logical_id,
            "PhysicalResourceId": resource.physical_id,
            "ResourceType": resource.type,
            "LastUpdatedTimestamp": _time(resource.updated_at),
            "ResourceStatus": resource.status,
        }
        for logical_id, resource in page
    ]
    more = start + PAGE_SIZE < len(stack.resources)
    token = str(start + PAGE_SIZE) if more else None
    return answer("ListStackResources", {"StackResourceSummaries": summaries, "NextToken": token})


def _parameter_value(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def describe_stacks(stack: Stack) -> str:
    """The stack's summary: its status, and its parameters' values in effect (an SSM type's value
    as its `ResolvedValue`; the engine keeps no key, so `ParameterValue` shows the value too)."""
    declared = stack.template.get("Parameters", {})
    parameters = [
        {
            "ParameterKey": name,
            "ParameterValue": _parameter_value(value),
            "ResolvedValue": _parameter_value(value)
            if declared.get(name, {}).get("Type", "").startswith("AWS::SSM::Parameter")
            else None,
        }
        for name, value in stack.parameters.items()
    ]
    fields = {
        "StackId": stack.stack_id,
        "StackName": stack.name,
        "Parameters": parameters,
        "CreationTime": _time(stack.created_at),
        "StackStatus": stack.status,
    }
    return answer("DescribeStacks", {"Stacks": [fields]})


def get_template(stack: Stack) -> str:
    """The stack's template as JSON; the engine runs no transforms, so the processed stage and
    the original are one ("GetTemplate", TemplateStage, CloudFormation API Reference)."""
    return answer("GetTemplate", {"TemplateBody": json.dumps(stack.template)})


class StackApi:
    """The stand-in endpoint: `with StackApi(engine) as url:`, the provider's CloudFormation."""

    def __init__(self, engine: CloudFormation) -> None:
        self.calls: list[dict[str, Any]] = []
        self.throttled_calls = 0
        self._throttled_until = 0.0  # time.monotonic()
        self._engine = engine
        self._server = QueryServer(self._handle)

    def _handle(self, request: dict[str, Any], authorization: str | None) -> tuple[int, str]:
        self.calls.append(request)
        if time.monotonic() < self._throttled_until:
            self.throttled_calls += 1
            return 400, error("Rate exceeded", "Throttling")
        return self.answer(self._engine, request, authorization)

    @staticmethod
    def answer(
        engine: CloudFormation, request: dict[str, Any], authorization: str | None = None
    ) -> tuple[int, str]:
        """The HTTP status and XML body for one request, read under the engine's lock."""
        with engine.lock:
            stack = engine.find(request.get("StackName", ""))
            action = f"cloudformation:{request.get('Action')}"
            resource = stack.stack_id if stack is not None else request.get("StackName", "")
            denied = iam_roles.denial(authorization, action, resource)
            if denied is not None:
                return 403, error(denied, "AccessDenied")
            if stack is None:
                return 400, error(f"Stack with id {request.get('StackName')} does not exist")
            if request.get("Action") == "ListStackResources":
                return 200, list_stack_resources(stack, request.get("NextToken"))
            if request.get("Action") == "DescribeStacks":
                return 200, describe_stacks(stack)
            if request.get("Action") == "GetTemplate":
                return 200, get_template(stack)
        return 400, error(f"{request.get('Action')} is not served by this stand-in")

    def throttle(self, seconds: float) -> None:
        """Answer every request with CloudFormation's throttling error for `seconds` from now."""
        self._throttled_until = time.monotonic() + seconds

    def __enter__(self) -> str:
        return self._server.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)


def empty_stack_api(moto_endpoint: str, stack_id: str) -> StackApi:
    """A stack API serving one stack that holds no resources, for single events: an update runs on
    it, as CloudFormation's does while it sends them (handler ownership.py)."""

    def no_custom_resources(_stack: Stack, _event: dict[str, Any]) -> Created:
        raise AssertionError("this stack has no custom resources")

    engine = CloudFormation(NativeResources(moto_endpoint), no_custom_resources)
    name = stack_id.split("/")[1]
    engine.stacks.append(Stack(name, {"Resources": {}}, "UPDATE_IN_PROGRESS", stack_id=stack_id))
    return StackApi(engine)
