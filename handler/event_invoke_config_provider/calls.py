"""The AWS calls of one event: Lambda, the event's own stack and the SSM copies, each retried
within the event's deadline; a denial becomes a reason (`reasons`)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from botocore.exceptions import ClientError

from . import copies, reasons
from .cloudformation import Refusal
from .copies import Copy
from .deadline import Deadline
from .event import CustomResourceEvent
from .function_ref import ConfigId
from .lambda_api import put_config, read_settings
from .log_text import escaping_logger
from .ownership import holders, stack_status
from .retries import ACCESS_DENIED, CallTimeouts, call_with_retries

logger = escaping_logger(__name__)
T = TypeVar("T")

_session = boto3.session.Session()
_session_lock = threading.Lock()  # a session is not thread-safe; its clients are


def make_client(service: str, timeouts: CallTimeouts) -> Any:
    """A client of `service` with the given timeouts and retries."""
    with _session_lock:
        return _session.client(service, config=timeouts.config())


def error_code(error: Exception) -> str:
    """The AWS error code of `error`, or "" for any other exception."""
    return str(error.response["Error"]["Code"]) if isinstance(error, ClientError) else ""


class StackUnreadable(Refusal):
    """The provider's role may not read the event's stack."""


class Calls:
    """The AWS calls of one event, each retried within the event's deadline."""

    def __init__(self, deadline: Deadline, event: CustomResourceEvent) -> None:
        self.deadline = deadline
        self.event = event

    def _call(self, service: str, call: Callable[[Any], T]) -> T:
        return call_with_retries(call, self.deadline, functools.partial(make_client, service))

    def lambda_(self, call: Callable[[Any], T]) -> T:
        """`call(lambda_client)` with retries."""
        return self._call("lambda", call)

    def read_stack(self, action: str, call: Callable[[Any], T]) -> T:
        """`call(cloudformation_client)` on the event's stack; a denial says what is missing."""
        try:
            return self._call("cloudformation", call)
        except ClientError as error:
            if error_code(error) not in ACCESS_DENIED:
                raise
            raise StackUnreadable(reasons.unreadable_stack(self.event.stack_id, action)) from error

    def holders(self, config: ConfigId) -> list[str]:
        """The other resources of the event's stack that hold `config`, a page per request."""
        return holders(
            lambda request: self.read_stack(
                "ListStackResources", lambda client: client.list_stack_resources(**request)
            ),
            self.event,
            config,
        )

    @functools.cached_property
    def stack_status(self) -> str | None:
        """The status of the event's stack, read once an event (DescribeStacks); None: no stack.

        It stays true for the event: CloudFormation waits for the answer before the operation
        moves on (ownership.py)."""
        return self.read_stack(
            "DescribeStacks", lambda client: stack_status(client, self.event.stack_id)
        )

    def settings(self, config: ConfigId) -> dict[str, Any] | None:
        """The settings Lambda holds at `config`, or None (GetFunctionEventInvokeConfig)."""
        try:
            return self.lambda_(lambda client: read_settings(client, config))
        except ClientError as error:
            if error_code(error) not in ACCESS_DENIED:
                raise
            raise Refusal(reasons.write_denied(config, error)) from error

    def written(self, config: ConfigId) -> bool:
        """Whether Lambda holds `config` now; True when that cannot be told."""
        try:
            return self.settings(config) is not None
        except Exception:
            logger.exception("Could not read %s back", config.physical_id)
            return True

    def put(self, config: ConfigId, settings: dict[str, Any]) -> dict[str, str]:
        """Write the whole config (PutFunctionEventInvokeConfig); returns the attributes."""
        return self.lambda_(lambda client: put_config(client, config, settings))

    def keep_copy(self, config: ConfigId, settings: dict[str, Any]) -> None:
        """Save what `config` holds before this resource writes over it (copies.py)."""
        copy = Copy(self.event.stack_id, self.event.logical_resource_id, settings)
        try:
            self._call("ssm", lambda client: copies.save(client, config, copy))
        except Exception as error:
            raise Refusal(reasons.copy_not_kept(config, error)) from error

    def own_copy(self, config: ConfigId) -> Copy | None:
        """The copy this very resource of this stack kept of `config`, if any."""
        try:
            copy = self._call("ssm", lambda client: copies.load(client, config))
        except Exception as error:
            parameter = copies.parameter_name(config)
            raise Refusal(reasons.copy_unreadable(config, parameter, error)) from error
        if copy is None or (copy.stack_id, copy.logical_id) != (
            self.event.stack_id,
            self.event.logical_resource_id,
        ):
            return None
        return copy

    def forget_copy(self, config: ConfigId) -> None:
        """Remove the copy of a config that left its resource; a failure only costs a parameter."""
        try:
            self._call("ssm", lambda client: copies.forget(client, config))
        except Exception:
            logger.exception("Could not remove the copy of %s", config.physical_id)
