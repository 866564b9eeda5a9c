"""Upgrading a plain-CloudFormation provider stack by the README's own commands, run by the AWS CLI.

What `aws cloudformation deploy` sends on an update (awscli 1.46, requirements-awscli.txt:
customizations/cloudformation/deploy.py `merge_parameters`, deployer.py `create_changeset`):
for each parameter of the new template, the value given in `--parameter-overrides`, else
`UsePreviousValue: true`; then it asks GetTemplateSummary for the stack's current parameters and
drops `UsePreviousValue` for any the stack does not have, which then take their Default. A
parameter only the old template declares is not sent at all. CloudFormation keeps a
`UsePreviousValue` parameter's value ("Parameter", API Reference): so 0.2.x's `CodeS3Key`, whose
Default named the new zip, kept the old one. The tests run the README's commands, with the AWS CLI
from `.venv-awscli/`, against the offline CloudFormation (offline_cloud/cloudformation_api.py) and
moto's S3, on a stack made by a released template, and check what reaches the stack.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import make_release
from event_invoke_config_provider.version import __version__
from offline_cloud.cloudformation_api import CloudFormationApi
from offline_cloud.engine import CloudFormation
from offline_cloud.template import load_yaml_template
from tests import readme_commands
from tests.support import RELEASED

STACK = "LambdaEventInvokeConfig"
REGION = "eu-west-1"  # the README's
BUCKET = f"acme-artifacts-{REGION}"
PREFIX = "lambda-event-invoke-config/"
FIXTURES = Path(__file__).parent / "fixtures"
# The released templates whose code key is the Default of the parameter CodeS3Key. They differ
# only in the version they name (`git diff bcc6d9f 1d8e353 -- release/provider.yaml`).
CODE_KEY_RELEASES = {
    version: FIXTURES / f"v{version.replace('.', '_')}" / "provider.yaml"
    for version in ("0.2.0", "0.2.1")
}
# An earlier release's code, to tell which zip a function runs: 0.2.0's, as it staged it.
OLD_CODE = next(RELEASED["0.2.0"].glob("asset.*"))


def quick_start() -> str:
    """The README's commands for one account and region, without `make release` (the tests
    build dist/ with make_release.build, what `make release` runs before the Python packages)."""
    [block] = readme_commands.commands("## Quick start: plain CloudFormation")
    lines = block.splitlines()
    assert lines[0] == "make release"
    return "\n".join(lines[1:]) + "\n"


@pytest.fixture
def offline(moto_endpoint: str) -> Iterator[tuple[CloudFormationApi, dict[str, str]]]:
    """The offline CloudFormation, its endpoints for the CLI, and the README's bucket."""
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    api = CloudFormationApi(moto_endpoint)
    with api as url:
        yield api, {"cloudformation": url, "s3": moto_endpoint}


def released(folder: Path, version: str) -> Path:
    """A folder whose dist/ holds `version`'s released template and an earlier code zip."""
    template = CODE_KEY_RELEASES[version].read_text()
    return readme_commands.release_folder(folder, template, f"provider-{version}.zip", OLD_CODE)


def this_release(folder: Path) -> Path:
    make_release.build(folder / "dist")
    return folder


def sha256(path: Path) -> str:
    """A zip's CodeSha256, as Lambda reports it."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def deployed(engine: CloudFormation, endpoint: str) -> dict[str, Any]:
    """What the stack runs: its function's code key and CodeSha256, and its Version output."""
    stack = engine.find(STACK)
    assert stack is not None and stack.status.endswith("_COMPLETE"), stack
    function = stack.resources["Function"]
    code = boto3.client("lambda", endpoint_url=endpoint, region_name=REGION).get_function(
        FunctionName=function.physical_id
    )["Configuration"]["CodeSha256"]
    outputs = {output.key: output.value for output in engine.outputs(stack)}
    return {
        "key": function.properties["Code"]["S3Key"],
        "code": code,
        "version": outputs["Version"],
    }


def sent_on_update(api: CloudFormationApi) -> dict[str, str]:
    """The parameters of the last CreateChangeSet: key -> value, or "previous"."""
    [*_, request] = [r for r in api.requests if r["Action"] == "CreateChangeSet"]
    assert request["ChangeSetType"] == "UPDATE"
    return {
        p["ParameterKey"]: "previous"
        if p.get("UsePreviousValue") == "true"
        else p["ParameterValue"]
        for p in request["Parameters"]
    }


