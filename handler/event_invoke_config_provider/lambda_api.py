"""The Lambda API calls behind the resource: one put per Create/Update, one delete per Delete."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

# A qualified function ARN, as PutFunctionEventInvokeConfig returns it (unqualified: ":$LATEST").
_FUNCTION_ARN = re.compile(
    r"(?P<function>arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>[a-zA-Z0-9_$.-]+))?"
)
UNQUALIFIED = "$LATEST"


@dataclass(frozen=True)
class AppliedConfig:
    """What Lambda answered to a put: the physical id and the resource attributes."""

    function_arn: str
    last_modified: str


def put_config(client: Any, request: dict[str, Any]) -> AppliedConfig:
    """Write the whole config (put replaces it) and return Lambda's canonical ARN for it."""
    response = client.put_function_event_invoke_config(**request)
    logger.info("Put event invoke config on %s", response["FunctionArn"])
    return AppliedConfig(
        function_arn=response["FunctionArn"],
        last_modified=response["LastModified"].isoformat(),
    )


def delete_target(physical_id: str) -> dict[str, str] | None:
    """The delete arguments for a physical id, or None if this resource never created a config.

    crhelper invents an id like `stack_Logical_ABCD1234` when a Create fails; such an id names
    no config, and deleting by guesswork could remove one this resource does not own.
    """
    match = _FUNCTION_ARN.fullmatch(physical_id)
    if match is None:
        return None
    target = {"FunctionName": match["function"]}
    if match["qualifier"] not in (None, UNQUALIFIED):
        target["Qualifier"] = match["qualifier"]
    return target


def delete_config(client: Any, physical_id: str) -> None:
    """Remove the config named by `physical_id`; a config or function already gone is fine."""
    target = delete_target(physical_id)
    if target is None:
        logger.info("Physical id %r names no event invoke config: nothing to delete", physical_id)
        return
    try:
        client.delete_function_event_invoke_config(**target)
    except client.exceptions.ResourceNotFoundException:
        logger.info("Event invoke config of %s is already gone", physical_id)
        return
    logger.info("Deleted event invoke config of %s", physical_id)
