"""Requests and wall time of the drift report on a stack of N configs, each with its function.

Each stack is `benchmarks.scale`'s stack of N unqualified configs of this design, synthesized
in-process and created through the offline engine with the provider asset; the report then runs
in-process against the stack API (offline_cloud/stack_api.py, which pages ListStackResources by
`PAGE_SIZE`, 2, where AWS pages by 100) and moto's Lambda, which count every request it makes.

Run: `python -m benchmarks.drift [N ...]` writes its section of docs/benchmarks.md (default N:
10, 100, 160).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from unittest import mock

import boto3

from event_invoke_config.drift import report
from offline_cloud import moto_lambda
from offline_cloud.fake_aws import REGION, client_environment
from offline_cloud.local_cloud import MotoServer, ResponseCollector
from offline_cloud.stack_api import PAGE_SIZE

from .report import publish
from .teardown import deployed

SECTION = "## The drift report"
COUNTS = (10, 100, 160)


@dataclass(frozen=True)
class DriftRun:
    """What one report over a stack of `configs` configs cost."""

    configs: int
    resources: int
    functions: int
    stack_requests: dict[str, int]
    lambda_gets: int
    lambda_lists: int
    statuses: dict[str, int]
    seconds: float


def measure_one(count: int, moto_endpoint: str, collector: ResponseCollector) -> DriftRun:
    """Create a stack of `count` configs, then run the report once and count its requests."""
    with deployed(count, "drift", moto_endpoint, collector) as (cloud, created):
        name = created.name
        endpoints = {
            **client_environment(),
            "AWS_ENDPOINT_URL_CLOUDFORMATION": cloud.provider.env[
                "AWS_ENDPOINT_URL_CLOUDFORMATION"
            ],
            "AWS_ENDPOINT_URL_LAMBDA": moto_endpoint,
        }
        before, calls = len(cloud.stack_api_calls), Counter(moto_lambda.calls)
        with mock.patch.dict(os.environ, endpoints):
            started = time.perf_counter()
            findings = report(boto3.Session(region_name=REGION), name)
            seconds = time.perf_counter() - started
        stack_requests = Counter(c["Action"] for c in cloud.stack_api_calls[before:])
        lambda_calls = Counter(moto_lambda.calls)
        lambda_calls.subtract(calls)
        functions = sum(r.type == "AWS::Lambda::Function" for r in created.resources.values())
    return DriftRun(
        count,
        len(created.resources),
        functions,
        dict(stack_requests),
        lambda_calls["get"],
        lambda_calls["list"],
        dict(Counter(f.Status for f in findings)),
        seconds,
    )


def measure(counts: tuple[int, ...]) -> list[DriftRun]:
    """One report per N, against one moto server."""
    with MotoServer() as endpoint, ResponseCollector() as collector:
        return [measure_one(count, endpoint, collector) for count in counts]


def section(results: list[DriftRun]) -> str:
    """The section of docs/benchmarks.md: what it measures, then the table."""
    lines = [
        SECTION,
        "",
        "`event-invoke-config drift` on a stack of N unqualified configs, each with its function",
        "(the scale stack above), run in-process once the stack is created offline. Stack API",
        f"requests are DescribeStacks, ListStackResources (pages of {PAGE_SIZE} here; AWS pages",
        "by 100) and GetTemplate; Lambda requests are GetFunctionEventInvokeConfig per config",
        "and ListFunctionEventInvokeConfigs per function of the stack.",
        "",
        "| configs | stack resources | functions | stack API requests (describe + list pages "
        "+ template) | Lambda gets | Lambda lists | statuses | wall time s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        stack = r.stack_requests
        lines.append(
            f"| {r.configs} | {r.resources} | {r.functions} "
            f"| {stack.get('DescribeStacks', 0)} + {stack.get('ListStackResources', 0)} "
            f"+ {stack.get('GetTemplate', 0)} | {r.lambda_gets} | {r.lambda_lists} "
            f"| {', '.join(f'{k} {v}' for k, v in sorted(r.statuses.items()))} "
            f"| {r.seconds:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    publish(section(measure(tuple(int(n) for n in sys.argv[1:]) or COUNTS)))
