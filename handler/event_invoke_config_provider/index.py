"""Lambda entry point: maps CloudFormation's Create, Update and Delete onto put and delete.

crhelper owns the CloudFormation side (the response PUT, the timer); the functions below only
parse the properties and call the Lambda API.
"""

from __future__ import annotations

import logging
from typing import Any

import boto3
from botocore.config import Config
from crhelper import CfnResource

from .lambda_api import delete_config, put_config
from .limits import put_limits
from .properties import parse_properties

logger = logging.getLogger(__name__)

# INFO, not crhelper's default DEBUG: at DEBUG crhelper logs the whole event, and with it the
# pre-signed ResponseURL, which is a credential. No sleep on Delete (crhelper waits 120 s).
helper = CfnResource(log_level="INFO", boto_level="WARNING", sleep_on_delete=0)
lambda_client = boto3.client("lambda", config=Config(retries={"mode": "standard"}))
limits = put_limits(lambda_client.meta.service_model)


@helper.create
@helper.update
def put(event: dict[str, Any], _context: Any) -> str:
    """Write exactly the declared settings; the physical id is Lambda's ARN for the config."""
    request = parse_properties(event["ResourceProperties"], limits)
    applied = put_config(lambda_client, request)
    helper.Data.update(FunctionArn=applied.function_arn, LastModified=applied.last_modified)
    return applied.function_arn


@helper.delete
def delete(event: dict[str, Any], _context: Any) -> str:
    """Remove the config named by the physical id alone."""
    delete_config(lambda_client, event["PhysicalResourceId"])
    physical_id: str = event["PhysicalResourceId"]
    return physical_id


def handler(event: dict[str, Any], context: Any) -> None:
    """The function's handler, as named in the provider's `Handler` property."""
    helper(event, context)
