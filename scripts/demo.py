"""`make demo`: the demo stacks deployed, updated and deleted offline, and two failures handled.

Usage: python -m scripts.demo CDK_OUT [--verbose]

Starts moto's server, an HTTPS ResponseURL endpoint and the stack API on 127.0.0.1, then runs
CloudFormation's operations with the offline engine: each custom-resource request goes to the
synthesized provider asset in a Lambda-like execution environment, reused warm as Lambda does. First
the CDK demo stack, with one config changed by hand that the drift report names; then the plain
template in examples/ with the provider stack's ServiceToken; then what matters when things go
wrong: a bad value answered FAILED with nothing written, and a config set by hand refused until
the template says AdoptExisting. One line per step and request, the
configs Lambda holds as a table; `--verbose` adds every request, answer and config as JSON.
"""

from __future__ import annotations

import copy
import json
import sys
import textwrap
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from offline_cloud.arns import config_arn, split_config_arn
from offline_cloud.cfn_events import CONFIG_TYPE
from offline_cloud.deployment import LocalCloud, provider_asset, read_config
from offline_cloud.local_cloud import MotoServer, ResponseCollector
from offline_cloud.stack_state import Stack
from offline_cloud.template import Template, load_template, load_yaml_template

from .demo_drift import change_one_and_report

DEMO_STACK = "EventInvokeConfigDemo"
PROVIDER_STACK = "EventInvokeConfigProvider"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "async-config.yaml"
EXAMPLE_CONFIG = "WorkerAsyncConfig"
CREATED, UPDATED, DELETED = "CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"
ROLLED_BACK = "UPDATE_ROLLBACK_COMPLETE"
WIDTH = 100
# The physical id the provider answers a failed Create with, so that the rollback's Delete of
# that resource does nothing (event_invoke_config_provider.function_ref.NOT_CREATED).
NOT_CREATED = "EventInvokeConfig::NotCreated"
# The shared provider's adoption switch (its `AllowAdoption`, CDK `allow_adoption`): off unless
# its operator turns it on.
ALLOW_ADOPTION_VARIABLE = "EVENT_INVOKE_CONFIG_ALLOW_ADOPTION"
# The config table: its columns and their widths, 100 characters with the indent and gaps.
HEADER = ("function", "retries", "max age", "on success", "on failure")
COLUMNS = (28, 7, 7, 24, 24)


class Report:
    """Prints the demo within WIDTH columns; JSON details only when verbose."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose

    def section(self, title: str) -> None:
        print(f"\n== {title} ==")

    def step(self, title: str, status: str) -> None:
        dots = "." * max(2, WIDTH - len(title) - len(status) - 2)
        print(f"{title} {dots} {status}")

    def request(self, event: dict[str, Any], answer: dict[str, Any]) -> None:
        status = answer.get("Status", "no answer")
        line = f"  {event['RequestType']:<6} {event['LogicalResourceId']:<24} {status:<7}"
        physical_id = answer.get("PhysicalResourceId", "")
        if status == "SUCCESS" and physical_id == NOT_CREATED:
            print(f"{line} nothing to delete: Create failed before a config existed")
        elif status == "SUCCESS":
            print(f"{line} {_function(physical_id)}")
        else:
            print(line.rstrip())
            reason = f"reason: {answer.get('Reason', 'none within the ServiceTimeout')}"
            print(textwrap.fill(reason, WIDTH, initial_indent=" " * 4, subsequent_indent=" " * 12))
        if self.verbose:
            properties = event["ResourceProperties"]
            self.json("request", {k: v for k, v in properties.items() if k != "ServiceToken"})
            self.json("answer", answer)

    def configs(
        self, cloud: LocalCloud, places: dict[str, str], known: dict[str, str] | None = None
    ) -> None:
        """The configs Lambda holds at `places` (logical id -> qualified function ARN).

        `known`: logical ids of ARNs no stack holds any more (a deleted function).
        """
        print(_row(HEADER))
        names = {**(known or {}), **_logical_ids(cloud)}
        for logical_id, arn in places.items():
            config = read_config(cloud.lambda_client, arn)
            print(_row((_function(arn, names), *_settings(config, names))))
            if self.verbose:
                self.json(f"config of {logical_id}", config)

    def json(self, title: str, value: Any) -> None:
        print(f"    {title}: {json.dumps(value, default=str)}")


def _row(cells: tuple[str, ...]) -> str:
    """One table row, each cell cut in its middle to its column's width."""
    fitted = []
    for cell, width in zip(cells, COLUMNS, strict=True):
        head = (width - 1) // 2
        short = cell if len(cell) <= width else f"{cell[:head]}…{cell[head + 1 - width :]}"
        fitted.append(f"{short:<{width}}")
    return ("  " + "  ".join(fitted)).rstrip()


