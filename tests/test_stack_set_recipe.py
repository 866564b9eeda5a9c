"""The README's StackSets recipe, run as written by bash and the AWS CLI against the offline cloud.

Its four blocks: the shell's definitions, creation, upgrade and removal. Each later block runs in
a shell that ran the first, from a folder whose dist/ holds a release: the stack set is created
with 0.2.0's (its template and an earlier zip), upgraded to this one, then removed. Nothing in the
commands is rewritten: the CLI reaches the offline CloudFormation
(offline_cloud/cloudformation_api.py, stack sets in offline_cloud/stack_sets.py) and moto's S3 by
its endpoint variables, and the offline organization is made of the README's units, the first
holding the offline cloud's one account (offline_cloud/fake_aws.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import make_release
from event_invoke_config_provider.version import __version__
from offline_cloud.cloudformation_api import CloudFormationApi
from offline_cloud.fake_aws import ACCOUNT
from offline_cloud.stack_requests import required_capability
from offline_cloud.stack_state import Stack
from offline_cloud.template import load_yaml_template
from tests import readme_commands
from tests.support import ROOT
from tests.test_release_upgrade import PREFIX, released, sha256

HEADING = "### Every account of an organisation: one StackSet"
STACK_SET = "lambda-event-invoke-config"
EXPORT = "LambdaEventInvokeConfigServiceToken"
SSM_PARAMETER = "/lambda-event-invoke-config/service-token"


def recipe() -> dict[str, str]:
    """The section's blocks by role; each later one runs after the definitions."""
    definitions, create, upgrade, remove = readme_commands.commands(HEADING)
    assert "create-stack-set" in create, create
    assert "update-stack-set" in upgrade, upgrade
    assert "delete-stack-set" in remove, remove
    return {
        "create": definitions + create,
        "upgrade": definitions + upgrade,
        "remove": definitions + remove,
        "definitions": definitions,
    }


def shell_value(script: str, name: str) -> str:
    """A variable's value as the definitions set it (`name=value` or `name="value"`)."""
    found = re.search(rf'^{name}="?([^"\n]*)"?$', script, re.MULTILINE)
    assert found is not None, name
    return found.group(1)


@pytest.fixture
def offline(moto_endpoint: str) -> Iterator[tuple[CloudFormationApi, dict[str, str], list[str]]]:
    """The offline CloudFormation with the README's organization, and a bucket per region."""
    definitions = recipe()["definitions"]
    regions = shell_value(definitions, "regions").split()
    first, *others = shell_value(definitions, "units").split(",")
    organization = {first: [ACCOUNT], **{unit: [] for unit in others}}
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    existing = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    for region in regions:
        if f"acme-artifacts-{region}" not in existing:
            where = {} if region == "us-east-1" else {"LocationConstraint": region}
            s3.create_bucket(Bucket=f"acme-artifacts-{region}", CreateBucketConfiguration=where)
    api = CloudFormationApi(moto_endpoint, organization)
    with api as url:
        yield api, {"cloudformation": url, "s3": moto_endpoint}, regions


def instance_stacks(api: CloudFormationApi, regions: list[str]) -> dict[str, Stack]:
    """The live stack of each region's instance."""
    stack_set = api.stack_sets.stack_set(STACK_SET)
    assert sorted(stack_set.instances) == sorted((ACCOUNT, region) for region in regions)
    found = {}
    for (_account, region), instance in stack_set.instances.items():
        stack = api.engine(region).find(instance.stack_name)
        assert stack is not None and instance.status == "CURRENT", (region, instance)
        found[region] = stack
    return found


def running(api: CloudFormationApi, region: str, stack: Stack, moto: str) -> dict[str, Any]:
    """What an instance's stack runs and publishes."""
    function = stack.resources["Function"]
    session = boto3.Session(region_name=region)
    code = session.client("lambda", endpoint_url=moto).get_function(
        FunctionName=function.physical_id
    )["Configuration"]["CodeSha256"]
    token = session.client("ssm", endpoint_url=moto).get_parameter(Name=SSM_PARAMETER)
    outputs = {output.key: output.value for output in api.engine(region).outputs(stack)}
    return {
        "arn": function.attributes["Arn"],
        "key": function.properties["Code"]["S3Key"],
        "code": code,
        "version": outputs["Version"],
        "export": api.engine(region).exports.get(EXPORT),
        "ssm": token["Parameter"]["Value"],
    }


