"""Synth time, template bytes and resources: the three ways a CDK user can configure this.

Every stack holds N functions; the configs are what differs. Each way is synthesized in turn
within one repetition, so drift on the machine touches all three alike.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from constructs import Construct

from event_invoke_config import LambdaEventInvokeConfig

from . import jsii_calls

RETRIES, EVENT_AGE = 0, cdk.Duration.hours(1)


def this_construct(scope: Construct, index: int, fn: lambda_.IFunction) -> None:
    """This project's construct."""
    LambdaEventInvokeConfig(
        scope, f"Config{index}", function=fn, retry_attempts=RETRIES, max_event_age=EVENT_AGE
    )


def native_l2(scope: Construct, index: int, fn: lambda_.IFunction) -> None:
    """aws-cdk-lib's own L2 for the native resource."""
    lambda_.EventInvokeConfig(
        scope, f"Config{index}", function=fn, retry_attempts=RETRIES, max_event_age=EVENT_AGE
    )


def aws_custom_resource(scope: Construct, index: int, fn: lambda_.IFunction) -> None:
    """The same API calls through aws-cdk-lib's AwsCustomResource."""
    put = cr.AwsSdkCall(
        service="Lambda",
        action="putFunctionEventInvokeConfig",
        parameters={
            "FunctionName": fn.function_name,
            "MaximumRetryAttempts": RETRIES,
            "MaximumEventAgeInSeconds": int(EVENT_AGE.to_seconds()),
        },
        physical_resource_id=cr.PhysicalResourceId.from_response("FunctionArn"),
    )
    cr.AwsCustomResource(
        scope,
        f"Config{index}",
        on_create=put,
        on_update=put,
        on_delete=cr.AwsSdkCall(
            service="Lambda",
            action="deleteFunctionEventInvokeConfig",
            parameters={"FunctionName": fn.function_name},
        ),
        policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=[fn.function_arn]),
        install_latest_aws_sdk=False,
    )


def no_config(_scope: Construct, _index: int, _fn: lambda_.IFunction) -> None:
    """The baseline: the functions alone."""


WAYS: dict[str, Callable[[Construct, int, lambda_.IFunction], None]] = {
    "this construct": this_construct,
    "native aws_lambda.EventInvokeConfig": native_l2,
    "AwsCustomResource": aws_custom_resource,
}


@dataclass(frozen=True)
class Synthesis:
    """One synthesis: its wall time, compact template size and resource types."""

    seconds: float
    template_bytes: int
    resource_types: Counter[str]


def _synthesized_template(
    add_config: Callable[[Construct, int, lambda_.IFunction], None], count: int, outdir: str
) -> dict[str, Any]:
    """Build and synthesize one app with `count` functions, each given a config by `add_config`."""
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "Bench")
    for index in range(count):
        fn = lambda_.Function(
            stack,
            f"Fn{index}",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context): pass"),
        )
        add_config(stack, index, fn)
    template: dict[str, Any] = app.synth().get_stack_by_name("Bench").template
    return template


def synthesize(
    add_config: Callable[[Construct, int, lambda_.IFunction], None], count: int
) -> Synthesis:
    """Time one synthesis of `count` functions, each given a config by `add_config`."""
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        template = _synthesized_template(add_config, count, outdir)
        seconds = time.perf_counter() - started
    text = json.dumps(template, separators=(",", ":"))
    types = Counter(resource["Type"] for resource in template["Resources"].values())
    return Synthesis(seconds, len(text.encode()), types)


def round_trips(add_config: Callable[[Construct, int, lambda_.IFunction], None], count: int) -> int:
    """The requests to CDK's Node process (jsii) of one synthesis, as `synthesize` builds it."""
    with tempfile.TemporaryDirectory() as outdir, jsii_calls.counted() as requests:
        _synthesized_template(add_config, count, outdir)
    return sum(requests.values())


def config_round_trips(count: int) -> int:
    """The requests this construct's `count` configs add to a synthesis of their functions."""
    return round_trips(this_construct, count) - round_trips(no_config, count)


@dataclass(frozen=True)
class WayResult:
    """One way at one N: median synth time and what it adds per config."""

    median_seconds: float
    template_bytes: int
    added_bytes_per_config: float
    added_functions: int
    added_policies: int
    added_resources_per_config: float


def _fits(add_config: Callable[[Construct, int, lambda_.IFunction], None], count: int) -> bool:
    """Whether a stack of `count` configs made by `add_config` synthesizes: within
    CloudFormation's 500 resources (CDK refuses more)."""
    try:
        synthesize(add_config, count)
    except RuntimeError as error:
        if "TooManyResourcesInStack" in str(error):
            return False
        raise
    return True


def measure(counts: tuple[int, ...], repetitions: int) -> dict[int, dict[str, WayResult]]:
    """For each N: every way's median synth time and what it adds over the functions alone;
    a way that cannot hold N configs in one stack is left out at that N."""
    results: dict[int, dict[str, WayResult]] = {}
    for count in counts:
        baseline = synthesize(no_config, count)
        ways = {name: way for name, way in WAYS.items() if _fits(way, count)}
        times: dict[str, list[float]] = {name: [] for name in ways}
        last: dict[str, Synthesis] = {}
        for _ in range(repetitions):
            for name, add_config in ways.items():
                last[name] = synthesize(add_config, count)
                times[name].append(last[name].seconds)
        results[count] = {}
        for name, synthesis in last.items():
            added = synthesis.resource_types - baseline.resource_types
            results[count][name] = WayResult(
                median_seconds=statistics.median(times[name]),
                template_bytes=synthesis.template_bytes,
                added_bytes_per_config=(synthesis.template_bytes - baseline.template_bytes) / count,
                added_functions=added["AWS::Lambda::Function"],
                added_policies=added["AWS::IAM::Policy"] + added["AWS::IAM::ManagedPolicy"],
                added_resources_per_config=sum(added.values()) / count,
            )
    return results
