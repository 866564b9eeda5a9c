"""The benchmark code runs and its behavioural figures hold (no timing is asserted here)."""

from __future__ import annotations

import math

import pytest

from benchmarks import drift, runtime, synth, teardown
from offline_cloud.stack_api import PAGE_SIZE

pytestmark = pytest.mark.slow


def test_each_lifecycle_event_makes_only_the_requests_its_checks_need() -> None:
    costs = runtime.lifecycle_costs(rounds=1)

    # Each event reads its stack's status first (is an operation running?). Create of a free
    # config: read it, then write it. Update in place: write it. Delete outside a teardown: read
    # the stack's resources too (does another resource hold it now?), then delete it.
    assert {kind: (c.lambda_requests, c.stack_requests) for kind, c in costs.items()} == {
        "Create": (2, 1),
        "Update": (1, 1),
        "Delete": (1, 2),
    }


def test_a_teardown_makes_one_stack_request_per_config() -> None:
    [result] = teardown.measure(counts=(2,))

    assert (result.configs, result.stack_requests, result.most_per_delete) == (2, 2, 1)


def test_one_provider_function_per_stack_whatever_the_number_of_configs() -> None:
    results = synth.measure(counts=(1, 3), repetitions=1)

    assert [ways["this construct"].added_functions for ways in results.values()] == [1, 1]
    assert [
        ways["native aws_lambda.EventInvokeConfig"].added_functions for ways in results.values()
    ] == [0, 0]


def test_the_drift_report_reads_each_config_once_and_lists_each_function_once() -> None:
    [result] = drift.measure(counts=(3,))

    # The provider's own function is one more function; its config is the native resource's.
    pages = math.ceil(result.resources / PAGE_SIZE)
    assert result.stack_requests == {
        "DescribeStacks": 1,
        "ListStackResources": pages,
        "GetTemplate": 1,
    }
    assert (result.lambda_gets, result.lambda_lists) == (3, result.functions)
    assert result.statuses == {"IN_SYNC": 3}