def _function(arn: str, names: dict[str, str] | None = None) -> str:
    """`name:qualifier` of a qualified function ARN, the logical id for a name too long."""
    config = split_config_arn(arn)
    if config is None:
        return arn
    function, qualifier = config
    shown = f"{function.rpartition(':')[2]}:{qualifier}"
    if names is not None and len(shown) > COLUMNS[0] and function in names:
        return f"{names[function]}:{qualifier}"
    return shown


def _settings(config: dict[str, Any] | None, names: dict[str, str]) -> tuple[str, ...]:
    if config is None:
        return ("-", "-", "(no config)", "")
    age = config.get("MaximumEventAgeInSeconds")
    destinations = config.get("DestinationConfig", {})
    on_success, on_failure = (destinations.get(key, {}) for key in ("OnSuccess", "OnFailure"))
    return (
        str(config.get("MaximumRetryAttempts", "-")),
        "-" if age is None else f"{age} s",
        _short(on_success.get("Destination"), names),
        _short(on_failure.get("Destination"), names),
    )


def _short(arn: str | None, names: dict[str, str]) -> str:
    """`service:resource` of an ARN, by logical id if a stack has it: sqs:Failures."""
    if not arn:
        return "-"
    parts = arn.split(":", 5)
    return f"{parts[2]}:{names.get(arn, parts[5])}"


def _logical_ids(cloud: LocalCloud) -> dict[str, str]:
    """Every ARN of a resource the stacks hold, and that resource's logical id."""
    with cloud.engine.lock:
        return {
            value: logical_id
            for stack in cloud.engine.stacks
            for logical_id, resource in stack.resources.items()
            for value in resource.attributes.values()
            if isinstance(value, str) and value.startswith("arn:")
        }


def _stack_configs(stack: Stack) -> dict[str, str]:
    return {
        logical_id: resource.physical_id
        for logical_id, resource in stack.resources.items()
        if resource.type == CONFIG_TYPE and resource.physical_id
    }


def operation(
    cloud: LocalCloud,
    report: Report,
    title: str,
    run: Callable[[], Stack],
    expected: str,
    *,
    places: dict[str, str] | None = None,
) -> Stack:
    """Run one stack operation, print its requests and the configs; stop if it went otherwise."""
    seen, known = len(cloud.provider.history), _logical_ids(cloud)
    stack = run()
    report.step(title, stack.status)
    for exchange in cloud.provider.history[seen:]:
        if exchange.event["ResourceType"] == CONFIG_TYPE:  # not the grants' digest
            report.request(exchange.event, exchange.response or {})
    shown = _stack_configs(stack) if places is None else places
    if shown:
        report.configs(cloud, shown, known)
    if stack.status != expected:
        raise SystemExit(f"{title}: {stack.status}, expected {expected}")
    return stack


def lifecycle(cloud: LocalCloud, report: Report, name: str, template: Template) -> None:
    """Create the stack (the CDK demo's: change a config by hand and show the drift report),
    update its first config (retries 2, destinations removed), delete it."""
    engine = cloud.engine
    create = partial(engine.create_stack, name, template)
    places = _stack_configs(operation(cloud, report, f"create {name}", create, CREATED))
    if name == DEMO_STACK:
        title = f"set by hand: {sorted(places)[0]} retries; event-invoke-config drift"
        report.step(title, "(outside CloudFormation)")
        print(change_one_and_report(cloud, name, places))
    updated = copy.deepcopy(template)
    first = next(body for body in updated["Resources"].values() if body["Type"] == CONFIG_TYPE)
    first["Properties"].pop("DestinationConfig", None)
    first["Properties"]["MaximumRetryAttempts"] = 2
    title = f"update {name}: retries 2, destinations removed"
    operation(cloud, report, title, partial(engine.update_stack, name, updated), UPDATED)
    delete = partial(engine.delete_stack, name)
    operation(cloud, report, f"delete {name}", delete, DELETED, places=places)


