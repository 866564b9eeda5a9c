"""The Lambda API calls behind the resource: read, write and remove one config by its `ConfigId`."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from .function_ref import UNQUALIFIED, ConfigId
from .properties import FUNCTION_ARN_ATTRIBUTE, LAST_MODIFIED_ATTRIBUTE
from .retries import ACCESS_DENIED

logger = logging.getLogger(__name__)


def config_exists(client: Any, config: ConfigId) -> bool:
    """True when Lambda holds a config for exactly this function and qualifier."""
    try:
        client.get_function_event_invoke_config(**config.api_target)
    except client.exceptions.ResourceNotFoundException:
        return False
    return True


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
    except ClientError as error:
        if error.response["Error"]["Code"] not in ACCESS_DENIED:
            raise
        # The template no longer grants this function: CloudFormation updated the provider's
        # policy before this cleanup delete. Say how to finish the job by hand.
        raise PermissionError(
            "Delete denied: its grant left the template first. Remove the config by hand: "
            + delete_command(config)
        ) from error
    logger.info("Deleted event invoke config of %s", config.physical_id)


def delete_command(config: ConfigId) -> str:
    """The AWS CLI command that removes `config` by hand."""
    qualifier = "" if config.qualifier == UNQUALIFIED else f" --qualifier {config.qualifier}"
    return (
        "aws lambda delete-function-event-invoke-config "
        f"--function-name {config.function_arn}{qualifier}"
    )
