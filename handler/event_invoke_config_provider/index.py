"""Lambda entry point: maps CloudFormation's Create, Update and Delete onto put and delete.

`cloudformation` answers CloudFormation, `properties` parses the input and `lambda_api` calls
Lambda; this module only wires them together for one event.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.session

from .cloudformation import CloudFormationRequest, Outcome
from .lambda_api import (
    CallTimeouts,
    Deadline,
    call_with_retries,
    delete_config,
    put_config,
)
from .limits import put_limits
from .properties import parse_properties

_botocore_session = botocore.session.get_session()
_session = boto3.session.Session(botocore_session=_botocore_session)
_session_lock = threading.Lock()  # a session is not thread-safe; its clients are
# The limits of the Lambda model that this runtime's botocore ships (loaded once, no request).
limits = put_limits(_botocore_session.get_service_model("lambda"))


def lambda_client(timeouts: CallTimeouts) -> Any:
    """A Lambda client with the given timeouts and retries."""
    with _session_lock:
        return _session.client("lambda", config=timeouts.config())


def put(event: dict[str, Any], context: Any) -> Outcome:
    """Create and Update: write exactly the declared settings (nothing before they parse)."""
    request = parse_properties(event["ResourceProperties"], limits)
    applied = call_with_retries(
        lambda client: put_config(client, request), Deadline(context), lambda_client
    )
    data = {"FunctionArn": applied.function_arn, "LastModified": applied.last_modified}
    return Outcome(applied.function_arn, data)


def delete(event: dict[str, Any], context: Any) -> Outcome:
    """Delete: remove the config named by the physical id alone."""
    physical_id: str = event["PhysicalResourceId"]
    call_with_retries(
        lambda client: delete_config(client, physical_id), Deadline(context), lambda_client
    )
    return Outcome(physical_id)


def handler(event: dict[str, Any], context: Any) -> None:
    """The function's handler, as named in the provider's `Handler` property."""
    CloudFormationRequest(create=put, update=put, delete=delete)(event, context)
