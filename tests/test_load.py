"""Many resources at once, as CloudFormation creates a stack's resources in parallel.

Each thread makes one full handler call against moto's server; a third of the functions are
throttled twice before Lambda accepts them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from event_invoke_config_provider import index
from offline_cloud import moto_lambda
from offline_cloud.lambda_bootstrap import LambdaContext
from offline_cloud.local_cloud import ResponseCollector, create_functions
from tests.support import event

pytestmark = pytest.mark.slow
RESOURCES = 100
THROTTLED_EVERY = 3


@pytest.fixture
def functions(moto_endpoint: str) -> list[str]:
    return [arn.rsplit(":", 1)[1] for arn in create_functions(moto_endpoint, "load", RESOURCES)]


def run_all(collector: ResponseCollector, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def call(cfn_event: dict[str, Any]) -> dict[str, Any]:
        cfn_event["ResponseURL"] = collector.url_for(cfn_event["RequestId"])
        index.handler(cfn_event, LambdaContext("provider", 120))
        [response] = collector.responses(cfn_event["RequestId"])
        return response

    with ThreadPoolExecutor(max_workers=RESOURCES) as pool:
        return list(pool.map(call, events))


def throttle_a_fraction(names: list[str]) -> None:
    for name in names[::THROTTLED_EVERY]:
        moto_lambda.inject(name, "TooManyRequestsException", "Rate exceeded", times=2)


@pytest.mark.waits
def test_concurrent_creates_then_deletes_all_succeed_despite_throttling(
    local_aws: ResponseCollector, moto_endpoint: str, functions: list[str]
) -> None:
    collector = local_aws
    lambda_client = boto3.client("lambda", endpoint_url=moto_endpoint)
    throttle_a_fraction(functions)
    puts_before = moto_lambda.calls["put"]

    created = run_all(
        collector,
        [
            event(ResourceProperties={"FunctionName": n, "MaximumRetryAttempts": "1"})
            for n in functions
        ],
    )

    assert [r["Status"] for r in created] == ["SUCCESS"] * RESOURCES, {r["Reason"] for r in created}
    throttled = len(functions[::THROTTLED_EVERY])
    assert moto_lambda.calls["put"] - puts_before == RESOURCES + 2 * throttled
    for name in functions:
        assert (
            lambda_client.get_function_event_invoke_config(FunctionName=name)[
                "MaximumRetryAttempts"
            ]
            == 1
        )

    throttle_a_fraction(functions)
    deleted = run_all(
        collector,
        [event("Delete", PhysicalResourceId=r["PhysicalResourceId"]) for r in created],
    )

    assert [r["Status"] for r in deleted] == ["SUCCESS"] * RESOURCES, {r["Reason"] for r in deleted}
    for name in functions:
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
            lambda_client.get_function_event_invoke_config(FunctionName=name)
