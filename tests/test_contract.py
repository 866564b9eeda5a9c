"""The synthesized provider asset, run like a Lambda, against moto's server over HTTP.

Each event goes to an interpreter (cold, or warm from an earlier event) whose only copy of the
handler and crhelper is the asset CDK staged; its answer travels over HTTPS to a local ResponseURL,
and it reads its stack from the offline engine's stack API. The first test deploys the demo stack
through the engine; the others send single events, as a resource of an otherwise empty stack.
Every test runs twice: on the Lambda runtime's SDK at the floor the README states, and on the
newest (offline_cloud/lambda_sdk.py); the interpreter has nothing else on its path.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from event_invoke_config_provider.properties import RESOURCE_TYPE
from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.lambda_sdk import FLOOR, NEWEST
from offline_cloud.local_cloud import create_functions
from offline_cloud.stack_state import Stack
from offline_cloud.template import load_template

STACK = "EventInvokeConfigDemo"
CONFIG = "WorkerAsync3BE73732"
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("cloud", [FLOOR, NEWEST], indirect=True)]


@pytest.fixture
def stack(cloud: LocalCloud) -> Stack:
    """An empty stack: the StackId of the single events below."""
    return cloud.engine.create_stack("contract", {"Resources": {}})


@pytest.fixture
def new_function(moto_endpoint: str) -> Callable[..., str]:
    """Creates a function in moto with a unique name; returns its unqualified ARN."""

    def create(prefix: str = "target") -> str:
        return create_functions(moto_endpoint, prefix)[0]

    return create


def config_of(lambda_client: Any, physical_id: str) -> dict[str, Any] | None:
    """The config without its timestamp, which changes on every put."""
    config = read_config(lambda_client, physical_id)
    if config is not None:
        config.pop("LastModified")
    return config


def ok(response: dict[str, Any]) -> str:
    assert response["Status"] == "SUCCESS", response["Reason"]
    physical_id: str = response["PhysicalResourceId"]
    return physical_id


def test_the_demo_stack_goes_through_create_update_delete(cloud: LocalCloud, cdk_out: Path) -> None:
    template = load_template(cdk_out, STACK)
    created = cloud.engine.create_stack(STACK, template)
    assert created.status == "CREATE_COMPLETE", created.events
    physical_id = str(created.resources[CONFIG].physical_id)
    function = created.resources["Worker11F36D0F"].attributes["Arn"]
    [properties] = [
        e["ResourceProperties"] for e in _events(cloud) if e["LogicalResourceId"] == CONFIG
    ]
    assert physical_id == f"{function}:$LATEST", "Lambda's qualified ARN"
    assert created.resources[CONFIG].attributes["FunctionArn"] == physical_id
    assert config_of(cloud.lambda_client, physical_id) == {
        "FunctionArn": physical_id,
        "MaximumRetryAttempts": 0,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": properties["DestinationConfig"],
    }

    changed = copy.deepcopy(template)
    del changed["Resources"][CONFIG]["Properties"]["DestinationConfig"]
    changed["Resources"][CONFIG]["Properties"]["MaximumRetryAttempts"] = 2
    assert cloud.engine.update_stack(STACK, changed).status == "UPDATE_COMPLETE"
    assert created.resources[CONFIG].physical_id == physical_id
    assert config_of(cloud.lambda_client, physical_id) == {
        "FunctionArn": physical_id,
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 3600,
    }, "put replaces the config: the removed destinations are gone"

    before = len(cloud.stack_api_calls)
    assert cloud.engine.delete_stack(STACK).status == "DELETE_COMPLETE"
    assert [(e["RequestType"], e["LogicalResourceId"]) for e in _events(cloud)[-2:]] == [
        ("Delete", "LiveAsync30215196"),
        ("Delete", CONFIG),
    ]
    assert config_of(cloud.lambda_client, physical_id) is None
    reads = [call["Action"] for call in cloud.stack_api_calls[before:]]
    assert reads == ["DescribeStacks"] * 2, "a teardown's Delete reads the stack's status alone"


def _events(cloud: LocalCloud) -> list[dict[str, Any]]:
    """The events the configs' provider got (not those of its grant digest)."""
    return [
        exchange.event
        for exchange in cloud.provider.history
        if exchange.event["ResourceType"] == RESOURCE_TYPE
    ]


def test_naming_the_function_by_arn_instead_of_name_keeps_the_physical_id(
    cloud: LocalCloud, stack: Stack, new_function: Any
) -> None:
    arn = new_function()
    by_name = {"FunctionName": arn.rsplit(":", 1)[1], "MaximumRetryAttempts": "1"}
    by_arn = {"FunctionName": arn, "MaximumRetryAttempts": "1"}

    physical_id = ok(cloud.send(stack, "Create", CONFIG, properties=by_name))
    updated = cloud.send(
        stack, "Update", CONFIG, properties=by_arn, old_properties=by_name, physical_id=physical_id
    )

    assert ok(updated) == physical_id == f"{arn}:$LATEST"


