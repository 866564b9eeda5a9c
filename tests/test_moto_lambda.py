"""The patched moto (offline_cloud/moto_lambda.py) stays faithful to Lambda and to its version."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from importlib import metadata
from typing import Any

import boto3
import moto
import pytest
from moto.awslambda.responses import LambdaResponse

from offline_cloud import moto_lambda
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.local_cloud import EMPTY_ZIP

RETRIES = {"MaximumRetryAttempts": 1}


@pytest.fixture
def lambda_client(moto_endpoint: str) -> Any:
    return boto3.client("lambda", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture
def create(moto_endpoint: str, lambda_client: Any) -> Callable[[str], str]:
    """Creates a function of the given name (again, if it was deleted); returns its ARN."""
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name=REGION)
    role = iam.create_role(RoleName=f"fake-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument="{}")

    def function(name: str) -> str:
        created = lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.14",
            Role=role["Role"]["Arn"],
            Handler="index.handler",
            Code={"ZipFile": EMPTY_ZIP},
        )
        return str(created["FunctionArn"])

    return function


def config_of(lambda_client: Any, name: str, qualifier: str) -> dict[str, Any] | None:
    try:
        return dict(
            lambda_client.get_function_event_invoke_config(FunctionName=name, Qualifier=qualifier)
        )
    except lambda_client.exceptions.ResourceNotFoundException:
        return None


def test_a_function_deleted_and_created_again_has_no_ghost_configs(
    lambda_client: Any, create: Callable[[str], str]
) -> None:
    name = f"ghost-{uuid.uuid4().hex[:8]}"
    create(name)
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    for qualifier in ("$LATEST", version, "live"):
        lambda_client.put_function_event_invoke_config(
            FunctionName=name, Qualifier=qualifier, **RETRIES
        )
    assert all(config_of(lambda_client, name, q) for q in ("$LATEST", version, "live"))

    lambda_client.delete_function(FunctionName=name)

    arn = create(name)
    assert lambda_client.publish_version(FunctionName=name)["Version"] == version
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    assert [config_of(lambda_client, name, q) for q in ("$LATEST", version, "live")] == [None] * 3
    assert not [held for held in moto_lambda.configs_held(ACCOUNT, REGION) if arn in held]


def test_deleting_a_version_deletes_that_versions_config_alone(
    lambda_client: Any, create: Callable[[str], str]
) -> None:
    name = f"version-{uuid.uuid4().hex[:8]}"
    arn = create(name)
    first = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.update_function_code(FunctionName=name, ZipFile=EMPTY_ZIP + b"\0")
    second = lambda_client.publish_version(FunctionName=name)["Version"]
    for qualifier in ("$LATEST", first, second):
        lambda_client.put_function_event_invoke_config(
            FunctionName=name, Qualifier=qualifier, **RETRIES
        )

    lambda_client.delete_function(FunctionName=name, Qualifier=first)

    held = [c for c in moto_lambda.configs_held(ACCOUNT, REGION) if c.startswith(f"{arn}:")]
    assert held == sorted([f"{arn}:$LATEST", f"{arn}:{second}"])
    assert config_of(lambda_client, name, second) is not None


def test_the_patch_is_for_the_moto_version_installed_and_pinned() -> None:
    assert moto_lambda.pinned_moto_version() == metadata.version("moto") == moto.__version__
    moto_lambda.check_moto_version()  # raises on a mismatch, see below


def test_install_refuses_another_moto_version_and_patches_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pinned = moto_lambda.pinned_moto_version()
    other = f"{pinned}.post1"
    monkeypatch.setattr(moto, "__version__", other)
    dispatch = LambdaResponse._dispatch

    with pytest.raises(RuntimeError) as refused:
        moto_lambda.install.__wrapped__()

    assert re.search(
        rf"patches moto {re.escape(pinned)}, the version requirements-dev.txt pins, but moto "
        rf"{re.escape(other)} is installed",
        str(refused.value),
    )
    assert LambdaResponse._dispatch is dispatch, "nothing patched"
