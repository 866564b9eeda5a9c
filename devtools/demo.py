"""`make demo`: the demo stack's configs through Create, Update and Delete, offline.

Usage: python -m devtools.demo CDK_OUT

Starts moto's server and an HTTPS ResponseURL endpoint on 127.0.0.1, then runs the synthesized
provider asset in a fresh interpreter per event, as the Lambda runtime would, and prints each
request, the config Lambda then holds, and the attributes the resource returns.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .deployment import LocalDeployment, load_template, provider_asset
from .local_cloud import MotoServer, ResponseCollector

STACK = "EventInvokeConfigDemo"
CUSTOM_TYPE = "Custom::LambdaEventInvokeConfig"


def _show(title: str, value: Any) -> None:
    print(f"  {title}: {json.dumps(value, indent=None, default=str)}")


def _config(deployment: LocalDeployment, physical_id: str) -> Any:
    function, _, qualifier = physical_id.rpartition(":")
    try:
        config = deployment.lambda_client.get_function_event_invoke_config(
            FunctionName=function, Qualifier=qualifier
        )
    except deployment.lambda_client.exceptions.ResourceNotFoundException:
        return "(none)"
    config.pop("ResponseMetadata")
    return config


def _step(
    deployment: LocalDeployment,
    request_type: str,
    logical_id: str,
    properties: dict[str, Any],
    **kwargs: Any,
) -> dict[str, Any]:
    print(f"\n{request_type} {logical_id}")
    shown = {k: v for k, v in properties.items() if k != "ServiceToken"}
    _show("request properties", shown)
    response = deployment.send(request_type, logical_id, properties, **kwargs)
    _show("response", {k: response[k] for k in ("Status", "PhysicalResourceId", "Reason", "Data")})
    if response["Status"] != "SUCCESS":
        raise SystemExit(f"{request_type} {logical_id} failed: {response['Reason']}")
    _show("config in Lambda", _config(deployment, response["PhysicalResourceId"]))
    return response


def run(cdk_out: Path) -> None:
    """Create, update and delete every config of the demo stack."""
    template = load_template(cdk_out, STACK)
    asset = provider_asset(cdk_out, template)
    print(f"Provider asset: {asset.code_dir} (handler {asset.handler})")
    with MotoServer() as endpoint, ResponseCollector() as collector:
        deployment = LocalDeployment(
            STACK, template, asset, moto_endpoint=endpoint, collector=collector
        )
        configs = [k for k, v in template["Resources"].items() if v["Type"] == CUSTOM_TYPE]
        created = {}
        for logical_id in configs:
            properties = deployment.properties_of(logical_id)
            response = _step(deployment, "Create", logical_id, properties)
            created[logical_id] = (properties, response["PhysicalResourceId"])

        logical_id = configs[0]
        old, physical_id = created[logical_id]
        new = {k: v for k, v in old.items() if k != "DestinationConfig"}
        new["MaximumRetryAttempts"] = "2"
        print("\n(update: retries to 2, destinations removed from the template)")
        _step(deployment, "Update", logical_id, new, old_properties=old, physical_id=physical_id)
        created[logical_id] = (new, physical_id)

        for logical_id, (properties, physical_id) in created.items():
            _step(deployment, "Delete", logical_id, properties, physical_id=physical_id)
    print("\nDemo complete: every request answered SUCCESS.")


if __name__ == "__main__":
    run(Path(sys.argv[1]))
