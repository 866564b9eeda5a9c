"""Lambda entry point: maps CloudFormation's Create, Update and Delete onto Lambda's API.

`cloudformation` answers CloudFormation, `properties` parses the input, `ownership` says which
resource holds a config, `calls` makes the AWS calls (`lambda_api`, the stack, `copies`) and
`reasons` words every failure; this module decides, for one event, what to call.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from . import adoption, copies, grant_digest, reasons
from .calls import Calls, StackUnreadable, error_code
from .cloudformation import (
    Action,
    CloudFormationRequest,
    EventContext,
    Outcome,
    Refusal,
    ResourceFailure,
)
from .copies import Copy
from .event import CustomResourceEvent
from .function_ref import NOT_CREATED, ConfigId, Environment, parse_physical_id
from .lambda_api import delete_config
from .live_operation import calls_on_live_stack, check_resource_type
from .log_text import escaping_logger
from .ownership import ROLLBACK_STATES, TEARDOWN_STATES, UNDO_STATES
from .properties import (
    ADOPT_EXISTING,
    FUNCTION_ARN_ATTRIBUTE,
    LAST_MODIFIED_ATTRIBUTE,
    ConfigRequest,
    InvalidPropertyError,
    parse_properties,
)
from .retries import ACCESS_DENIED, OutOfTimeError

logger = escaping_logger(__name__)
NOT_FOUND = "ResourceNotFoundException"


def _parse(event: CustomResourceEvent, context: Any) -> tuple[ConfigRequest, ConfigId]:
    """The declared config and its canonical id (bare names live in the provider's account)."""
    request = parse_properties(event.resource_properties)
    return request, request.config_id(Environment.of_function_arn(context.invoked_function_arn))


def _adopted_before(event: CustomResourceEvent) -> bool:
    """Whether AdoptExisting was already true before this Update: then it adopts nothing."""
    return str(event.old_resource_properties.get(ADOPT_EXISTING, "")).lower() == "true"


def _take_over_or_refuse(
    calls: Calls, config: ConfigId, before: dict[str, Any], request: ConfigRequest, *, moving: bool
) -> bool:
    """Before writing over the existing `config`: keep a copy and go on, or refuse.

    It may be taken from another resource of the stack that holds it, when the resource adopts
    it (AdoptExisting turned on in this deploy), or back by a move that the stack's rollback
    makes. Returns whether a copy was kept (not for a rollback's move back).
    """
    adopt = request.adopt_existing and not (moving and _adopted_before(calls.event))
    held_by = calls.holders(config)
    if held_by:
        logger.info("Taking %s over from %s of this stack", config.physical_id, held_by)
    elif adopt:
        adoption.refuse_unless_allowed(config)
        logger.info("Adopting the existing config of %s", config.physical_id)
    elif moving and calls.stack_status in ROLLBACK_STATES:
        return False
    elif request.adopt_existing:
        raise Refusal(reasons.adoption_spent(config))
    else:
        raise Refusal(
            reasons.not_managed_here(config, adoption_allowed=adoption.adoption_allowed())
        )
    calls.keep_copy(config, before)
    return True


def _refused(config: ConfigId, error: Exception) -> Refusal:
    """Lambda's final refusal of a write, as a reason."""
    if error_code(error) in ACCESS_DENIED:
        return Refusal(reasons.write_denied(config, error))
    return Refusal(reasons.lambda_refused(config, error))


def create(event: CustomResourceEvent, context: Any, event_context: EventContext) -> Outcome:
    """Write the declared config, unless it belongs to someone else."""
    request, config = _parse(event, context)
    calls = calls_on_live_stack(event, context, event_context.deadline)
    before = calls.settings(config)
    if before is not None:
        _take_over_or_refuse(calls, config, before, request, moving=False)
    event_context.writing(config.physical_id)
    try:
        data = calls.put(config, request.settings)
    except OutOfTimeError:
        raise
    except Exception as error:
        # Its id makes the rollback's Delete undo it: write the copy back, or delete what an
        # earlier attempt may have written at a free place.
        if before is not None:
            raise ResourceFailure(
                reasons.rolled_back_write(config, error), config.physical_id
            ) from error
        if not calls.written(config):
            raise _refused(config, error) from error
        raise ResourceFailure(
            reasons.unconfirmed_create(config, error), config.physical_id
        ) from error
    return Outcome(config.physical_id, data)


def update(event: CustomResourceEvent, context: Any, event_context: EventContext) -> Outcome:
    """Rewrite the config; a move to another function or qualifier is checked like a Create."""
    request, config = _parse(event, context)
    calls = calls_on_live_stack(event, context, event_context.deadline)
    moving = parse_physical_id(event.physical_resource_id) != config
    before = calls.settings(config) if moving else None
    copied = before is not None and _take_over_or_refuse(
        calls, config, before, request, moving=True
    )
    try:
        data = calls.put(config, request.settings)
    except OutOfTimeError:
        raise
    except Exception as error:
        if error_code(error) == NOT_FOUND and calls.stack_status == "UPDATE_ROLLBACK_IN_PROGRESS":
            # The function (or its alias) is gone: the rollback has nothing to write back.
            logger.warning("%s is gone; nothing to roll back", config.physical_id)
            return Outcome(
                config.physical_id,
                {FUNCTION_ARN_ATTRIBUTE: config.function_arn, LAST_MODIFIED_ATTRIBUTE: ""},
            )
        if copied and before is not None:
            _write_back(calls, config, before, error)
        if not moving or before is not None or not calls.written(config):
            raise _refused(config, error) from error
        # The update fails with the old id, so nothing would ever delete the new place.
        _remove_unconfirmed(calls, config, error)
    return Outcome(config.physical_id, data)


def _write_back(calls: Calls, config: ConfigId, before: dict[str, Any], error: Exception) -> None:
    """A failed move onto a config it took over: the old id stays, so no Delete will come to
    put that config back; do it now."""
    try:
        calls.put(config, before)
    except Exception as restore_error:
        raise Refusal(
            reasons.not_restored(config, copies.parameter_name(config), restore_error)
        ) from error
    calls.forget_copy(config)


def _remove_unconfirmed(calls: Calls, config: ConfigId, error: Exception) -> None:
    """Delete a config a failed move may have written at a place that was free; then fail."""
    try:
        calls.lambda_(lambda client: delete_config(client, config))
    except Exception as cleanup_error:
        raise Refusal(reasons.unconfirmed_move_left(config, error)) from cleanup_error
    raise Refusal(reasons.unconfirmed_move_removed(config, error)) from error


def delete(event: CustomResourceEvent, context: Any, event_context: EventContext) -> Outcome:
    """Remove the config named by the physical id, unless another resource now holds it; in a
    rollback, write back a config this resource took over."""
    physical_id = event.physical_resource_id
    config = parse_physical_id(physical_id)
    if config is None:
        logger.info("Physical id %r names no event invoke config: nothing to delete", physical_id)
        return Outcome(physical_id)
    try:
        calls = calls_on_live_stack(event, context, event_context.deadline)
    except StackUnreadable as refusal:
        raise Refusal(
            reasons.unreadable_stack_on_delete(config, event.stack_id, event.logical_resource_id)
        ) from refusal
    status = calls.stack_status
    # While the whole stack goes, no other resource of it can keep the config (ownership.py).
    held_by = [] if status in TEARDOWN_STATES else calls.holders(config)
    copy = calls.own_copy(config) if status in UNDO_STATES else None
    if copy is not None:
        _restore(calls, config, copy)
    elif held_by:
        logger.info("Keeping %s: %s of this stack holds it now", physical_id, held_by)
    else:
        _delete(calls, config, event, tearing_down=status in TEARDOWN_STATES)
    return Outcome(physical_id)


def _restore(calls: Calls, config: ConfigId, copy: Copy) -> None:
    """Write back the config this resource took over; a function gone has nothing to restore."""
    try:
        calls.put(config, copy.settings)
    except Exception as error:
        if error_code(error) != NOT_FOUND:
            raise Refusal(
                reasons.not_restored(config, copies.parameter_name(config), error)
            ) from error
    logger.info("Wrote back the config %s held before it was taken over", config.physical_id)
    calls.forget_copy(config)


def _delete(calls: Calls, config: ConfigId, event: CustomResourceEvent, tearing_down: bool) -> None:
    """Delete the config, and the copy kept of it. A denial is final: the grant existed since
    the config was written, so it is not propagating; it was removed or narrowed."""

    def delete_or_refuse(client: Any) -> None:
        try:
            delete_config(client, config)
        except ClientError as error:
            if error_code(error) not in ACCESS_DENIED:
                raise
            stack_id, logical_id = event.stack_id, event.logical_resource_id
            raise Refusal(
                reasons.delete_denied(config, stack_id, logical_id, tearing_down)
            ) from error

    try:
        calls.lambda_(delete_or_refuse)
    except ClientError as error:
        raise Refusal(reasons.delete_failed(config, error)) from error
    calls.forget_copy(config)


def _explained(action: Action) -> Action:
    """`action`, whose every failure answers a reason that says what, why and what to do."""

    def run(event: CustomResourceEvent, context: Any, event_context: EventContext) -> Outcome:
        check_resource_type(event)
        try:
            return action(event, context, event_context)
        except (Refusal, ResourceFailure):
            raise
        except InvalidPropertyError as error:
            raise Refusal(reasons.invalid_property(error)) from error
        except OutOfTimeError as error:
            raise Refusal(reasons.out_of_time(event.request_type, error)) from error
        except Exception as error:
            logger.exception("%s failed", event.request_type)
            raise Refusal(reasons.unexpected(event.request_type, error)) from error

    return run


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
        create=_explained(create),
        update=_explained(update),
        delete=_explained(delete),
        failed_create_id=NOT_CREATED,
    )(event, context)
