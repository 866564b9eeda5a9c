"""Lambda entry point: maps CloudFormation's Create, Update and Delete onto Lambda's API.

`cloudformation` answers CloudFormation, `properties` parses the input, `ownership` says which
resource holds a config and `lambda_api` calls Lambda; this module wires them for one event.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from botocore.exceptions import ClientError

from . import grant_digest
from .cloudformation import (
    CloudFormationRequest,
    EventContext,
    Outcome,
    ResourceFailure,
    fit_reason,
)
from .deadline import Deadline
from .event import CustomResourceEvent
from .function_ref import NOT_CREATED, ConfigId, Environment, parse_physical_id
from .lambda_api import config_exists, delete_command, delete_config, put_config
from .ownership import (
    ROLLBACK_STATES,
    TEARDOWN_STATES,
    holders,
    refusal,
    stack_status,
    unreadable_stack,
)
from .properties import FUNCTION_NAME, ConfigRequest, parse_properties
from .retries import ACCESS_DENIED, CallTimeouts, OutOfTimeError, call_with_retries

logger = logging.getLogger(__name__)
T = TypeVar("T")

_session = boto3.session.Session()
_session_lock = threading.Lock()  # a session is not thread-safe; its clients are


def make_client(service: str, timeouts: CallTimeouts) -> Any:
    """A client of `service` with the given timeouts and retries."""
    with _session_lock:
        return _session.client(service, config=timeouts.config())


class Calls:
    """The AWS calls of one event, each retried within the event's deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def lambda_(self, call: Callable[[Any], T]) -> T:
        """`call(lambda_client)` with retries."""
        return call_with_retries(call, self.deadline, functools.partial(make_client, "lambda"))

    def cloudformation(self, call: Callable[[Any], T]) -> T:
        """`call(cloudformation_client)` with retries."""
        return call_with_retries(
            call, self.deadline, functools.partial(make_client, "cloudformation")
        )

    def read_stack(self, event: CustomResourceEvent, action: str, call: Callable[[Any], T]) -> T:
        """`call(cloudformation_client)` on the event's stack; a denial says what is missing."""
        try:
            return self.cloudformation(call)
        except ClientError as error:
            if error.response["Error"]["Code"] not in ACCESS_DENIED:
                raise
            raise unreadable_stack(event.stack_id, action) from error

    def holders(self, event: CustomResourceEvent, config: ConfigId) -> list[str]:
        """The other resources of the event's stack that hold `config`, a page per request."""
        return holders(
            lambda request: self.read_stack(
                event, "ListStackResources", lambda client: client.list_stack_resources(**request)
            ),
            event,
            config,
        )

    def stack_status(self, event: CustomResourceEvent) -> str:
        """The status of the event's stack (DescribeStacks)."""
        return self.read_stack(
            event, "DescribeStacks", lambda client: stack_status(client, event.stack_id)
        )

    def exists(self, config: ConfigId) -> bool:
        """Whether Lambda holds `config` (GetFunctionEventInvokeConfig)."""
        return self.lambda_(lambda client: config_exists(client, config))

    def written(self, config: ConfigId) -> bool:
        """Whether Lambda holds `config` now; True when that cannot be told."""
        try:
            return self.exists(config)
        except Exception:
            logger.exception("Could not read %s back", config.physical_id)
            return True


def _parse(event: CustomResourceEvent, context: Any) -> tuple[ConfigRequest, ConfigId]:
    """The declared config and its canonical id (bare names live in the provider's account)."""
    request = parse_properties(event.resource_properties)
    return request, request.config_id(Environment.of_function_arn(context.invoked_function_arn))


def _take_over_or_refuse(
    calls: Calls, event: CustomResourceEvent, config: ConfigId, *, adopt: bool, moving: bool
) -> None:
    """Before writing over the existing `config`: go on if it may be taken, else refuse it.

    It may be taken from another resource of the stack that holds it, when the resource adopts
    it, or back by a move that the stack's rollback makes.
    """
    held_by = calls.holders(event, config)
    if held_by:
        logger.info("Taking %s over from %s of this stack", config.physical_id, held_by)
    elif adopt:
        logger.info("Adopting the existing config of %s", config.physical_id)
    elif not (moving and calls.stack_status(event) in ROLLBACK_STATES):
        raise refusal(config)


