"""Issue 14: stack reads stay bounded, and throttling never fails a request that still has time.

Stacks of configs go through the offline engine (offline_cloud/engine.py), whose stack API
(offline_cloud/stack_api.py) counts the provider's requests and can answer them with
CloudFormation's throttling error for a while. Each test asserts what Lambda holds afterwards and
which stack requests each Delete made.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from event_invoke_config_provider.retries import MAX_BOTOCORE_ATTEMPTS
from offline_cloud.deployment import LocalCloud, service_token
from offline_cloud.local_cloud import create_functions
from offline_cloud.native_resources import FAILING_TYPE

pytestmark = pytest.mark.slow
CUSTOM = "Custom::LambdaEventInvokeConfig"
CONFIGS = 3
# Longer than botocore's own retries of a throttled call (about 37 s at most).
THROTTLED_SECONDS = 50.0


def config(function_arn: str, service_timeout: int = 300) -> dict[str, Any]:
    """A config as the CDK construct declares it (ServiceTimeout 300)."""
    return {
        "Type": CUSTOM,
        "Properties": {
            "ServiceToken": service_token(),
            "ServiceTimeout": service_timeout,
            "FunctionName": function_arn,
            "MaximumRetryAttempts": 0,
        },
    }


def configs(functions: list[str], **more: Any) -> dict[str, Any]:
    return {"Resources": {f"Config{i}": config(arn) for i, arn in enumerate(functions)} | more}


def held(cloud: LocalCloud, function_arn: str) -> bool:
    try:
        cloud.lambda_client.get_function_event_invoke_config(FunctionName=function_arn)
    except cloud.lambda_client.exceptions.ResourceNotFoundException:
        return False
    return True


def answers(cloud: LocalCloud, since: int) -> list[tuple[str, str]]:
    return [
        (x.event["RequestType"], (x.response or {}).get("Status", "no answer"))
        for x in cloud.provider.history[since:]
    ]


def _events(actions: list[str]) -> list[list[str]]:
    """Stack requests split per event: each event starts with its one DescribeStacks."""
    events: list[list[str]] = []
    for action in actions:
        if action == "DescribeStacks":
            events.append([])
        events[-1].append(action)
    return events


@pytest.fixture
def functions(moto_endpoint: str) -> list[str]:
    return create_functions(moto_endpoint, "reads", CONFIGS)


def test_a_teardown_reads_the_stack_once_per_config_and_lists_nothing(
    cloud: LocalCloud, functions: list[str]
) -> None:
    stack = cloud.engine.create_stack("teardown", configs(functions))
    assert stack.status == "CREATE_COMPLETE"
    assert all(held(cloud, arn) for arn in functions)
    before = len(cloud.stack_api_calls)

    assert cloud.engine.delete_stack("teardown").status == "DELETE_COMPLETE"

    actions = [call["Action"] for call in cloud.stack_api_calls[before:]]
    assert actions == ["DescribeStacks"] * CONFIGS
    assert not any(held(cloud, arn) for arn in functions)


def test_a_failed_creation_rolls_back_with_one_read_per_event(
    cloud: LocalCloud, functions: list[str]
) -> None:
    failing = {"Type": FAILING_TYPE, "DependsOn": [f"Config{i}" for i in range(CONFIGS)]}
    before = len(cloud.stack_api_calls)

    stack = cloud.engine.create_stack("failed", configs(functions, Fails=failing))

    assert stack.status == "ROLLBACK_COMPLETE"
    actions = [call["Action"] for call in cloud.stack_api_calls[before:]]
    # each Create and each rollback Delete reads the status once; the Creates found no config
    # to check the owner of, and a rollback lists nothing
    assert actions == ["DescribeStacks"] * (2 * CONFIGS)
    assert not any(held(cloud, arn) for arn in functions)


def test_a_cleanup_delete_still_lists_and_keeps_a_renamed_config(
    cloud: LocalCloud, functions: list[str]
) -> None:
    [first, *_] = functions
    cloud.engine.create_stack("renamed", {"Resources": {"Old": config(first)}})
    before = len(cloud.stack_api_calls)

    stack = cloud.engine.update_stack("renamed", {"Resources": {"New": config(first)}})

    assert stack.status == "UPDATE_COMPLETE"
    actions = [call["Action"] for call in cloud.stack_api_calls[before:]]
    # New's Create reads the status, then lists (the config exists); Old's cleanup Delete reads
    # the status, then lists
    create, cleanup = itertools.islice(_events(actions), 2)
    assert create[0] == cleanup[0] == "DescribeStacks"
    assert set(create[1:]) == set(cleanup[1:]) == {"ListStackResources"}
    assert held(cloud, first), "the renamed resource keeps it"


@pytest.mark.waits
def test_a_teardown_outlasts_stack_api_throttling_longer_than_botocores_retries(
    cloud: LocalCloud, functions: list[str]
) -> None:
    # GIVEN a stack of configs, and a stack API that throttles every request for 50 s
    cloud.engine.create_stack("throttled", configs(functions))
    since = len(cloud.provider.history)
    cloud.stack_api.throttle(THROTTLED_SECONDS)

    # WHEN the stack is deleted
    stack = cloud.engine.delete_stack("throttled")

    # THEN every Delete answers SUCCESS, nothing is left in Lambda, and the provider retried
    # past botocore's own attempts
    assert stack.status == "DELETE_COMPLETE", stack.reasons("DELETE_FAILED")
    assert answers(cloud, since) == [("Delete", "SUCCESS")] * CONFIGS
    assert not any(held(cloud, arn) for arn in functions)
    assert cloud.stack_api.throttled_calls > MAX_BOTOCORE_ATTEMPTS