@pytest.mark.slow
def test_the_readme_recipe_creates_upgrades_and_removes_the_stack_set(
    offline: tuple[CloudFormationApi, dict[str, str], list[str]],
    tmp_path: Path,
    moto_endpoint: str,
) -> None:
    api, endpoints, regions = offline
    steps = recipe()
    # GIVEN the stack set created by the README's commands with 0.2.0's release in dist/
    old = released(tmp_path / "old", "0.2.0")
    readme_commands.run(steps["create"], old, endpoints)
    # THEN every region holds an instance whose stack StackSets named, running 0.2.0's zip
    created = instance_stacks(api, regions)
    before = {}
    for region, stack in created.items():
        assert stack.name.startswith(f"StackSet-{STACK_SET}-"), stack.name
        before[region] = running(api, region, stack, moto_endpoint)
        assert before[region]["key"] == f"{PREFIX}provider-0.2.0.zip"
        assert before[region]["code"] == sha256(old / "dist" / "provider-0.2.0.zip")
        # and the consumers' lookups resolve there: the export the example imports, the SSM
        # parameter, both the function's ARN (the default export, named after the stack, would
        # be `StackSet-...ServiceToken`)
        assert before[region]["export"] == before[region]["ssm"] == before[region]["arn"]
    example = load_yaml_template(ROOT / "examples" / "async-config.yaml")
    service_token = example["Resources"]["WorkerAsyncConfig"]["Properties"]["ServiceToken"]
    assert service_token == {"Fn::ImportValue": EXPORT}

    # WHEN the README's upgrade runs with this release in dist/
    new = tmp_path / "new"
    make_release.build(new / "dist")
    readme_commands.run(steps["upgrade"], new, endpoints)
    # THEN every instance's stack runs this release's zip; its ARN and lookups stay
    upgraded = instance_stacks(api, regions)
    assert {region: stack.stack_id for region, stack in upgraded.items()} == {
        region: stack.stack_id for region, stack in created.items()
    }
    for region, stack in upgraded.items():
        assert stack.status == "UPDATE_COMPLETE", stack.events
        assert running(api, region, stack, moto_endpoint) == {
            **before[region],
            "key": f"{PREFIX}{make_release.ZIP_NAME}",
            "code": sha256(new / "dist" / make_release.ZIP_NAME),
            "version": __version__,
        }

    # WHEN the README's removal runs
    readme_commands.run(steps["remove"], new, endpoints)
    # THEN the stack set and its stacks are gone, with their functions and SSM parameters
    assert STACK_SET not in api.stack_sets.stack_sets
    for region, stack in upgraded.items():
        assert stack.status == "DELETE_COMPLETE"
        session = boto3.Session(region_name=region)
        functions = session.client("lambda", endpoint_url=moto_endpoint).list_functions()
        assert before[region]["arn"] not in [f["FunctionArn"] for f in functions["Functions"]]
        ssm = session.client("ssm", endpoint_url=moto_endpoint)
        assert ssm.get_parameters(Names=[SSM_PARAMETER])["Parameters"] == []


def test_every_command_of_the_recipe_is_complete() -> None:
    script = "".join(readme_commands.commands(HEADING))
    commands = [line for line in script.replace("\\\n", " ").splitlines() if "aws " in line]
    given_the_template = [command for command in commands if "--template-body" in command]

    assert "..." not in script
    # the template creates a role: each command that gives it acknowledges that
    assert required_capability(load_yaml_template(make_release.TEMPLATE)) == "CAPABILITY_IAM"
    assert len(given_the_template) == 2
    assert [c for c in given_the_template if "--capabilities CAPABILITY_IAM" not in c] == []
