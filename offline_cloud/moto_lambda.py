"""Make moto's event-invoke-config API behave like Lambda's, count its calls, inject faults.

Keeps moto's routing, function store and validation, and replaces the config store with one that
behaves like Lambda's; `install` refuses any moto but the pinned one. A request with a role's
credentials is authorized first, as Lambda does. `calls` counts requests; `inject` makes the next
puts or deletes fail (with `applied=True`, after taking effect). Where moto differs from Lambda:
docs/design.md, "The offline cloud", "Lambda, SSM and the stack API".
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import moto
from moto.awslambda.exceptions import UnknownEventConfig
from moto.awslambda.models import EventInvokeConfig, LambdaBackend, lambda_backends
from moto.awslambda.responses import LambdaResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

from . import arns, iam_roles

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements-dev.txt"
STATUS = {
    "TooManyRequestsException": 429,
    "ResourceConflictException": 409,
    "InvalidParameterValueException": 400,
    "AccessDeniedException": 403,
    "ServiceException": 500,
}
calls: Counter[str] = Counter()
ACTIONS = {
    "get": "lambda:GetFunctionEventInvokeConfig",
    "put": "lambda:PutFunctionEventInvokeConfig",
    "delete": "lambda:DeleteFunctionEventInvokeConfig",
    "list": "lambda:ListFunctionEventInvokeConfigs",
}
# ListFunctionEventInvokeConfigs: "MaxItems ... Valid Range: Minimum value of 1. Maximum value of
# 50." (Lambda API Reference); a request without it gets pages of the most.
LIST_PAGE_MAX = 50


@dataclass(frozen=True)
class Fault:
    """One injected error: for which operations, and whether the request takes effect first."""

    code: str
    message: str
    operations: tuple[str, ...]
    applied: bool

    def raise_it(self) -> None:
        """Raise the error as Lambda sends it."""
        error = JsonRESTError(self.code, self.message)
        error.code = STATUS[self.code]
        raise error


_faults: dict[str, list[Fault]] = {}
_lock = threading.Lock()


def inject(
    function_name: str,
    code: str,
    message: str,
    times: int = 1,
    *,
    operations: tuple[str, ...] = ("put", "delete"),
    applied: bool = False,
) -> None:
    """Fail the next `times` `operations` naming `function_name` with Lambda error `code`."""
    with _lock:
        fault = Fault(code, message, operations, applied)
        _faults.setdefault(function_name, []).extend([fault] * times)


def clear(function_name: str) -> None:
    """Drop the faults still pending for `function_name`."""
    with _lock:
        _faults.pop(function_name, None)


def _authorize(operation: str, response: LambdaResponse, name: str | None = None) -> None:
    """Raise AccessDeniedException if the caller's role may not make this request."""
    name = name or unquote(response.path.rsplit("/", 2)[1])
    function = arns.function_arn(name, response.region, response.current_account)
    qualifier = response.querystring.get("Qualifier", [None])[0] or arns.qualifier_in_name(name)
    resource = f"{function}:{qualifier}" if qualifier else function
    message = iam_roles.denial(response.headers.get("Authorization"), ACTIONS[operation], resource)
    if message is not None:
        Fault("AccessDeniedException", message, (operation,), applied=False).raise_it()


def _count_and_take_fault(operation: str, response: LambdaResponse) -> Fault | None:
    """Count and authorize the request; its fault, raised here unless it applies first."""
    name = unquote(response.path.rsplit("/", 2)[1])
    with _lock:
        calls[operation] += 1
    _authorize(operation, response)
    with _lock:
        pending = _faults.get(arns.function_arn(name).rpartition(":")[2], [])
        fault = next((f for f in pending if operation in f.operations), None)
        if fault is not None:
            pending.remove(fault)
    if fault is not None and not fault.applied:
        fault.raise_it()
    return fault


def _target(response: LambdaResponse) -> str:
    """The config's key: the function's unqualified ARN and its qualifier (`$LATEST` if none)."""
    name = unquote(response.path.rsplit("/", 2)[1])
    qualifier = response.querystring.get("Qualifier", [None])[0]
    backend: LambdaBackend = response.backend
    function = backend.get_function(name, qualifier)  # raises ResourceNotFound like Lambda
    return arns.config_arn(function.function_arn, qualifier or arns.qualifier_in_name(name))


def _configs(backend: LambdaBackend) -> dict[str, EventInvokeConfig]:
    store: dict[str, EventInvokeConfig] | None = getattr(backend, "_event_invoke_configs", None)
    if store is None:
        store = {}
        backend._event_invoke_configs = store  # type: ignore[attr-defined]
    return store


