"""Lambda entry point: maps CloudFormation's Create, Update and Delete onto Lambda's API.

`cloudformation` answers CloudFormation, `properties` parses the input, `ownership` says which
resource holds a config and `lambda_api` calls Lambda; this module wires them for one event.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import boto3
import botocore.session

from .cloudformation import CloudFormationRequest, Outcome, ResourceFailure
from .deadline import Deadline
from .function_ref import NOT_CREATED, ConfigId, Environment, parse_physical_id
from .lambda_api import AppliedConfig, config_exists, delete_config, put_config
from .limits import put_limits
from .ownership import holders, refusal, rolling_back
from .properties import ConfigRequest, parse_properties
from .retries import CallTimeouts, call_with_retries, may_have_been_applied

logger = logging.getLogger(__name__)
T = TypeVar("T")

_botocore_session = botocore.session.get_session()
_session = boto3.session.Session(botocore_session=_botocore_session)
_session_lock = threading.Lock()  # a session is not thread-safe; its clients are
# The limits of the Lambda model that this runtime's botocore ships (loaded once, no request).
limits = put_limits(_botocore_session.get_service_model("lambda"))


def make_client(service: str, timeouts: CallTimeouts) -> Any:
    """A client of `service` with the given timeouts and retries."""
    with _session_lock:
        return _session.client(service, config=timeouts.config())


class Calls:
    """The AWS calls of one event, each retried within the event's deadline."""

    def __init__(self, event: Mapping[str, Any], context: Any) -> None:
        self.deadline = Deadline.for_event(event, context)

    def lambda_(self, call: Callable[[Any], T]) -> T:
        """`call(lambda_client)` with retries."""
        return call_with_retries(call, self.deadline, functools.partial(make_client, "lambda"))

    def cloudformation(self, call: Callable[[Any], T]) -> T:
        """`call(cloudformation_client)` with retries."""
        return call_with_retries(
            call, self.deadline, functools.partial(make_client, "cloudformation")
        )


def _parse(event: Mapping[str, Any], context: Any) -> tuple[ConfigRequest, ConfigId]:
    """The declared config and its canonical id (bare names live in the provider's account)."""
    request = parse_properties(event["ResourceProperties"], limits)
    return request, request.config_id(Environment.of_function_arn(context.invoked_function_arn))


def _may_write(
    calls: Calls, event: Mapping[str, Any], config: ConfigId, *, adopt: bool, moving: bool
) -> bool:
    """Check, before writing `config`, that no one else owns it; returns whether it existed."""
    if not calls.lambda_(lambda client: config_exists(client, config)):
        return False
    held_by = calls.cloudformation(lambda client: holders(client, event, config))
    if held_by:
        logger.info("Taking %s over from %s of this stack", config.physical_id, held_by)
    elif adopt:
        logger.info("Adopting the existing config of %s", config.physical_id)
    elif not (moving and calls.cloudformation(lambda c: rolling_back(c, event["StackId"]))):
        raise refusal(config)
    return True


def _applied(config: ConfigId, applied: AppliedConfig) -> Outcome:
    data = {"FunctionArn": applied.function_arn, "LastModified": applied.last_modified}
    return Outcome(config.physical_id, data)


def create(event: dict[str, Any], context: Any) -> Outcome:
    """Write the declared config, unless it belongs to someone else."""
    request, config = _parse(event, context)
    calls = Calls(event, context)
    existed = _may_write(calls, event, config, adopt=request.adopt_existing, moving=False)
    try:
        applied = calls.lambda_(lambda client: put_config(client, config, request.settings))
    except Exception as error:
        if existed or not may_have_been_applied(error):
            raise
        # Lambda may have written it: answer its id, so the rollback's Delete removes it.
        raise ResourceFailure(
            f"Lambda did not confirm the config of {config.describe()} ({error}); the rollback "
            "removes it if it was written.",
            config.physical_id,
        ) from error
    return _applied(config, applied)


def update(event: dict[str, Any], context: Any) -> Outcome:
    """Rewrite the config; a move to another function or qualifier is checked like a Create."""
    request, config = _parse(event, context)
    calls = Calls(event, context)
    if config.physical_id != event["PhysicalResourceId"]:
        _may_write(calls, event, config, adopt=request.adopt_existing, moving=True)
    applied = calls.lambda_(lambda client: put_config(client, config, request.settings))
    return _applied(config, applied)


def delete(event: dict[str, Any], context: Any) -> Outcome:
    """Remove the config named by the physical id, unless another resource now holds it."""
    physical_id: str = event["PhysicalResourceId"]
    config = parse_physical_id(physical_id)
    if config is None:
        logger.info("Physical id %r names no event invoke config: nothing to delete", physical_id)
        return Outcome(physical_id)
    calls = Calls(event, context)
    held_by = calls.cloudformation(lambda client: holders(client, event, config))
    if held_by:
        logger.info("Keeping %s: %s of this stack holds it now", physical_id, held_by)
    else:
        calls.lambda_(lambda client: delete_config(client, config))
    return Outcome(physical_id)


def handler(event: dict[str, Any], context: Any) -> None:
    """The function's handler, as named in the provider's `Handler` property."""
    CloudFormationRequest(
        create=create, update=update, delete=delete, failed_create_id=NOT_CREATED
    )(event, context)