def kept(template: Path) -> set[str]:
    """The parameters an update by the README's command keeps (all but its overrides)."""
    declared = set(load_yaml_template(template)["Parameters"])
    return declared - {"CodeS3Bucket", "FunctionNames"}


GIVEN = {"CodeS3Bucket": "acme-artifacts", "FunctionNames": "orders-*,billing-*"}


@pytest.mark.slow
def test_the_readme_upgrade_of_0_2_1s_template_kept_the_old_code(
    offline: tuple[CloudFormationApi, dict[str, str]], tmp_path: Path, moto_endpoint: str
) -> None:
    # GIVEN a stack made by the README's commands from 0.2.0's release
    api, endpoints = offline
    readme_commands.run(quick_start(), released(tmp_path / "old", "0.2.0"), endpoints)
    # WHEN the same commands update it with 0.2.1's
    new = released(tmp_path / "new", "0.2.1")
    readme_commands.run(quick_start(), new, endpoints)
    # THEN the issue, as reported: 0.2.1's template says 0.2.1, the function runs 0.2.0's key,
    # because `deploy` kept CodeS3Key's value
    previous = dict.fromkeys(kept(CODE_KEY_RELEASES["0.2.1"]), "previous")
    assert sent_on_update(api) == {**GIVEN, **previous}
    assert deployed(api.engine(REGION), moto_endpoint)["key"] == f"{PREFIX}provider-0.2.0.zip"
    assert deployed(api.engine(REGION), moto_endpoint)["version"] == "0.2.1"
    assert api.engine(REGION).delete_stack(STACK).status == "DELETE_COMPLETE"


@pytest.mark.slow
@pytest.mark.parametrize("previous", [v for v in CODE_KEY_RELEASES if v != __version__])
def test_the_readme_upgrade_runs_the_new_zip(
    offline: tuple[CloudFormationApi, dict[str, str]],
    tmp_path: Path,
    moto_endpoint: str,
    previous: str,
) -> None:
    # GIVEN a stack made by the README's commands from a release whose Default named its zip
    api, endpoints = offline
    old = released(tmp_path / "old", previous)
    readme_commands.run(quick_start(), old, endpoints)
    before = deployed(api.engine(REGION), moto_endpoint)
    assert before == {
        "key": f"{PREFIX}provider-{previous}.zip",
        "code": sha256(old / "dist" / f"provider-{previous}.zip"),
        "version": previous,
    }
    # WHEN the README's commands run again with this release in dist/
    new = this_release(tmp_path / "new")
    readme_commands.run(quick_start(), new, endpoints)
    # THEN `deploy` sent the overrides and kept the rest; the parameters new since the old
    # release (CodeS3Prefix, AllowAdoption...) take their Default, and the old CodeS3Key is not
    # sent
    declared_before = set(load_yaml_template(CODE_KEY_RELEASES[previous])["Parameters"])
    expected = dict.fromkeys(kept(make_release.TEMPLATE) & declared_before, "previous")
    assert "CodeS3Prefix" not in expected and "AllowAdoption" not in expected
    assert sent_on_update(api) == {**GIVEN, **expected}
    # and the stack runs this release's zip, under the key its template names
    assert deployed(api.engine(REGION), moto_endpoint) == {
        "key": f"{PREFIX}{make_release.ZIP_NAME}",
        "code": sha256(new / "dist" / make_release.ZIP_NAME),
        "version": __version__,
    }
    assert api.engine(REGION).delete_stack(STACK).status == "DELETE_COMPLETE"


def test_0_2_0s_template_is_0_2_1s_with_its_version_filled_in() -> None:
    # so the two upgrades test one template text: the Default names the zip, deploy keeps it
    texts = {version: path.read_text() for version, path in CODE_KEY_RELEASES.items()}

    assert make_release.template_versions(texts["0.2.1"]) == {"0.2.1"}
    assert texts["0.2.1"].replace("0.2.1", "0.2.0") == texts["0.2.0"]


def test_the_changelog_upgrade_is_the_readme_commands_that_the_test_runs() -> None:
    # The latest release's upgrade notes (the first "Upgrading from" heading): earlier ones stay
    # as they were released.
    changelog = readme_commands.README.parent / "CHANGELOG.md"
    [heading] = re.findall(r"^### Upgrading from .*$", changelog.read_text(), re.M)[:1]
    [block] = readme_commands.commands(heading, changelog)

    assert block == quick_start()
