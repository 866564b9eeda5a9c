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
from offline_cloud.arns import config_target
from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.fake_aws import REGION, client_environment


def change_one_and_report(cloud: LocalCloud, name: str, places: dict[str, str]) -> str:
    """Change the retries of the stack's first config by hand; the report's table, checked to
    show that config, and only it, as MODIFIED (SystemExit otherwise)."""
    logical_id, physical_id = sorted(places.items())[0]
    # The offline cloud's own reading of the physical id: the demo checks the product, so it
    # uses none of the product's code to do so.
    target, held = config_target(physical_id), read_config(cloud.lambda_client, physical_id)
    if target is None or held is None:
        raise SystemExit(f"{name}: {logical_id} holds no config to change")
    retries = (int(held.get("MaximumRetryAttempts", 2)) + 1) % 3
    settings = {key: held[key] for key in ("MaximumEventAgeInSeconds",) if key in held}
    destinations = {
        key: target_
        for key, target_ in held.get("DestinationConfig", {}).items()
        if target_.get("Destination")
    }
    if destinations:
        settings["DestinationConfig"] = destinations
    cloud.lambda_client.put_function_event_invoke_config(
        **target, MaximumRetryAttempts=retries, **settings
    )
    endpoints = {k: v for k, v in cloud.provider.env.items() if k.startswith("AWS_ENDPOINT_URL_")}
    with mock.patch.dict(os.environ, {**client_environment(), **endpoints}):
        findings = report(boto3.Session(region_name=REGION), name)
    drifted = [(f.LogicalResourceId, f.Status) for f in findings if f.Status != IN_SYNC]
    if drifted != [(logical_id, MODIFIED)]:
        raise SystemExit(f"{name}: the drift report found {drifted}, expected {logical_id} alone")
    shown = table(findings).replace(physical_id.split(":function:")[0] + ":function:", "")
    return textwrap.indent(shown, "    ")