def allowing_adoption(provider: Template) -> Template:
    """The shared provider's template, its function told to adopt (`allow_adoption=True`)."""
    allowing = copy.deepcopy(provider)
    for resource in allowing["Resources"].values():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        if ALLOW_ADOPTION_VARIABLE in variables:
            variables[ALLOW_ADOPTION_VARIABLE] = "true"
            return allowing
    raise LookupError(f"the provider's template has no {ALLOW_ADOPTION_VARIABLE}")


def failures(cloud: LocalCloud, report: Report, name: str, provider: Template) -> None:
    """A bad value, then a config set by hand: refused, refused again by the shared provider
    that does not adopt, then taken over once its operator allows adoption."""
    engine, example = cloud.engine, load_yaml_template(EXAMPLE)
    worker = f"async-{name}-worker"
    place = {EXAMPLE_CONFIG: config_arn(worker)}
    function_only = copy.deepcopy(example)
    del function_only["Resources"][EXAMPLE_CONFIG], function_only["Outputs"]
    title = f"create {name}: the function {worker}, no config yet"
    operation(cloud, report, title, partial(engine.create_stack, name, function_only), CREATED)

    def add_config(**properties: Any) -> Callable[[], Stack]:
        template = copy.deepcopy(example)
        template["Resources"][EXAMPLE_CONFIG]["Properties"].update(properties)
        return partial(engine.update_stack, name, template)

    title = f"update {name}: add the config with MaximumRetryAttempts 5"
    operation(cloud, report, title, add_config(MaximumRetryAttempts=5), ROLLED_BACK, places=place)
    report.step(f"set by hand: {worker} retries 2, max age 600 s", "(outside CloudFormation)")
    cloud.lambda_client.put_function_event_invoke_config(
        FunctionName=worker, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=600
    )
    report.configs(cloud, place)
    title = f"update {name}: add the config (no AdoptExisting)"
    operation(cloud, report, title, add_config(), ROLLED_BACK, places=place)
    title = f"update {name}: add the config with AdoptExisting: true"
    operation(cloud, report, title, add_config(AdoptExisting=True), ROLLED_BACK, places=place)
    title = f"update {PROVIDER_STACK}: its operator allows adoption"
    allow = partial(engine.update_stack, PROVIDER_STACK, allowing_adoption(provider))
    operation(cloud, report, title, allow, UPDATED)
    title = f"update {name}: add the config with AdoptExisting: true, again"
    operation(cloud, report, title, add_config(AdoptExisting=True), UPDATED, places=place)
    delete = partial(engine.delete_stack, name)
    operation(cloud, report, f"delete {name}", delete, DELETED, places=place)


def run(cdk_out: Path, verbose: bool = False) -> None:
    """The CDK demo stack, the plain template with the provider stack's ServiceToken, failures."""
    demo = load_template(cdk_out, DEMO_STACK)
    provider_only = load_template(cdk_out, PROVIDER_STACK)
    asset = provider_asset(cdk_out, provider_only)
    if asset != provider_asset(cdk_out, demo):
        raise SystemExit("the two stacks should share one provider asset")
    report = Report(verbose)
    with (
        MotoServer() as endpoint,
        ResponseCollector() as collector,
        LocalCloud(asset, moto_endpoint=endpoint, collector=collector) as cloud,
    ):
        asset_hash = asset.code_dir.name.removeprefix("asset.")[:16]
        report.section(f"CDK stack {DEMO_STACK}, provider asset hash {asset_hash}")
        lifecycle(cloud, report, DEMO_STACK, demo)
        report.section(f"plain template {EXAMPLE.name}, ServiceToken exported by {PROVIDER_STACK}")
        create = partial(cloud.engine.create_stack, PROVIDER_STACK, provider_only)
        operation(cloud, report, f"create {PROVIDER_STACK}", create, CREATED)
        lifecycle(cloud, report, "orders", load_yaml_template(EXAMPLE))
        report.section("when things go wrong: a bad value, a config set by hand")
        failures(cloud, report, "legacy", provider_only)
    print("\nDemo complete: every operation ended as expected.")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    run(Path(next(a for a in arguments if not a.startswith("--"))), "--verbose" in arguments)
