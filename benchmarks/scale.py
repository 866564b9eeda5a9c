"""The largest number of configs one stack can deploy, per kind of config, against the native one.

A stack holds at most 500 resources (CloudFormation's quota), one of them the `AWS::CDK::Metadata`
the CDK CLI adds. Each kind brings what a config of that kind needs around it: its function
(function and role), on an alias also a version and the alias, with a destination also the
grant in the function role's default policy. Resources per config are counted from synthesized
templates; this design's largest N is then synthesized to prove the grants fit IAM's quotas
(tests/test_grants.py checks the deployed sizes). This design adds, once per stack, the
provider (function, role, its inline policy, log group, its own event invoke config) and the
grant policies (5 buckets and their digest resource, see grants.py).

Run: `python -m benchmarks.scale` prints a markdown table.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from event_invoke_config import LambdaEventInvokeConfig
from event_invoke_config.grants import GrantCapacityError

STACK_RESOURCES_MAX = 500
CDK_METADATA_RESOURCES = 1
KINDS = ("unqualified", "alias", "destination")
ALIAS = "live"
Builder = Callable[[cdk.Stack, str, int], None]


def _function(scope: Construct, index: int) -> lambda_.Function:
    return lambda_.Function(
        scope,
        f"Fn{index}",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
    )


def _failures(stack: cdk.Stack) -> sqs.Queue:
    existing = stack.node.try_find_child("Failures")
    return existing if isinstance(existing, sqs.Queue) else sqs.Queue(stack, "Failures")


def native(stack: cdk.Stack, kind: str, count: int) -> None:
    """`count` configs of `kind` as aws-cdk-lib's native `EventInvokeConfig`."""
    for index in range(count):
        fn = _function(stack, index)
        if kind == "alias":
            alias = lambda_.Alias(
                stack, f"Alias{index}", alias_name=ALIAS, version=fn.current_version
            )
            alias.configure_async_invoke(retry_attempts=0)
        elif kind == "destination":
            fn.configure_async_invoke(
                retry_attempts=0, on_failure=destinations.SqsDestination(_failures(stack))
            )
        else:
            fn.configure_async_invoke(retry_attempts=0)


def this_design(stack: cdk.Stack, kind: str, count: int) -> None:
    """`count` configs of `kind` as this project's `LambdaEventInvokeConfig`."""
    for index in range(count):
        fn = _function(stack, index)
        target: lambda_.IFunction = fn
        if kind == "alias":
            target = lambda_.Alias(
                stack, f"Alias{index}", alias_name=ALIAS, version=fn.current_version
            )
        on_failure = (
            destinations.SqsDestination(_failures(stack)) if kind == "destination" else None
        )
        LambdaEventInvokeConfig(
            stack, f"Config{index}", function=target, retry_attempts=0, on_failure=on_failure
        )


@functools.cache
def template(build: Builder, kind: str, count: int) -> Mapping[str, Any]:
    """The template of a stack with `count` configs of `kind`, synthesized once: the largest N's
    is also the one tests/test_grants.py checks against IAM's quotas. Shared through the cache,
    so not to be changed (the proxy guards its top level only)."""
    app = cdk.App()
    stack = cdk.Stack(app, "Scale")
    build(stack, kind, count)
    return types.MappingProxyType(app.synth().get_stack_by_name("Scale").template)


def resource_count(build: Builder, kind: str, count: int) -> int:
    """Resources a stack with `count` configs deploys, the CLI's CDK metadata included."""
    resources = template(build, kind, count)["Resources"]
    counted = sum(1 for body in resources.values() if body["Type"] != "AWS::CDK::Metadata")
    return counted + CDK_METADATA_RESOURCES


@dataclass(frozen=True)
class Largest:
    """The largest deployable N of one way and kind, and what it is made of."""

    configs: int
    per_config: int
    fixed: int


def largest(build: Builder, kind: str) -> Largest:
    """The largest N whose stack stays within 500 resources and synthesizes."""
    # Past a few dozen configs every bucket exists: measure a config's resources there, and
    # count the buckets as fixed from the start.
    at_forty, at_fifty = resource_count(build, kind, 40), resource_count(build, kind, 50)
    per_config = (at_fifty - at_forty) // 10
    fixed = at_forty - 40 * per_config
    configs = (STACK_RESOURCES_MAX - fixed) // per_config
    while configs > 0:
        try:
            if resource_count(build, kind, configs) <= STACK_RESOURCES_MAX:
                return Largest(configs, per_config, fixed)
        except GrantCapacityError:
            pass
        configs -= 1
    return Largest(0, per_config, fixed)


def measure() -> dict[str, tuple[Largest, Largest]]:
    """Per kind: this design's largest N, and the native resource's."""
    return {kind: (largest(this_design, kind), largest(native, kind)) for kind in KINDS}


def table(results: dict[str, tuple[Largest, Largest]]) -> str:
    """The markdown table of `measure()`: largest N per kind, native and this design."""
    lines = [
        "| kind | resources per config | native: largest N | this design: largest N | ratio |",
        "|---|---|---|---|---|",
    ]
    for kind, (ours, theirs) in results.items():
        lines.append(
            f"| {kind} | {ours.per_config} (native {theirs.per_config}) | {theirs.configs} "
            f"| {ours.configs} | {ours.configs / theirs.configs:.1%} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure()))
