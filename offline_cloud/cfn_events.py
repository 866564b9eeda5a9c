"""CloudFormation's requests to a custom resource, built as CloudFormation sends them.

The engine, the benchmarks and the tests all build their events here: a fresh RequestId, a
ResponseURL pre-signed at the moment of sending (`X-Amz-Date`, which the provider reads to
count its ServiceTimeout), and the ServiceToken repeated beside the properties.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

# The custom resource type of a config, as templates declare it (the default of every event).
CONFIG_TYPE = "Custom::LambdaEventInvokeConfig"
SIGNED_AT_FORMAT = "X-Amz-Date=%Y%m%dT%H%M%SZ"


def signed_query(sent_at: float | None = None) -> str:
    """The `X-Amz-Date` parameter of a URL pre-signed at `sent_at` (epoch seconds; now)."""
    return time.strftime(SIGNED_AT_FORMAT, time.gmtime(time.time() if sent_at is None else sent_at))


def request(
    request_type: str,
    *,
    stack_id: str,
    logical_id: str,
    properties: Mapping[str, Any],
    response_url: Callable[[str], str],
    resource_type: str = CONFIG_TYPE,
    physical_id: str | None = None,
    old_properties: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One request; `response_url(request_id)` gives its ResponseURL."""
    request_id = str(uuid.uuid4())
    decided = unsent(
        request_type,
        stack_id=stack_id,
        logical_id=logical_id,
        properties=properties,
        resource_type=resource_type,
        physical_id=physical_id,
        old_properties=old_properties,
    )
    return {
        "RequestId": request_id,
        "ResponseURL": response_url(request_id),
        "ServiceToken": properties.get("ServiceToken", ""),
        **decided,
    }


def unsent(
    request_type: str,
    *,
    stack_id: str,
    logical_id: str,
    properties: Mapping[str, Any],
    resource_type: str = CONFIG_TYPE,
    physical_id: str | None = None,
    old_properties: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the stack operation decides of a request (the engine's part); `request` adds what
    sending adds. A Create has no PhysicalResourceId, only an Update has OldResourceProperties."""
    event: dict[str, Any] = {
        "RequestType": request_type,
        "StackId": stack_id,
        "LogicalResourceId": logical_id,
        "ResourceType": resource_type,
        "ResourceProperties": dict(properties),
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    if old_properties is not None:
        event["OldResourceProperties"] = dict(old_properties)
    return event