def test_moving_to_another_function_changes_the_id_and_the_old_one_is_deleted(
    cloud: LocalCloud, stack: Stack, new_function: Any
) -> None:
    first, second = new_function("first"), new_function("second")
    old = {"FunctionName": first, "MaximumRetryAttempts": "0"}
    new = {"FunctionName": second, "MaximumRetryAttempts": "0"}
    old_id = ok(cloud.send(stack, "Create", CONFIG, properties=old))

    moved = cloud.send(
        stack, "Update", CONFIG, properties=new, old_properties=old, physical_id=old_id
    )
    new_id = ok(moved)
    assert new_id == f"{second}:$LATEST" != old_id
    # CloudFormation then deletes the resource under its old physical id
    assert ok(cloud.send(stack, "Delete", CONFIG, properties=old, physical_id=old_id)) == old_id

    assert config_of(cloud.lambda_client, old_id) is None
    assert config_of(cloud.lambda_client, new_id) is not None


def test_an_alias_config_and_the_unqualified_one_are_separate(
    cloud: LocalCloud, stack: Stack, new_function: Any
) -> None:
    arn = new_function()
    lambda_client = cloud.lambda_client
    version = lambda_client.publish_version(FunctionName=arn)["Version"]
    lambda_client.create_alias(FunctionName=arn, Name="live", FunctionVersion=version)

    unqualified = ok(
        cloud.send(
            stack, "Create", CONFIG, properties={"FunctionName": arn, "MaximumRetryAttempts": "0"}
        )
    )
    aliased = ok(
        cloud.send(
            stack,
            "Create",
            "LiveConfig",
            properties={"FunctionName": arn, "Qualifier": "live", "MaximumRetryAttempts": "2"},
        )
    )

    assert (unqualified, aliased) == (f"{arn}:$LATEST", f"{arn}:live")
    ok(cloud.send(stack, "Delete", "LiveConfig", physical_id=aliased))
    assert config_of(lambda_client, aliased) is None
    assert config_of(lambda_client, unqualified) == {
        "FunctionArn": unqualified,
        "MaximumRetryAttempts": 0,
    }


def test_bad_input_fails_with_a_reason_and_writes_nothing_and_its_rollback_deletes_nothing(
    cloud: LocalCloud, stack: Stack, new_function: Any
) -> None:
    arn = new_function()
    existing = ok(
        cloud.send(
            stack, "Create", CONFIG, properties={"FunctionName": arn, "MaximumRetryAttempts": "1"}
        )
    )

    bad = {"FunctionName": arn, "MaximumEventAgeInSeconds": "30"}
    failed = cloud.send(stack, "Create", "LiveAsync30215196", properties=bad)

    assert failed["Status"] == "FAILED"
    assert failed["Reason"].startswith(
        "MaximumEventAgeInSeconds must be a whole number from 60 to 21600; got '30'"
    )
    assert config_of(cloud.lambda_client, existing) == {
        "FunctionArn": existing,
        "MaximumRetryAttempts": 1,
    }
    # CloudFormation rolls back the failed Create with a Delete of the id it answered
    rollback = cloud.send(
        stack, "Delete", "LiveAsync30215196", physical_id=failed["PhysicalResourceId"]
    )
    assert ok(rollback) == failed["PhysicalResourceId"]
    assert config_of(cloud.lambda_client, existing) is not None, (
        "a config this resource did not create stays"
    )


def test_a_missing_function_fails_the_create_with_lambdas_reason(
    cloud: LocalCloud, stack: Stack
) -> None:
    failed = cloud.send(stack, "Create", CONFIG, properties={"FunctionName": "no-such-function"})

    assert failed["Status"] == "FAILED"
    assert "ResourceNotFoundException" in failed["Reason"]


def test_delete_after_the_function_is_gone_succeeds(
    cloud: LocalCloud, stack: Stack, new_function: Any
) -> None:
    arn = new_function()
    physical_id = ok(cloud.send(stack, "Create", CONFIG, properties={"FunctionName": arn}))
    cloud.lambda_client.delete_function(FunctionName=arn)

    assert ok(cloud.send(stack, "Delete", CONFIG, physical_id=physical_id)) == physical_id


def test_logs_never_show_the_response_url(
    cloud: LocalCloud, stack: Stack, new_function: Any
) -> None:
    ok(cloud.send(stack, "Create", CONFIG, properties={"FunctionName": new_function()}))

    logs = cloud.provider.last_logs
    assert logs, "the provider logs what it does"
    assert cloud.provider.collector.secret not in logs
    assert json.dumps(cloud.provider.collector.secret) not in logs
