"""`make demo`'s drift step: one config changed by hand, and the drift report names it alone.

The report (event_invoke_config/drift.py) runs in-process against the offline cloud's stack API
and moto, as `event-invoke-config drift STACK` runs against AWS.
"""

from __future__ import annotations

import os
import textwrap
from unittest import mock

import boto3

from event_invoke_config.drift import report
from event_invoke_config.drift_report import IN_SYNC, MODIFIED, table
from event_invoke_config_provider.function_ref import parse_physical_id
from event_invoke_config_provider.lambda_api import read_settings
from event_invoke_config_provider.properties import RETRY_ATTEMPTS
from offline_cloud.deployment import LocalCloud
from offline_cloud.fake_aws import REGION, client_environment


def change_one_and_report(cloud: LocalCloud, name: str, places: dict[str, str]) -> str:
    """Change the retries of the stack's first config by hand; the report's table, checked to
    show that config, and only it, as MODIFIED (SystemExit otherwise)."""
    logical_id, physical_id = sorted(places.items())[0]
    config = parse_physical_id(physical_id)
    settings = read_settings(cloud.lambda_client, config) if config is not None else None
    if config is None or settings is None:
        raise SystemExit(f"{name}: {logical_id} holds no config to change")
    settings[RETRY_ATTEMPTS] = (int(settings.get(RETRY_ATTEMPTS, 2)) + 1) % 3
    cloud.lambda_client.put_function_event_invoke_config(**config.api_target, **settings)
    endpoints = {k: v for k, v in cloud.provider.env.items() if k.startswith("AWS_ENDPOINT_URL_")}
    with mock.patch.dict(os.environ, {**client_environment(), **endpoints}):
        findings = report(boto3.Session(region_name=REGION), name)
    drifted = [(f.LogicalResourceId, f.Status) for f in findings if f.Status != IN_SYNC]
    if drifted != [(logical_id, MODIFIED)]:
        raise SystemExit(f"{name}: the drift report found {drifted}, expected {logical_id} alone")
    shown = table(findings).replace(f"{config.function_arn.rsplit(':', 1)[0]}:", "")
    return textwrap.indent(shown, "    ")
