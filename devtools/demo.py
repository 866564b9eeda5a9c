"""`make demo`: the demo stacks deployed, updated and deleted offline.

Usage: python -m devtools.demo CDK_OUT

Starts moto's server, an HTTPS ResponseURL endpoint and the stack API on 127.0.0.1, then runs
CloudFormation's operations with the offline engine: each custom-resource request goes to the
synthesized provider asset in a fresh interpreter, as the Lambda runtime would run it. Prints
every request and answer, and the configs Lambda holds after each operation. First the CDK demo
stack, then the plain CloudFormation template in examples/, whose ServiceToken is imported from
the provider stack.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from .deployment import LocalCloud, provider_asset, read_config
from .local_cloud import MotoServer, ResponseCollector
from .stack_state import Stack, is_custom
from .template import Template, load_template, load_yaml_template

DEMO_STACK = "EventInvokeConfigDemo"
PROVIDER_STACK = "EventInvokeConfigProvider"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "async-config.yaml"


def _show(title: str, value: Any) -> None:
    print(f"  {title}: {json.dumps(value, default=str)}")


def _operation(cloud: LocalCloud, title: str, run: Any, expected: str) -> Stack:
    print(f"\n--- {title} ---")
    seen = len(cloud.provider.history)
    stack: Stack = run()
    for exchange in cloud.provider.history[seen:]:
        event, answer = exchange.event, exchange.response or {}
        print(f"\n{event['RequestType']} {event['LogicalResourceId']}")
        properties = event["ResourceProperties"]
        _show("request properties", {k: v for k, v in properties.items() if k != "ServiceToken"})
        _show("answer", {k: answer.get(k) for k in ("Status", "PhysicalResourceId", "Reason")})
    print(f"\nstack {stack.name}: {stack.status}")
    for logical_id, resource in stack.resources.items():
        if is_custom(resource.type) and resource.physical_id:
            config = read_config(cloud.lambda_client, resource.physical_id)
            _show(f"config in Lambda for {logical_id}", config or "(none)")
    if stack.status != expected:
        raise SystemExit(f"{title}: {stack.status}, expected {expected}")
    return stack


def lifecycle(cloud: LocalCloud, name: str, template: Template) -> None:
    """Create the stack, update its first config (retries 2, destinations removed), delete it."""
    engine = cloud.engine
    create = f"create {name}"
    _operation(cloud, create, lambda: engine.create_stack(name, template), "CREATE_COMPLETE")
    updated = copy.deepcopy(template)
    first = next(body for body in updated["Resources"].values() if is_custom(body["Type"]))
    first["Properties"].pop("DestinationConfig", None)
    first["Properties"]["MaximumRetryAttempts"] = 2
    title = f"update {name}: retries to 2, destinations removed from the template"
    _operation(cloud, title, lambda: engine.update_stack(name, updated), "UPDATE_COMPLETE")
    _operation(cloud, f"delete {name}", lambda: engine.delete_stack(name), "DELETE_COMPLETE")


def run(cdk_out: Path) -> None:
    """The CDK demo stack, then the plain template with the provider stack's ServiceToken."""
    demo = load_template(cdk_out, DEMO_STACK)
    provider_only = load_template(cdk_out, PROVIDER_STACK)
    asset = provider_asset(cdk_out, provider_only)
    if asset != provider_asset(cdk_out, demo):
        raise SystemExit("the two stacks should share one provider asset")
    with (
        MotoServer() as endpoint,
        ResponseCollector() as collector,
        LocalCloud(asset, moto_endpoint=endpoint, collector=collector) as cloud,
    ):
        print(f"=== CDK stack {DEMO_STACK} (provider asset {asset.code_dir.name}) ===")
        lifecycle(cloud, DEMO_STACK, demo)
        print(f"\n=== plain template {EXAMPLE.name}, ServiceToken of {PROVIDER_STACK} ===")
        cloud.engine.create_stack(PROVIDER_STACK, provider_only)
        lifecycle(cloud, "orders", load_yaml_template(EXAMPLE))
    print("\nDemo complete: every operation completed.")


if __name__ == "__main__":
    run(Path(sys.argv[1]))
