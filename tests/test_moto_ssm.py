"""moto's SSM with IAM (offline_cloud/moto_ssm.py): a role's requests checked as SSM checks them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from offline_cloud import moto_ssm
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.iam_roles import AttachedPolicy, Enforcement, RolePolicies
from offline_cloud.lambda_runtime import LambdaRuntime, ProviderAsset, environment
from offline_cloud.lambda_sdk import FLOOR, NEWEST, sdk_path
from offline_cloud.local_cloud import ResponseCollector

ACTIONS = ["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"]
# A function that puts each parameter the event names, with SSM's default endpoint resolution.
PUTTER = """
import boto3
import crhelper  # noqa: F401  (the bootstrap checks where it came from)

def handler(event, context):
    ssm = boto3.client("ssm")
    for name in event["Names"]:
        try:
            ssm.put_parameter(Name=name, Value="copy", Type="String", Overwrite=True)
            print(name, "put", flush=True)
        except ssm.exceptions.ClientError as error:
            print(name, error.response["Error"]["Code"], flush=True)
"""


@pytest.fixture
def path() -> str:
    """A parameter path of this test's own."""
    return f"/moto-ssm-{uuid.uuid4().hex[:8]}/"


@pytest.fixture
def enforcement(path: str) -> Iterator[Enforcement]:
    """IAM for a role ("role") allowed the three actions under `path`."""
    policies = RolePolicies()
    statement = {
        "Effect": "Allow",
        "Action": ACTIONS,
        "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{path}*",
    }
    document = {"Version": "2012-10-17", "Statement": [statement]}
    policies.put("policy", AttachedPolicy(frozenset({"role"}), (document,)))
    enforcement = Enforcement(policies)
    yield enforcement
    enforcement.close()


@pytest.fixture
def as_role(moto_endpoint: str, enforcement: Enforcement) -> Any:
    """An SSM client with the role's credentials."""
    credentials = enforcement.credentials("role")
    session = boto3.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
        region_name=REGION,
    )
    return session.client("ssm", endpoint_url=moto_endpoint)


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


@pytest.fixture
def putter(tmp_path: Path) -> ProviderAsset:
    """The PUTTER function as an asset of the offline Lambda runtime."""
    (tmp_path / "putter").mkdir()
    (tmp_path / "putter" / "__init__.py").write_text("")
    (tmp_path / "putter" / "index.py").write_text(PUTTER)
    (tmp_path / "crhelper").mkdir()
    (tmp_path / "crhelper" / "__init__.py").write_text("")  # the bootstrap wants it from here
    return ProviderAsset(tmp_path, "putter.index.handler", 30)


@pytest.mark.parametrize("sdk", [FLOOR, NEWEST])
def test_a_function_in_the_lambda_runtime_reaches_ssm_as_its_role(
    putter: ProviderAsset, moto_endpoint: str, collector: ResponseCollector, sdk: str
) -> None:
    # GIVEN a function run as the provider runs, on the runtime's SDK: its environment and the
    # credentials of a role allowed a path
    path = f"/runtime-{uuid.uuid4().hex[:8]}/"
    policies = RolePolicies()
    statement = {
        "Effect": "Allow",
        "Action": ACTIONS,
        "Resource": f"arn:aws:ssm:*:*:parameter{path}*",
    }
    policies.put("policy", AttachedPolicy(frozenset({"role"}), ({"Statement": [statement]},)))
    enforcement = Enforcement(policies)
    env = {**environment(moto_endpoint, collector.ca_file), **enforcement.credentials("role")}
    runtime = LambdaRuntime(sdk_path(sdk))
    inside, outside = f"{path}copy", f"/{uuid.uuid4().hex}"
    # WHEN it puts a parameter under that path and one outside it
    try:
        invocation = runtime.invoke(putter, {"Names": [inside, outside]}, env)
        assert invocation.wait(until=time.monotonic() + 60), "the invocation did not end"
    finally:
        runtime.close()
        enforcement.close()
    # THEN moto's SSM took the one and IAM refused the other
    assert invocation.logs.splitlines()[-2:] == [
        f"{inside} put",
        f"{outside} AccessDeniedException",
    ], invocation.logs
    as_test = boto3.client("ssm", endpoint_url=moto_endpoint, region_name=REGION)
    assert as_test.get_parameter(Name=inside)["Parameter"]["Value"] == "copy"
    with pytest.raises(as_test.exceptions.ParameterNotFound):
        as_test.get_parameter(Name=outside)
    as_test.delete_parameter(Name=inside)
