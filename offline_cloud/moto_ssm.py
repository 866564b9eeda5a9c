"""moto's SSM with IAM: a request made with a role's credentials is authorized first, and counted.

The action `ssm:<Operation>` on the parameter's ARN (its name without the leading slash); a
denied request changes nothing and gets SSM's AccessDeniedException. `calls` counts the requests
by operation. docs/design.md, "The offline cloud", "Lambda, SSM and the stack API".
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.ssm.exceptions import SSMException
from moto.ssm.responses import SimpleSystemManagerResponse

from . import iam_roles, moto_lambda
from .fake_aws import PARTITION

calls: Counter[str] = Counter()
_lock = threading.Lock()
# The fields of an ARN before the resource (`arn:partition:ssm:region:account:`).
_ARN_PREFIX_FIELDS = 5


def parameter_arn(name: str, region: str, account: str) -> str:
    """The IAM resource of the parameter `name` (a name or ARN, maybe with a selector)."""
    if name.startswith("arn:"):
        fields = name.split(":", _ARN_PREFIX_FIELDS)
        resource = fields[_ARN_PREFIX_FIELDS].partition(":")[0]
        return ":".join([*fields[:_ARN_PREFIX_FIELDS], resource])
    return f"arn:{PARTITION}:ssm:{region}:{account}:parameter/{name.partition(':')[0].lstrip('/')}"


def _resources(response: SimpleSystemManagerResponse) -> list[str]:
    """The resources IAM checks for the request: its parameters' ARNs, else `*`."""
    if "Parameter" not in response._get_action():  # documents, windows, ...: no parameter
        return ["*"]
    names = response._get_param("Names") or []
    for single in ("Name", "Path"):
        if isinstance(response._get_param(single), str):
            names = [response._get_param(single)]
    region, account = response.region, response.current_account
    return [parameter_arn(name, region, account) for name in names] or ["*"]


def _authorized(call_action: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`call_action` behind IAM's check of the request's parameters, counting each request."""

    @functools.wraps(call_action)
    def checked(self: SimpleSystemManagerResponse) -> Any:
        operation = self._get_action()
        with _lock:
            calls[operation] += 1
        authorization = self.headers.get("Authorization")
        for resource in _resources(self):
            message = iam_roles.denial(authorization, f"ssm:{operation}", resource)
            if message is not None:
                denied = SSMException("AccessDeniedException", message)
                status, headers, body = self.serialized(ActionResult(denied))
                headers, body = self._enrich_response(headers, body)
                return status, headers, body
        return call_action(self)

    return checked


@functools.cache
def install() -> None:
    """Patch moto's SSM in this process (once); call before starting a moto server thread.

    Raises `RuntimeError`, patching nothing, on a moto version other than the pinned one.
    """
    moto_lambda.check_moto_version()
    call_action = SimpleSystemManagerResponse.call_action
    SimpleSystemManagerResponse.call_action = _authorized(call_action)  # type: ignore[method-assign,assignment]