# A write Lambda refused or left unanswered, which an earlier attempt may have applied: the
# details are the config and the error; each use adds what comes next.
_UNCONFIRMED = f"{FUNCTION_NAME} {{}}: Lambda did not confirm the write ({{}})"


def create(event: CustomResourceEvent, context: Any, event_context: EventContext) -> Outcome:
    """Write the declared config, unless it belongs to someone else."""
    request, config = _parse(event, context)
    calls = Calls(event_context.deadline)
    existed = calls.exists(config)
    if existed:
        _take_over_or_refuse(calls, event, config, adopt=request.adopt_existing, moving=False)
    else:
        event_context.writing(config.physical_id)
    try:
        data = calls.lambda_(lambda client: put_config(client, config, request.settings))
    except OutOfTimeError:
        raise
    except Exception as error:
        # An earlier attempt may have written even if the last one was refused: look.
        if existed or not calls.written(config):
            raise
        # Answer its id, so that the rollback's Delete removes it (it was free before).
        raise ResourceFailure(
            fit_reason(f"{_UNCONFIRMED}; the rollback removes it.", config.describe(), error),
            config.physical_id,
        ) from error
    return Outcome(config.physical_id, data)


def update(event: CustomResourceEvent, context: Any, event_context: EventContext) -> Outcome:
    """Rewrite the config; a move to another function or qualifier is checked like a Create."""
    request, config = _parse(event, context)
    calls = Calls(event_context.deadline)
    moving = parse_physical_id(event.physical_resource_id) != config
    existed = moving and calls.exists(config)
    if existed:
        _take_over_or_refuse(calls, event, config, adopt=request.adopt_existing, moving=True)
    try:
        data = calls.lambda_(lambda client: put_config(client, config, request.settings))
    except OutOfTimeError:
        raise
    except Exception as error:
        if not moving or existed or not calls.written(config):
            raise
        # The update fails with the old id, so nothing would ever delete the new place.
        _remove_unconfirmed(calls, config, error)
    return Outcome(config.physical_id, data)


def _remove_unconfirmed(calls: Calls, config: ConfigId, error: Exception) -> None:
    """Delete a config a failed move may have written at a place that was free; then fail."""
    try:
        calls.lambda_(lambda client: delete_config(client, config))
    except Exception as cleanup_error:
        raise RuntimeError(
            fit_reason(
                f"{_UNCONFIRMED}; remove what it may have left: {delete_command(config)}",
                config.describe(),
                error,
            )
        ) from cleanup_error
    raise RuntimeError(
        fit_reason(f"{_UNCONFIRMED}; removed it again.", config.describe(), error)
    ) from error


def delete(event: CustomResourceEvent, _context: Any, event_context: EventContext) -> Outcome:
    """Remove the config named by the physical id, unless another resource now holds it."""
    physical_id = event.physical_resource_id
    config = parse_physical_id(physical_id)
    if config is None:
        logger.info("Physical id %r names no event invoke config: nothing to delete", physical_id)
        return Outcome(physical_id)
    calls = Calls(event_context.deadline)
    # While the whole stack goes, no other resource of it can keep the config (ownership.py).
    held_by = [] if calls.stack_status(event) in TEARDOWN_STATES else calls.holders(event, config)
    if held_by:
        logger.info("Keeping %s: %s of this stack holds it now", physical_id, held_by)
    else:
        calls.lambda_(lambda client: delete_config(client, config))
    return Outcome(physical_id)


def handler(event: dict[str, Any], context: Any) -> None:
    """The function's handler, as named in the provider's `Handler` property."""
    if CustomResourceEvent(event).resource_type == grant_digest.GRANT_DIGEST_TYPE:
        CloudFormationRequest(
            create=grant_digest.answer,
            update=grant_digest.answer,
            delete=grant_digest.forget,
            failed_create_id=NOT_CREATED,
        )(event, context)
        return
    CloudFormationRequest(
        create=create, update=update, delete=delete, failed_create_id=NOT_CREATED
    )(event, context)
