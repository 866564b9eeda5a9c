"""The provider at run time: asset size, cold start, API requests and wall time per event."""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from offline_cloud import cfn_events, moto_lambda
from offline_cloud.fake_aws import client_environment
from offline_cloud.lambda_bootstrap import LambdaContext
from offline_cloud.lambda_sdk import sdk_path
from offline_cloud.local_cloud import MotoServer, ResponseCollector, create_functions
from offline_cloud.stack_api import StackApi, empty_stack_api

COLD_START = """
import sys, time
started = time.perf_counter()
if sys.argv[1] == "provider":
    from event_invoke_config_provider import index, calls
    from event_invoke_config_provider.retries import CallTimeouts
    calls.make_client("lambda", CallTimeouts.within(60.0))
else:
    import boto3
    boto3.client("lambda")
print(time.perf_counter() - started)
"""
FAKE_AWS = {**client_environment(), "PYTHONDONTWRITEBYTECODE": "1"}


def zipped_size(folder: Path) -> int:
    """Bytes of `folder` as the deflated zip CDK uploads."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder))
    return len(buffer.getvalue())


def cold_start(mode: str, path: list[Path]) -> float:
    """Seconds from first import to first Lambda client ("provider", or "bare" boto3) in a fresh
    interpreter that has, as in Lambda, only `path` (task root, runtime SDK) and the standard
    library; the task root is read-only there, so no bytecode is written."""
    env = {"PATH": os.environ["PATH"], **FAKE_AWS, "PYTHONPATH": os.pathsep.join(map(str, path))}
    argv = [sys.executable, "-S", "-c", COLD_START, mode]
    return float(subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout)


def cold_starts(asset: Path, runs: int) -> dict[str, float]:
    """Median cold starts of the provider and of a bare client, on the newest runtime SDK."""
    sdk = sdk_path()
    samples: dict[str, list[float]] = {"provider": [], "bare boto3.client('lambda')": []}
    for _ in range(runs):
        samples["provider"].append(cold_start("provider", [asset, sdk]))
        samples["bare boto3.client('lambda')"].append(cold_start("bare", [sdk]))
    return {mode: statistics.median(values) for mode, values in samples.items()}


STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/bench/1"


@dataclass(frozen=True)
class EventCost:
    """What one kind of event costs: Lambda and stack API requests, and handler wall time."""

    lambda_requests: int
    stack_requests: int
    median_seconds: float


def lifecycle_costs(rounds: int) -> dict[str, EventCost]:
    """Requests (counted at moto's and the stack API's HTTP fronts) and wall time per event."""
    with MotoServer() as endpoint, ResponseCollector() as collector:
        stack_api = empty_stack_api(endpoint, STACK_ID)
        with stack_api as stack_endpoint:
            local = {
                **FAKE_AWS,
                "AWS_ENDPOINT_URL_LAMBDA": endpoint,
                "AWS_ENDPOINT_URL_SSM": endpoint,
                "AWS_ENDPOINT_URL_CLOUDFORMATION": stack_endpoint,
                "SSL_CERT_FILE": str(collector.ca_file),
            }
            with mock.patch.dict(os.environ, local):
                function_name = create_functions(endpoint, "bench")[0]
                return _lifecycle(function_name, collector, stack_api, rounds)


def _lifecycle(
    function_name: str, collector: ResponseCollector, stack_api: StackApi, rounds: int
) -> dict[str, EventCost]:
    from event_invoke_config_provider import index  # noqa: PLC0415 - imported with the env set

    kinds = ("Create", "Update", "Delete")
    lambda_requests: dict[str, list[int]] = {kind: [] for kind in kinds}
    stack_requests: dict[str, list[int]] = {kind: [] for kind in kinds}
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}

    def send(request_type: str, **fields: Any) -> str:
        event = cfn_events.request(
            request_type,
            stack_id=STACK_ID,
            logical_id="Config",
            response_url=collector.url_for,
            **fields,
        )
        request_id = event["RequestId"]
        lambda_before, stack_before = moto_lambda.calls["http"], len(stack_api.calls)
        started = time.perf_counter()
        index.handler(event, LambdaContext("provider", 180))
        seconds[request_type].append(time.perf_counter() - started)
        lambda_requests[request_type].append(moto_lambda.calls["http"] - lambda_before)
        stack_requests[request_type].append(len(stack_api.calls) - stack_before)
        [response] = collector.responses(request_id)
        assert response["Status"] == "SUCCESS", response["Reason"]
        physical_id: str = response["PhysicalResourceId"]
        return physical_id

    for _ in range(rounds):
        old = {"FunctionName": function_name, "MaximumRetryAttempts": "0"}
        new = {**old, "MaximumRetryAttempts": "2"}
        physical_id = send("Create", properties=old)
        send("Update", properties=new, old_properties=old, physical_id=physical_id)
        send("Delete", properties=new, physical_id=physical_id)
    return {
        kind: EventCost(
            max(lambda_requests[kind]), max(stack_requests[kind]), statistics.median(seconds[kind])
        )
        for kind in kinds
    }
