"""A grant on a function known only at deploy time: one readable line in `cdk diff`, which
stays the same as other configs come and go.

Such a grant takes the function's name out of a name-or-ARN with `Fn::Select`/`Fn::Split`, which
the CLI prints as escaped JSON. The grant digest echoes that name (`Names`) and the grant's ARN
reads it back (`Fn::GetAtt`), which the CLI prints as `${Digest.NameOf...}`; names past what
one digest's answer holds go to further digests. Each such grant has a statement of its own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from event_invoke_config import RESOURCE_TYPE, iam_limits
from event_invoke_config.deploy_time_names import DeployTimeNames, prints_as_one_line
from event_invoke_config.grants import CONFIG_ACTIONS, ConfigGrants, GrantCapacityError
from event_invoke_config.target import resolve_target
from event_invoke_config_provider.cloudformation import MAX_RESPONSE_BODY
from event_invoke_config_provider.grant_digest import (
    BUCKETS,
    GRANT_DIGEST_TYPE,
    NAME_MAX_CHARS,
    NAMES,
    names,
)
from offline_cloud.template import Resolver, no_lookup
from tests.support import ROOT, Stubs, answer, cdk_cli, event

IMPORTED = "worker-function"
LONGEST_STACK_ID = (
    "arn:aws-iso-b:cloudformation:us-isob-east-1:123456789012:stack/"
    + "s" * 128
    + "/6d0c1a10-0000-0000-0000-000000000000"
)


def grants_in(stack: cdk.Stack, buckets: int = 1) -> ConfigGrants:
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    return ConfigGrants(
        stack, "Grants", role=role, service_token="provider", service_timeout=300, buckets=buckets
    )


def grant(stack: cdk.Stack, grants: ConfigGrants, construct_id: str, function: str) -> None:
    """Grant a config on `function` what the construct grants it."""
    config = cdk.CfnResource(stack, construct_id, type=RESOURCE_TYPE)
    grants.grant(config, resolve_target(stack, function, None).grant_arns)


def statements(literal_configs: int) -> list[Any]:
    """The bucket's statements with a config on an import and `literal_configs` by name."""
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = grants_in(stack)
    grant(stack, grants, "Imported", cdk.Fn.import_value(IMPORTED))
    for index in range(literal_configs):
        grant(stack, grants, f"Config{index}", f"orders-{index}")
    [policy] = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    found: list[Any] = policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def digest_reads(resource: Any) -> list[Any]:
    """The `Fn::GetAtt`s of the grant digest in a resource's ARN."""
    parts = resource["Fn::Join"][1] if isinstance(resource, dict) else []
    return [part["Fn::GetAtt"] for part in parts if isinstance(part, dict) and "Fn::GetAtt" in part]


