"""Make moto's event-invoke-config API behave like Lambda's.

Why a patch and not moto as it is: moto 5.2.5 ignores the Qualifier (an alias config and the
unqualified one overwrite each other), appends on put instead of replacing (a later get still
returns the first config), and answers with the unqualified ARN where Lambda answers
`...:function:name:$LATEST`. The contract tests rest on exactly these behaviours, so this keeps
moto's request routing, function store and validation and replaces only the config store.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote

from moto.awslambda.exceptions import UnknownEventConfig
from moto.awslambda.models import EventInvokeConfig, LambdaBackend
from moto.awslambda.responses import LambdaResponse
from moto.core.responses import TYPE_RESPONSE, ActionResult

UNQUALIFIED = "$LATEST"


def _target(response: LambdaResponse) -> str:
    """The config's key: the function's unqualified ARN and its qualifier (`$LATEST` if none)."""
    name = unquote(response.path.rsplit("/", 2)[1])
    qualifier = response.querystring.get("Qualifier", [None])[0]
    backend: LambdaBackend = response.backend
    function = backend.get_function(name, qualifier)  # raises ResourceNotFound like Lambda
    unqualified = function.function_arn.split(":")[:7]
    return ":".join([*unqualified, qualifier or _qualifier_in_name(name) or UNQUALIFIED])


def _qualifier_in_name(name: str) -> str | None:
    """The `:qualifier` suffix of a name, partial ARN or full ARN, if it has one."""
    parts = name.split(":")
    position = 7 if name.startswith("arn:") else 3 if parts[1:2] == ["function"] else 1
    return parts[position] if len(parts) > position else None


def _configs(backend: LambdaBackend) -> dict[str, EventInvokeConfig]:
    store: dict[str, EventInvokeConfig] | None = getattr(backend, "_event_invoke_configs", None)
    if store is None:
        store = {}
        backend._event_invoke_configs = store  # type: ignore[attr-defined]
    return store


def _put(self: LambdaResponse) -> ActionResult:
    arn = _target(self)
    config = EventInvokeConfig(arn, str(time.time()), self.json_body)  # moto's validation
    _configs(self.backend)[arn] = config
    return ActionResult(config.response())


def _get(self: LambdaResponse) -> ActionResult:
    arn = _target(self)
    if arn not in _configs(self.backend):
        raise UnknownEventConfig(arn)
    return ActionResult(_configs(self.backend)[arn].response())


def _delete(self: LambdaResponse) -> TYPE_RESPONSE:
    arn = _target(self)
    if _configs(self.backend).pop(arn, None) is None:
        raise UnknownEventConfig(arn)
    return 204, {"status": 204}, "{}"


def install() -> None:
    """Patch moto in this process; call before starting a moto server thread."""
    patches: dict[str, Any] = {
        "put_function_event_invoke_config": _put,
        "get_function_event_invoke_config": _get,
        "delete_function_event_invoke_config": _delete,
    }
    for name, method in patches.items():
        setattr(LambdaResponse, name, method)
