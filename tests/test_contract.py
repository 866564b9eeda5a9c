"""The synthesized provider asset, run like a cold Lambda, against moto's server over HTTP.

Each event goes to a fresh interpreter whose only copy of the handler and crhelper is the
asset CDK staged; crhelper's answer travels over HTTPS to a local ResponseURL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.deployment import LocalDeployment, load_template, provider_asset, read_config
from devtools.local_cloud import ResponseCollector, create_functions

STACK = "EventInvokeConfigDemo"
CONFIG = "WorkerAsync3BE73732"
pytestmark = pytest.mark.slow


@pytest.fixture
def deployment(cdk_out: Path, moto_endpoint: str, collector: ResponseCollector) -> LocalDeployment:
    template = load_template(cdk_out, STACK)
    return LocalDeployment(
        STACK,
        template,
        provider_asset(cdk_out, template),
        moto_endpoint=moto_endpoint,
        collector=collector,
    )


@pytest.fixture
def lambda_client(moto_endpoint: str) -> Any:
    return boto3.client("lambda", endpoint_url=moto_endpoint)


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


def test_the_template_config_goes_through_create_update_delete(
    deployment: LocalDeployment, lambda_client: Any
) -> None:
    properties = deployment.properties_of(CONFIG)

    created = deployment.send("Create", CONFIG, properties)
    physical_id = ok(created)
    assert created["Data"] == {
        "FunctionArn": physical_id,
        "LastModified": created["Data"]["LastModified"],
    }
    assert physical_id == f"{properties['FunctionName']}:$LATEST", "Lambda's qualified ARN"
    assert config_of(lambda_client, physical_id) == {
        "FunctionArn": physical_id,
        "MaximumRetryAttempts": 0,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": properties["DestinationConfig"],
    }

    updated_properties = {**properties, "MaximumRetryAttempts": "2"}
    del updated_properties["DestinationConfig"]
    updated = deployment.send(
        "Update", CONFIG, updated_properties, old_properties=properties, physical_id=physical_id
    )
    assert ok(updated) == physical_id
    assert config_of(lambda_client, physical_id) == {
        "FunctionArn": physical_id,
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 3600,
    }, "put replaces the config: the removed destinations are gone"

    assert (
        ok(deployment.send("Delete", CONFIG, updated_properties, physical_id=physical_id))
        == physical_id
    )
    assert config_of(lambda_client, physical_id) is None
    assert (
        ok(deployment.send("Delete", CONFIG, updated_properties, physical_id=physical_id))
        == physical_id
    )


def test_naming_the_function_by_arn_instead_of_name_keeps_the_physical_id(
    deployment: LocalDeployment, new_function: Any
) -> None:
    arn = new_function()
    by_name = {"FunctionName": arn.rsplit(":", 1)[1], "MaximumRetryAttempts": "1"}
    by_arn = {"FunctionName": arn, "MaximumRetryAttempts": "1"}

    physical_id = ok(deployment.send("Create", CONFIG, by_name))
    updated = deployment.send(
        "Update", CONFIG, by_arn, old_properties=by_name, physical_id=physical_id
    )

    assert ok(updated) == physical_id == f"{arn}:$LATEST"


def test_moving_to_another_function_changes_the_id_and_the_old_one_is_deleted(
    deployment: LocalDeployment, new_function: Any, lambda_client: Any
) -> None:
    first, second = new_function("first"), new_function("second")
    old = {"FunctionName": first, "MaximumRetryAttempts": "0"}
    new = {"FunctionName": second, "MaximumRetryAttempts": "0"}
    old_id = ok(deployment.send("Create", CONFIG, old))

    new_id = ok(deployment.send("Update", CONFIG, new, old_properties=old, physical_id=old_id))
    assert new_id == f"{second}:$LATEST" != old_id
    # CloudFormation then deletes the resource under its old physical id
    assert ok(deployment.send("Delete", CONFIG, old, physical_id=old_id)) == old_id

    assert config_of(lambda_client, old_id) is None
    assert config_of(lambda_client, new_id) is not None


def test_an_alias_config_and_the_unqualified_one_are_separate(
    deployment: LocalDeployment, new_function: Any, lambda_client: Any
) -> None:
    arn = new_function()
    version = lambda_client.publish_version(FunctionName=arn)["Version"]
    lambda_client.create_alias(FunctionName=arn, Name="live", FunctionVersion=version)

    unqualified = ok(
        deployment.send("Create", CONFIG, {"FunctionName": arn, "MaximumRetryAttempts": "0"})
    )
    aliased = ok(
        deployment.send(
            "Create",
            CONFIG,
            {"FunctionName": arn, "Qualifier": "live", "MaximumRetryAttempts": "2"},
        )
    )

    assert (unqualified, aliased) == (f"{arn}:$LATEST", f"{arn}:live")
    ok(deployment.send("Delete", CONFIG, {}, physical_id=aliased))
    assert config_of(lambda_client, aliased) is None
    assert config_of(lambda_client, unqualified) == {
        "FunctionArn": unqualified,
        "MaximumRetryAttempts": 0,
    }


def test_bad_input_fails_with_a_reason_and_writes_nothing_and_its_rollback_deletes_nothing(
    deployment: LocalDeployment, new_function: Any, lambda_client: Any
) -> None:
    arn = new_function()
    existing = ok(
        deployment.send("Create", CONFIG, {"FunctionName": arn, "MaximumRetryAttempts": "1"})
    )

    failed = deployment.send(
        "Create", "LiveAsync30215196", {"FunctionName": arn, "MaximumEventAgeInSeconds": "30"}
    )

    assert failed["Status"] == "FAILED"
    assert (
        failed["Reason"]
        == "MaximumEventAgeInSeconds must be a whole number from 60 to 21600; got '30'."
    )
    assert config_of(lambda_client, existing) == {
        "FunctionArn": existing,
        "MaximumRetryAttempts": 1,
    }
    # CloudFormation rolls back the failed Create with a Delete of crhelper's made-up id
    rollback = deployment.send(
        "Delete", "LiveAsync30215196", {}, physical_id=failed["PhysicalResourceId"]
    )
    assert ok(rollback) == failed["PhysicalResourceId"]
    assert config_of(lambda_client, existing) is not None, (
        "a config this resource did not create stays"
    )


def test_a_missing_function_fails_the_create_with_lambdas_reason(
    deployment: LocalDeployment,
) -> None:
    failed = deployment.send("Create", CONFIG, {"FunctionName": "no-such-function"})

    assert failed["Status"] == "FAILED"
    assert "ResourceNotFoundException" in failed["Reason"]


def test_delete_after_the_function_is_gone_succeeds(
    deployment: LocalDeployment, new_function: Any, lambda_client: Any
) -> None:
    arn = new_function()
    physical_id = ok(deployment.send("Create", CONFIG, {"FunctionName": arn}))
    lambda_client.delete_function(FunctionName=arn)

    assert ok(deployment.send("Delete", CONFIG, {}, physical_id=physical_id)) == physical_id


def test_logs_never_show_the_response_url(deployment: LocalDeployment, new_function: Any) -> None:
    ok(deployment.send("Create", CONFIG, {"FunctionName": new_function()}))

    assert deployment.last_logs, "the provider logs what it does"
    assert deployment.collector.secret not in deployment.last_logs
    assert json.dumps(deployment.collector.secret) not in deployment.last_logs