def test_a_token_grant_reads_the_name_the_digest_echoes() -> None:
    # GIVEN a config on an import, which may hold a name or an ARN
    stack = cdk.Stack(cdk.App(), "Grants")
    grant(stack, grants_in(stack), "Imported", cdk.Fn.import_value(IMPORTED))
    # WHEN
    template = Template.from_stack(stack).to_json()["Resources"]
    # THEN its grant prints as one line, and reads one attribute of the digest, named after the
    # import, which echoes the function's name whether the import holds a name or an ARN
    [policy] = [r for r in template.values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    [digest_id] = [k for k, r in template.items() if r["Type"] == GRANT_DIGEST_TYPE]
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    [resource] = statement["Resource"]
    assert prints_as_one_line(resource)
    [(source, attribute)] = digest_reads(resource)
    assert source == digest_id and attribute.startswith("NameOfWorkerFunction")
    echoed = template[digest_id]["Properties"][NAMES]
    for imported in ("orders", "arn:aws:lambda:us-east-1:123456789012:function:orders"):
        resolve = Resolver("s", "id", {"Resources": template}, no_lookup, {IMPORTED: imported})
        assert names({NAMES: resolve(echoed)}) == {attribute: "orders"}


def test_each_name_is_read_from_an_attribute_named_after_what_it_reads() -> None:
    # GIVEN configs on a parameter, an import, and another parameter whose label is the import's
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = grants_in(stack)
    grant(stack, grants, "Parameter", cdk.CfnParameter(stack, "Worker").value_as_string)
    grant(stack, grants, "Import", cdk.Fn.import_value("fn-arn"))
    grant(stack, grants, "Clash", cdk.CfnParameter(stack, "FnArn").value_as_string)
    # WHEN
    [digest] = Template.from_stack(stack).find_resources(GRANT_DIGEST_TYPE).values()
    # THEN the first two are named after what they read; the clash keeps a name of its own
    worker, import_, clash = digest["Properties"][NAMES]
    assert (worker, import_) == ("NameOfWorker", "NameOfFnArn")
    assert re.fullmatch(r"NameOfFnArnHash[0-9A-F]{6}", clash)


SELECTED = {"Fn::Select": [1, {"Fn::Split": [":", {"Ref": "Worker"}]}]}


@pytest.mark.parametrize(
    "arn",
    [
        SELECTED,
        {"Fn::Join": ["", ["arn:aws:lambda:", SELECTED, ":function:orders"]]},
        {"Fn::Join": ["", ["arn:aws:lambda:x:1:function:", SELECTED, ":", SELECTED]]},
        {"Fn::Join": [":", ["arn:aws:lambda:x:1:function", SELECTED]]},
    ],
    ids=["not a join", "not the name", "two parts", "a separator"],
)
def test_only_a_functions_name_is_read_from_the_digest(arn: Any) -> None:
    stack = cdk.Stack(cdk.App(), "Grants")
    digest = cdk.CfnResource(stack, "Digest", type=GRANT_DIGEST_TYPE)
    names_ = DeployTimeNames(digest, {}, lambda n: cdk.CfnResource(stack, f"More{n}", type="X"))
    assert names_.read_from_digest(arn) is None and names_.expressions == {}
    named = {"Fn::Join": ["", ["arn:aws:lambda:x:1:function:", SELECTED, ":live"]]}
    shown, longest = names_.read_from_digest(named) or ({}, {})
    attribute = {"Fn::GetAtt": ["Digest", "NameOfWorker"]}
    assert shown == {"Fn::Join": ["", ["arn:aws:lambda:x:1:function:", attribute, ":live"]]}
    assert longest == {"Digest.NameOfWorker": NAME_MAX_CHARS}
    assert names_.expressions == {"NameOfWorker": SELECTED}


def test_adding_a_config_leaves_the_token_grants_statement_as_it_was() -> None:
    # GIVEN a bucket granting an imported function and two names, then one name more
    before, after = statements(2), statements(3)
    # THEN the import has the same statement of its own in both; the names share one
    read_before = [s for s in before if any(map(digest_reads, s["Resource"]))]
    read_after = [s for s in after if any(map(digest_reads, s["Resource"]))]
    assert read_before == read_after
    [imported] = read_after
    assert imported["Action"] == list(CONFIG_ACTIONS) and len(imported["Resource"]) == 1
    assert [len(s["Resource"]) for s in after if s != imported] == [3]


def test_names_past_one_digests_answer_go_to_another_and_every_answer_fits(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    # GIVEN configs on 30 imports, over five buckets
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = grants_in(stack, buckets=5)
    for index in range(30):
        grant(stack, grants, f"Config{index}", cdk.Fn.import_value(f"function-{index}"))
    template = Template.from_stack(stack).to_json()["Resources"]
    # THEN every grant reads its name from a digest, in a statement of its own
    policies = [r for r in template.values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    documents = [policy["Properties"]["PolicyDocument"] for policy in policies]
    found = [statement["Resource"] for d in documents for statement in d["Statement"]]
    assert len(found) == 30 and all(len(resources) == 1 for resources in found)
    assert all(prints_as_one_line(r) and digest_reads(r) for [r] in found)
    # AND the names are spread over three digests; each answers within CloudFormation's 4096
    # bytes with every name at its longest (and the first, every bucket's digest besides)
    digests = {k: r["Properties"] for k, r in template.items() if r["Type"] == GRANT_DIGEST_TYPE}
    assert len(digests) == 3
    assert sum(len(properties[NAMES]) for properties in digests.values()) == 30
    for digest_id, properties in digests.items():
        longest: dict[str, dict[str, Any]] = {
            BUCKETS: {bucket: [f"arn-{bucket}"] for bucket in properties.get(BUCKETS, {})},
            NAMES: {attribute: "f" * 64 + ":" + "a" * 128 for attribute in properties[NAMES]},
        }
        responses.clear()
        sent = answer(
            event(
                ResourceType=GRANT_DIGEST_TYPE,
                LogicalResourceId=digest_id,
                StackId=LONGEST_STACK_ID,
                ResourceProperties=longest,
            ),
            responses,
        )
        assert sent["Status"] == "SUCCESS" and set(longest[NAMES]) <= set(sent["Data"])
        assert len(json.dumps(sent).encode()) <= MAX_RESPONSE_BODY
    assert len("f" * 64 + ":" + "a" * 128) == NAME_MAX_CHARS


def test_a_bucket_of_token_grants_stays_within_iams_limit() -> None:
    # GIVEN one bucket, filled with configs on imports until it refuses one
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = grants_in(stack)
    with pytest.raises(GrantCapacityError):
        for index in range(100):
            grant(stack, grants, f"Config{index}", cdk.Fn.import_value(f"function-{index}"))
    # THEN what it holds fits once deployed (each name the digest echoes at its longest), and
    # nearly fills it
    template = Template.from_stack(stack)
    [policy] = template.find_resources("AWS::IAM::ManagedPolicy").values()
    echoed = {
        f"{digest_id}.{name}": NAME_MAX_CHARS
        for digest_id, digest in template.find_resources(GRANT_DIGEST_TYPE).items()
        for name in digest["Properties"][NAMES]
    }
    document = policy["Properties"]["PolicyDocument"]
    length = iam_limits.policy_length(document, echoed)
    assert sum(len(statement["Resource"]) for statement in document["Statement"]) == index
    assert iam_limits.MANAGED_POLICY_MAX_CHARS - 400 < length <= iam_limits.MANAGED_POLICY_MAX_CHARS


APP = """
import os
import aws_cdk as cdk
from event_invoke_config import LambdaEventInvokeConfig

app = cdk.App()
stack = cdk.Stack(app, "Diff")
if os.environ["IMPORTED"] == "yes":
    LambdaEventInvokeConfig(stack, "Imported", function=cdk.Fn.import_value("fn-arn"))
for index in range(int(os.environ["CONFIGS"])):
    LambdaEventInvokeConfig(stack, f"Config{index}", function=f"async-fn-{index}")
app.synth()
"""


def run_cdk(folder: Path, configs: int, *arguments: str, imported: bool = True) -> str:
    paths = ["constructs", "handler", "release", "."]
    env = {
        **os.environ,
        "CONFIGS": str(configs),
        "IMPORTED": "yes" if imported else "no",
        "PYTHONPATH": os.pathsep.join(str(ROOT / path) for path in paths),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CDK_DISABLE_VERSION_CHECK": "true",
        "CDK_DISABLE_CLI_TELEMETRY": "1",
    }
    command = [*cdk_cli(), *arguments, "--no-notices", "--app", f"{sys.executable} app.py"]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def unwrapped(table: str) -> str:
    """The CLI's table with each cell's wrapped lines joined (its width follows the terminal)."""
    rows: list[list[str]] = []
    for line in table.splitlines():
        if line.startswith(("├", "┌", "└")) or not rows:
            rows.append([])
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            joined = [a + b for a, b in zip(rows[-1], cells, strict=True)] if rows[-1] else cells
            rows[-1] = joined
    return "\n".join(" | ".join(row) for row in rows if row)


def bucket_of_import(template: dict[str, Any]) -> str:
    [policy] = [
        json.dumps(resource)
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and "NameOfFnArn" in json.dumps(resource)
    ]
    return policy


def deployed(folder: Path, configs: int, *, imported: bool = True) -> Path:
    """The template of the app, run in this process (the CLI runs the changed one), kept as the
    deployed one."""
    variables = {"CONFIGS": str(configs), "IMPORTED": "yes" if imported else "no"}
    namespace: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in variables.items():
            patch.setenv(name, value)
        patch.chdir(folder)
        exec(APP, namespace)  # the test's own app, as the CLI runs it
    old = folder / "old.json"
    old.write_text(json.dumps(namespace["app"].synth().get_stack_by_name("Diff").template))
    return old


@pytest.mark.slow
def test_cdk_diff_shows_a_token_grant_as_one_readable_line(tmp_path: Path) -> None:
    # GIVEN a deployed template with twelve configs by name
    (tmp_path / "app.py").write_text(APP)
    old = deployed(tmp_path, 12, imported=False)
    # WHEN a config on an import is added
    diff = run_cdk(tmp_path, 12, "diff", "--template", str(old), "Diff")
    # THEN the IAM table shows its grant on one line that reads the digest's echo of the name
    iam_table = unwrapped(diff.split("IAM Statement Changes")[1].split("Resources")[0])
    [line] = [row for row in iam_table.splitlines() if "NameOfFnArn" in row]
    assert ":function:${EventInvokeConfigProviderGrantsDigest" in line
    assert "Fn::" not in iam_table and '\\"' not in iam_table


@pytest.mark.slow
def test_cdk_diff_does_not_show_a_token_grant_again_when_a_config_is_added(
    tmp_path: Path,
) -> None:
    # GIVEN a deployed template with a config on an import and twelve by name
    (tmp_path / "app.py").write_text(APP)
    old = deployed(tmp_path, 12)
    # WHEN a thirteenth config, granted in the import's bucket, is added
    diff = run_cdk(tmp_path, 13, "diff", "--template", str(old), "Diff")
    new = json.loads((tmp_path / "cdk.out" / "Diff.template.json").read_text())
    assert "async-fn-12" in bucket_of_import(new), "the added config shares the import's bucket"
    # THEN the diff's IAM table shows the new grant, and the import's grant not at all
    iam_table = unwrapped(diff.split("IAM Statement Changes")[1].split("Resources")[0])
    assert "function:async-fn-12" in iam_table
    assert "NameOfFnArn" not in iam_table and '\\"' not in iam_table
