"""CloudFormation's ListStackResources and DescribeStacks on 127.0.0.1, from the engine's state.

Why a hand-written stand-in: the provider reads its own stack while CloudFormation is in the
middle of an operation (a resource CREATE_IN_PROGRESS with no physical id yet, the stack
UPDATE_ROLLBACK_IN_PROGRESS). moto's CloudFormation runs a whole operation inside one request
and cannot show those states, nor the ones the offline engine (offline_cloud/engine.py) drives, so
this serves the engine's live state instead, in the AWS query protocol that botocore speaks
(form-encoded POST, XML answers; "ListStackResources" and "DescribeStacks" in the CloudFormation
API Reference). ListStackResources pages by `PAGE_SIZE`, small so that a handful of resources
already needs `NextToken`. A request made with a role's credentials (offline_cloud/iam_roles.py) is
authorized first, `cloudformation:<Action>` on the stack's ARN, and a denied one gets the query
protocol's AccessDenied error (HTTP 403), CloudFormation's code for it. `throttle(seconds)`
answers every request for that long as CloudFormation does when its rate is exceeded: HTTP 400,
code `Throttling`, "Rate exceeded".
"""

from __future__ import annotations

import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from . import iam_roles
from .engine import CloudFormation
from .native_resources import NativeResources
from .physical_resources import Created
from .query_protocol import answer, error
from .stack_state import Stack

LOOPBACK = "127.0.0.1"
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


def describe_stacks(stack: Stack) -> str:
    """The stack's summary, its status above all."""
    fields = {
        "StackId": stack.stack_id,
        "StackName": stack.name,
        "CreationTime": _time(stack.created_at),
        "StackStatus": stack.status,
    }
    return answer("DescribeStacks", {"Stacks": [fields]})


class StackApi:
    """The stand-in endpoint: `with StackApi(engine) as url:`, the provider's CloudFormation."""

    def __init__(self, engine: CloudFormation) -> None:
        self.calls: list[dict[str, str]] = []
        self.throttled_calls = 0
        self._throttled_until = 0.0  # time.monotonic()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                """One query-protocol request."""
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                request = {key: values[0] for key, values in parse_qs(body).items()}
                api.calls.append(request)
                if time.monotonic() < api._throttled_until:
                    api.throttled_calls += 1
                    status, answer = 400, error("Rate exceeded", "Throttling")
                else:
                    status, answer = api.answer(engine, request, self.headers.get("Authorization"))
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(answer.encode())))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *_args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @staticmethod
    def answer(
        engine: CloudFormation, request: dict[str, str], authorization: str | None = None
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
        return 400, error(f"{request.get('Action')} is not served by this stand-in")

    def throttle(self, seconds: float) -> None:
        """Answer every request with CloudFormation's throttling error for `seconds` from now."""
        self._throttled_until = time.monotonic() + seconds

    def __enter__(self) -> str:
        self._thread.start()
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def empty_stack_api(moto_endpoint: str, stack_id: str) -> StackApi:
    """A stack API serving one deployed stack that holds no resources (for single events)."""

    def no_custom_resources(_stack: Stack, _event: dict[str, Any]) -> Created:
        raise AssertionError("this stack has no custom resources")

    engine = CloudFormation(NativeResources(moto_endpoint), no_custom_resources)
    name = stack_id.split("/")[1]
    engine.stacks.append(Stack(name, {"Resources": {}}, "UPDATE_COMPLETE", stack_id=stack_id))
    return StackApi(engine)
