"""moto's SSM with IAM: a request made with a role's credentials is authorized first, and counted.

The provider keeps copies of the configs it takes over in SSM parameters of its own account and
region. As in offline_cloud/moto_lambda.py, a request signed with a role's credentials
(offline_cloud/iam_roles.py) is checked before moto handles it: the action `ssm:<Operation>` on
the parameter's ARN, which names it without its leading slash,
`arn:aws:ssm:REGION:ACCOUNT:parameter/a/b` for `/a/b` (resource type `parameter`,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html).
The parameter of a parameter operation (`...Parameter...`) is its `Name` (a name or an ARN; a
`:version` or `:label` selector is not part of the resource), each of its `Names` (all must be
allowed) or its `Path`; any other request is checked on `*`, as IAM checks an action without a
resource type (DescribeParameters). The provider makes none of those.

A denied request changes nothing and gets SSM's AccessDeniedException: HTTP 400, the status of
every client error of SSM's JSON protocol, and the body botocore's ssm model shapes
(`{"__type": "AccessDeniedException", "Message": ...}`), which moto serializes from that model.
Calls with other credentials (the tests', the engine's) are never checked.

`calls` counts the SSM requests that reach the server, by operation (`GetParameter`, ...).
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