def configs_held(account: str, region: str) -> list[str]:
    """The qualified ARNs of every config the patched store holds, sorted."""
    return sorted(_configs(lambda_backends[account][region]))


def _put(self: LambdaResponse) -> ActionResult:
    fault = _count_and_take_fault("put", self)
    arn = _target(self)
    config = EventInvokeConfig(arn, str(time.time()), self.json_body)  # moto's validation
    _configs(self.backend)[arn] = config
    if fault is not None:
        fault.raise_it()
    return ActionResult(config.response())


def _get(self: LambdaResponse) -> ActionResult:
    with _lock:
        calls["get"] += 1
    _authorize("get", self)
    arn = _target(self)
    if arn not in _configs(self.backend):
        raise UnknownEventConfig(arn)
    return ActionResult(_configs(self.backend)[arn].response())


def _delete(self: LambdaResponse) -> tuple[int, dict[str, Any], str]:
    fault = _count_and_take_fault("delete", self)
    arn = _target(self)
    if _configs(self.backend).pop(arn, None) is None:
        raise UnknownEventConfig(arn)
    if fault is not None:
        fault.raise_it()
    return 204, {"status": 204}, "{}"


def _list(self: LambdaResponse) -> ActionResult:
    """ListFunctionEventInvokeConfigs: every qualifier's config of the function, by ARN, paged
    with `Marker` and `MaxItems` (`NextMarker` while more remain)."""
    name = unquote(self.path.rsplit("/", 3)[1])
    with _lock:
        calls["list"] += 1
    _authorize("list", self, arns.function_arn(name))
    function = self.backend.get_function(name, None)  # raises ResourceNotFound like Lambda
    held = [
        config.response()
        for arn, config in sorted(_configs(self.backend).items())
        if arn.rpartition(":")[0] == arns.function_arn(function.function_arn)
    ]
    start = int(self.querystring.get("Marker", ["0"])[0])
    size = int(self.querystring.get("MaxItems", [str(LIST_PAGE_MAX)])[0])
    page: dict[str, Any] = {"FunctionEventInvokeConfigs": held[start : start + size]}
    if start + size < len(held):
        page["NextMarker"] = str(start + size)
    return ActionResult(page)


def _counted(dispatch: Any) -> Any:
    def counting(self: LambdaResponse, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            calls["http"] += 1
        return dispatch(self, *args, **kwargs)

    return counting


_moto_delete_function = LambdaBackend.delete_function


def _delete_function(self: LambdaBackend, function_name: str, qualifier: str | None = None) -> None:
    """Delete the function (or a version) and, as Lambda does, its configs with it."""
    function = self.get_function(function_name, qualifier)  # raises ResourceNotFound like Lambda
    _moto_delete_function(self, function_name, qualifier)
    unqualified = arns.function_arn(function.function_arn)
    version = qualifier or arns.qualifier_in_name(function_name)
    store = _configs(self)
    for arn in list(store):
        base, _, config_qualifier = arn.rpartition(":")
        if base == unqualified and version in (None, config_qualifier):
            del store[arn]


def pinned_moto_version() -> str:
    """The moto version requirements-dev.txt pins (`moto[server]==X`)."""
    pin = re.search(r"^moto(\[[^\]]*\])?==(\S+)", REQUIREMENTS.read_text(), re.MULTILINE)
    if pin is None:
        raise LookupError(f"{REQUIREMENTS} pins no moto version (moto[server]==X)")
    return pin.group(2)


def check_moto_version() -> None:
    """Raise unless the installed moto is the version this patch was written for."""
    pinned, installed = pinned_moto_version(), moto.__version__
    if installed != pinned:
        raise RuntimeError(
            f"offline_cloud/moto_lambda.py patches moto {pinned}, the version requirements-dev.txt "
            f"pins, but moto {installed} is installed; it replaces moto's event-invoke-config "
            f"store and would not be checked against {installed}. Run `make setup`, or check "
            "the patch against that version and change the pin."
        )


@functools.cache
def install() -> None:
    """Patch moto in this process (once); call before starting a moto server thread.

    Raises `RuntimeError`, patching nothing, on a moto version other than the pinned one.
    """
    check_moto_version()
    LambdaBackend.delete_function = _delete_function  # type: ignore[method-assign]
    LambdaResponse._dispatch = _counted(LambdaResponse._dispatch)  # type: ignore[method-assign]
    patches: dict[str, Any] = {
        "put_function_event_invoke_config": _put,
        "get_function_event_invoke_config": _get,
        "delete_function_event_invoke_config": _delete,
        "list_function_event_invoke_configs": _list,
    }
    for name, method in patches.items():
        setattr(LambdaResponse, name, method)
