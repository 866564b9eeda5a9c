"""The AWS query protocol as CloudFormation speaks it: form-encoded requests, XML answers.

A request's structures and lists arrive flattened (`Parameters.member.1.ParameterKey=...`,
`Regions.member.2=us-east-1`, `AutoDeployment.Enabled=true`); `parse` nests them again, each
`member` list in index order. `answer` and `error` write the XML botocore reads back ("Query
requests", https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/
Query-Requests.html; "Common Errors", .../CommonErrors.html). The region of a request is the
one its SigV4 credential scope names (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`).
`QueryServer` serves such requests on 127.0.0.1.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from .fake_aws import LOOPBACK

NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
_SCOPE = re.compile(r"Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/")


class QueryError(Exception):
    """An error answer: its code, HTTP status and message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


def parse(body: str) -> dict[str, Any]:
    """A form-encoded request as nested dicts, each `member` list a list."""
    tree: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        node = tree
        *path, last = key.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    parsed: dict[str, Any] = _lists(tree)
    return parsed


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if set(node) == {"member"}:
        members = node["member"]
        return [_lists(members[index]) for index in sorted(members, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def region_of(authorization: str | None, default: str) -> str:
    """The region a SigV4-signed request names, else `default`."""
    found = _SCOPE.search(authorization or "")
    return found.group(1) if found else default


def xml(value: Any) -> str:
    """Elements for a dict's items: a list as `member`s, True/False as `true`/`false`; a None
    value is left out."""
    if isinstance(value, dict):
        return "".join(
            f"<{name}>{xml(item)}</{name}>" for name, item in value.items() if item is not None
        )
    if isinstance(value, list):
        return "".join(f"<member>{xml(item)}</member>" for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def answer(action: str, result: dict[str, Any]) -> str:
    """The XML answer to `action`."""
    return (
        f'<{action}Response xmlns="{NAMESPACE}"><{action}Result>{xml(result)}</{action}Result>'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    )


def error(message: str, code: str = "ValidationError") -> str:
    """The XML error answer."""
    return (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )


class QueryServer:
    """An endpoint on 127.0.0.1: `handle(request, authorization)` answers each parsed request
    with an HTTP status and XML. `with QueryServer(handle) as url:`."""

    def __init__(self, handle: Callable[[dict[str, Any], str | None], tuple[int, str]]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                """One request."""
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                status, reply = handle(parse(body), self.headers.get("Authorization"))
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(reply.encode())))
                self.end_headers()
                self.wfile.write(reply.encode())

            def log_message(self, *_args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
