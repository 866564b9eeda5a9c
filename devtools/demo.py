"""`make demo`: the demo's configs through Create, Update and Delete, offline.

Usage: python -m devtools.demo CDK_OUT

Starts moto's server and an HTTPS ResponseURL endpoint on 127.0.0.1, then runs the synthesized
provider asset in a fresh interpreter per event, as the Lambda runtime would, and prints each
request, the config Lambda then holds, and the attributes the resource returns. First the CDK
demo stack, then the plain CloudFormation template in examples/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .deployment import (
    LocalDeployment,
    load_template,
    load_yaml_template,
    provider_asset,
    read_config,
)
from .local_cloud import MotoServer, ResponseCollector

DEMO_STACK = "EventInvokeConfigDemo"
PROVIDER_STACK = "EventInvokeConfigProvider"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "async-config.yaml"
CUSTOM_TYPE = "Custom::LambdaEventInvokeConfig"


def _show(title: str, value: Any) -> None:
    print(f"  {title}: {json.dumps(value, default=str)}")


def _step(
    deployment: LocalDeployment,
    request_type: str,
    logical_id: str,
    properties: dict[str, Any],
    **kwargs: Any,
) -> dict[str, Any]:
    print(f"\n{request_type} {logical_id}")
    _show("request properties", {k: v for k, v in properties.items() if k != "ServiceToken"})
    response = deployment.send(request_type, logical_id, properties, **kwargs)
    _show("response", {k: response[k] for k in ("Status", "PhysicalResourceId", "Reason", "Data")})
    if response["Status"] != "SUCCESS":
        raise SystemExit(f"{request_type} {logical_id} failed: {response['Reason']}")
    config = read_config(deployment.lambda_client, response["PhysicalResourceId"])
    _show("config in Lambda", config or "(none)")
    return response


def lifecycle(deployment: LocalDeployment) -> None:
    """Create every config, update the first (retries 2, destinations removed), delete all."""
    template = deployment.template["Resources"]
    configs = [logical_id for logical_id, r in template.items() if r["Type"] == CUSTOM_TYPE]
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


def run(cdk_out: Path) -> None:
    """The CDK demo stack, then the plain template served by the provider stack's asset."""
    demo = load_template(cdk_out, DEMO_STACK)
    provider_only = load_template(cdk_out, PROVIDER_STACK)
    with MotoServer() as endpoint, ResponseCollector() as collector:
        for title, stack, template, asset in (
            (f"CDK stack {DEMO_STACK}", DEMO_STACK, demo, provider_asset(cdk_out, demo)),
            (
                f"plain template {EXAMPLE.name}, ServiceToken of {PROVIDER_STACK}",
                "orders",
                load_yaml_template(EXAMPLE),
                provider_asset(cdk_out, provider_only),
            ),
        ):
            print(f"\n=== {title} (provider asset {asset.code_dir.name}) ===")
            lifecycle(
                LocalDeployment(stack, template, asset, moto_endpoint=endpoint, collector=collector)
            )
    print("\nDemo complete: every request answered SUCCESS.")


if __name__ == "__main__":
    run(Path(sys.argv[1]))
