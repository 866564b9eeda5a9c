"""Stack API and SSM requests of a teardown (delete-stack) of N configs, each with its function.

Each stack is `benchmarks.scale`'s stack of N unqualified configs of this design, synthesized
in-process, created and then deleted through the offline engine (offline_cloud/engine.py) with the
provider asset; the stack API (offline_cloud/stack_api.py) counts every request the provider makes
while the stack is deleted, and moto's SSM (offline_cloud/moto_ssm.py) every request for the
copies of configs taken over (one DeleteParameter per config deleted). The native
`AWS::Lambda::EventInvokeConfig` has no provider: CloudFormation deletes it without any request
of ours, so its figure is 0.

Run: `python -m benchmarks.teardown [N ...]` prints the markdown table (default N: 10).
"""

from __future__ import annotations

import contextlib
import math
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from event_invoke_config import RESOURCE_TYPE
from offline_cloud import moto_ssm
from offline_cloud.deployment import LocalCloud, provider_asset
from offline_cloud.local_cloud import MotoServer, ResponseCollector
from offline_cloud.stack_state import Stack

from . import scale

# What the provider made before issue 14: every Delete listed the whole stack, 100 a page
# (ListStackResources' page size on AWS).
LIST_PAGE_SIZE = 100


@dataclass(frozen=True)
class Teardown:
    """What deleting one stack of `configs` configs cost in stack API requests."""

    configs: int
    resources: int
    stack_requests: int
    ssm_requests: int
    most_per_delete: int
    seconds: float

    @property
    def listing_every_delete(self) -> int:
        """Requests the earlier design needed: each Delete listed every page of the stack."""
        return self.configs * math.ceil(self.resources / LIST_PAGE_SIZE)


def synthesized(outdir: str, count: int) -> tuple[dict[str, Any], Path]:
    """`benchmarks.scale`'s stack of `count` unqualified configs, and its assembly's folder."""
    app = cdk.App(outdir=outdir, context={"aws:cdk:enable-asset-metadata": True})
    stack = cdk.Stack(app, f"Teardown{count}")
    scale.this_design(stack, "unqualified", count)
    assembly = app.synth()
    template: dict[str, Any] = assembly.get_stack_by_name(stack.stack_name).template
    return template, Path(assembly.directory)


@contextlib.contextmanager
def deployed(
    count: int, prefix: str, moto_endpoint: str, collector: ResponseCollector
) -> Iterator[tuple[LocalCloud, Stack]]:
    """The scale stack of `count` configs, created in a local cloud that is open meanwhile."""
    with tempfile.TemporaryDirectory() as outdir:
        template, cdk_out = synthesized(outdir, count)
        asset = provider_asset(cdk_out, template)
        name = f"{prefix}-{count}-{time.monotonic_ns()}"
        with LocalCloud(asset, moto_endpoint=moto_endpoint, collector=collector) as cloud:
            created = cloud.engine.create_stack(name, template)
            if created.status != "CREATE_COMPLETE":
                raise RuntimeError(f"{name}: {created.status} {created.reasons('CREATE_FAILED')}")
            yield cloud, created


def measure_one(count: int, moto_endpoint: str, collector: ResponseCollector) -> Teardown:
    """Create a stack of `count` configs, then count the stack requests of its deletion."""
    with deployed(count, "teardown", moto_endpoint, collector) as (cloud, created):
        name = created.name
        resources = len(created.resources)
        marks: list[int] = []

        def mark(event: dict[str, Any]) -> None:
            if event["ResourceType"] == RESOURCE_TYPE:  # not the grants' digest (no reads)
                marks.append(len(cloud.stack_api_calls))

        cloud.provider.before_send = mark
        before = len(cloud.stack_api_calls)
        ssm_before = sum(moto_ssm.calls.values())
        started = time.perf_counter()
        deleted = cloud.engine.delete_stack(name)
        seconds = time.perf_counter() - started
        if deleted.status != "DELETE_COMPLETE":
            raise RuntimeError(f"{name}: {deleted.status} {deleted.reasons('DELETE_FAILED')}")
        total = len(cloud.stack_api_calls) - before
        ssm = sum(moto_ssm.calls.values()) - ssm_before
        if len(marks) != count:
            raise RuntimeError(f"{name}: {len(marks)} Deletes sent for {count} configs")
        per_delete = [b - a for a, b in zip(marks, [*marks[1:], before + total], strict=True)]
    return Teardown(count, resources, total, ssm, max(per_delete), seconds)


def measure(counts: tuple[int, ...]) -> list[Teardown]:
    """One teardown per N, against one moto server."""
    with MotoServer() as endpoint, ResponseCollector() as collector:
        return [measure_one(count, endpoint, collector) for count in counts]


def table(results: list[Teardown]) -> str:
    """The markdown table of `measure()`."""
    lines = [
        "| configs | stack resources | stack API requests | per config | most in one Delete "
        "| SSM requests | native | listing every Delete (computed) | teardown s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.configs} | {r.resources} | {r.stack_requests} "
            f"| {r.stack_requests / r.configs:.2f} | {r.most_per_delete} | {r.ssm_requests} | 0 "
            f"| {r.listing_every_delete} | {r.seconds:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure(tuple(int(n) for n in sys.argv[1:]) or (10,))))
