"""The Lambda API calls behind the resource: read, write and remove one config by its `ConfigId`."""

from __future__ import annotations

from typing import Any

from .function_ref import ConfigId
from .log_text import escaping_logger
from .properties import (
    DESTINATION,
    DESTINATION_CONFIG,
    EVENT_AGE,
    FUNCTION_ARN_ATTRIBUTE,
    LAST_MODIFIED_ATTRIBUTE,
    RETRY_ATTEMPTS,
)

logger = escaping_logger(__name__)


def read_settings(client: Any, config: ConfigId) -> dict[str, Any] | None:
    """The settings Lambda holds for exactly this function and qualifier, as a put takes them;
    None when there is no config (or no function)."""
    try:
        found = client.get_function_event_invoke_config(**config.api_target)
    except client.exceptions.ResourceNotFoundException:
        return None
    settings = {key: found[key] for key in (RETRY_ATTEMPTS, EVENT_AGE) if key in found}
    destinations = {
        key: {DESTINATION: target[DESTINATION]}
        for key, target in found.get(DESTINATION_CONFIG, {}).items()
        if target.get(DESTINATION)
    }
    if destinations:
        settings[DESTINATION_CONFIG] = destinations
    return settings


def put_config(client: Any, config: ConfigId, settings: dict[str, Any]) -> dict[str, str]:
    """Write the whole config (a setting left out is removed); returns the resource attributes."""
    response = client.put_function_event_invoke_config(**config.api_target, **settings)
    logger.info("Put event invoke config on %s", response["FunctionArn"])
    return {
        FUNCTION_ARN_ATTRIBUTE: str(response["FunctionArn"]),
        LAST_MODIFIED_ATTRIBUTE: response["LastModified"].isoformat(),
    }


def delete_config(client: Any, config: ConfigId) -> None:
    """Remove the config; a config or function already gone is fine."""
    try:
        client.delete_function_event_invoke_config(**config.api_target)
    except client.exceptions.ResourceNotFoundException:
        logger.info("Event invoke config of %s is already gone", config.physical_id)
        return
    logger.info("Deleted event invoke config of %s", config.physical_id)
