"""moto's SSM with IAM (offline_cloud/moto_ssm.py): a role's requests checked as SSM checks them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from offline_cloud import moto_ssm
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.iam_roles import AttachedPolicy, Enforcement, RolePolicies

ACTIONS = ["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"]


@pytest.fixture
def path() -> str:
    """A parameter path of this test's own."""
    return f"/moto-ssm-{uuid.uuid4().hex[:8]}/"


@pytest.fixture
def as_role(moto_endpoint: str, path: str) -> Iterator[Any]:
    """An SSM client with the credentials of a role allowed the three actions under `path`."""
    policies = RolePolicies()
    statement = {
        "Effect": "Allow",
        "Action": ACTIONS,
        "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{path}*",
    }
    document = {"Version": "2012-10-17", "Statement": [statement]}
    policies.put("policy", AttachedPolicy(frozenset({"role"}), (document,)))
    enforcement = Enforcement(policies)
    credentials = enforcement.credentials("role")
    session = boto3.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
        region_name=REGION,
    )
    try:
        yield session.client("ssm", endpoint_url=moto_endpoint)
    finally:
        enforcement.close()


@pytest.fixture
def as_test(moto_endpoint: str) -> Any:
    """An SSM client with the tests' own credentials, which are never checked."""
    return boto3.client("ssm", endpoint_url=moto_endpoint, region_name=REGION)


def denied(error: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = error.value.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    return status, response["Error"]["Code"], response["Error"]["Message"]


def test_a_role_may_get_put_and_delete_under_its_path_and_the_calls_are_counted(
    as_role: Any, path: str
) -> None:
    name = f"{path}copy"
    before = dict(moto_ssm.calls)

    as_role.put_parameter(Name=name, Value="one", Type="String", Overwrite=True)
    as_role.put_parameter(Name=name, Value="two", Type="String", Overwrite=True)
    assert as_role.get_parameter(Name=name)["Parameter"]["Value"] == "two"
    assert as_role.get_parameter(Name=f"{name}:1")["Parameter"]["Value"] == "one"
    as_role.delete_parameter(Name=name)
    with pytest.raises(as_role.exceptions.ParameterNotFound):
        as_role.get_parameter(Name=name)

    assert {
        op: moto_ssm.calls[op] - before.get(op, 0)
        for op in ("GetParameter", "PutParameter", "DeleteParameter")
    } == {"GetParameter": 3, "PutParameter": 2, "DeleteParameter": 1}


def test_outside_its_path_a_role_is_denied_as_ssm_denies_and_nothing_changes(
    as_role: Any, as_test: Any, path: str
) -> None:
    # GIVEN a parameter outside the role's path (a sibling whose name only starts like it)
    outside = f"{path.rstrip('/')}-other/copy"
    as_test.put_parameter(Name=outside, Value="kept", Type="String")
    arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{outside}"
    # WHEN the role reads, overwrites and deletes it
    with pytest.raises(ClientError) as get:
        as_role.get_parameter(Name=outside)
    with pytest.raises(ClientError) as put:
        as_role.put_parameter(Name=outside, Value="lost", Type="String", Overwrite=True)
    with pytest.raises(ClientError) as delete:
        as_role.delete_parameter(Name=outside)
    with pytest.raises(ClientError) as new:
        as_role.put_parameter(Name=f"/{uuid.uuid4().hex}", Value="x", Type="String")
    # THEN each is refused with SSM's error, naming the action and the parameter's ARN
    refusals = ((get, "GetParameter"), (put, "PutParameter"), (delete, "DeleteParameter"))
    for error, action in refusals:
        status, code, message = denied(error)
        assert (status, code) == (400, "AccessDeniedException")
        assert f"is not authorized to perform: ssm:{action}" in message
        assert f"on resource: {arn} " in message
    assert denied(new)[:2] == (400, "AccessDeniedException")
    # and the parameter is as it was
    kept = as_test.get_parameter(Name=outside)["Parameter"]
    assert (kept["Value"], kept["Version"]) == ("kept", 1)
    as_test.delete_parameter(Name=outside)


@pytest.mark.parametrize(
    ("name", "resource"),
    [
        ("/a/b", "parameter/a/b"),
        ("plain", "parameter/plain"),
        ("/a/b:3", "parameter/a/b"),
        ("/a/b:live", "parameter/a/b"),
        (f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/a/b:3", "parameter/a/b"),
    ],
)
def test_a_parameters_arn_drops_the_leading_slash_and_the_selector(
    name: str, resource: str
) -> None:
    expected = f"arn:aws:ssm:{REGION}:{ACCOUNT}:{resource}"

    assert moto_ssm.parameter_arn(name, REGION, ACCOUNT) == expected
