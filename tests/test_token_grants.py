"""A grant on a function known only at deploy time stays the same as other configs come and go.

`cdk diff` prints a resource taken apart by `Fn::Select`/`Fn::Split` as escaped JSON; such a
grant has a statement of its own, so adding or removing another config leaves it as it was and
the diff's IAM table does not show it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from event_invoke_config import RESOURCE_TYPE, iam_limits
from event_invoke_config.grants import CONFIG_ACTIONS, ConfigGrants, GrantCapacityError
from event_invoke_config.target import resolve_target
from tests.support import ROOT, cdk_cli

IMPORTED = "worker-function"


def single_bucket(stack: cdk.Stack) -> ConfigGrants:
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    return ConfigGrants(
        stack, "Grants", role=role, service_token="provider", service_timeout=300, buckets=1
    )


def grant(stack: cdk.Stack, grants: ConfigGrants, construct_id: str, function: str) -> None:
    """Grant a config on `function` what the construct grants it."""
    config = cdk.CfnResource(stack, construct_id, type=RESOURCE_TYPE)
    grants.grant(config, resolve_target(stack, function, None).grant_arns)


def statements(literal_configs: int) -> list[Any]:
    """The bucket's statements with a config on an import and `literal_configs` by name."""
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = single_bucket(stack)
    grant(stack, grants, "Imported", cdk.Fn.import_value(IMPORTED))
    for index in range(literal_configs):
        grant(stack, grants, f"Config{index}", f"orders-{index}")
    [policy] = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    found: list[Any] = policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def imported_statements(found: list[Any]) -> list[Any]:
    return [statement for statement in found if IMPORTED in json.dumps(statement)]


def test_adding_a_config_leaves_the_token_grants_statement_as_it_was() -> None:
    # GIVEN a bucket granting an imported function and two names, then one name more
    before, after = statements(2), statements(3)
    # THEN the import has the same statement of its own in both; the names share one
    assert imported_statements(before) == imported_statements(after)
    [imported] = imported_statements(after)
    assert imported["Action"] == list(CONFIG_ACTIONS) and len(imported["Resource"]) == 1
    assert [len(s["Resource"]) for s in after if s != imported] == [3]


def test_a_bucket_of_token_grants_stays_within_iams_limit() -> None:
    # GIVEN one bucket, filled with configs on imports until it refuses one
    stack = cdk.Stack(cdk.App(), "Grants")
    grants = single_bucket(stack)
    with pytest.raises(GrantCapacityError):
        for index in range(100):
            grant(stack, grants, f"Config{index}", cdk.Fn.import_value(f"function-{index}"))
    # THEN what it holds fits once deployed, and nearly fills it
    [policy] = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    document = policy["Properties"]["PolicyDocument"]
    length = iam_limits.policy_length(document, {})
    assert len(document["Statement"]) == index
    assert iam_limits.MANAGED_POLICY_MAX_CHARS - 400 < length <= iam_limits.MANAGED_POLICY_MAX_CHARS


APP = """
import os
import aws_cdk as cdk
from event_invoke_config import LambdaEventInvokeConfig

app = cdk.App()
stack = cdk.Stack(app, "Diff")
LambdaEventInvokeConfig(stack, "Imported", function=cdk.Fn.import_value("fn-arn"))
for index in range(int(os.environ["CONFIGS"])):
    LambdaEventInvokeConfig(stack, f"Config{index}", function=f"async-fn-{index}")
app.synth()
"""


def run_cdk(folder: Path, configs: int, *arguments: str) -> str:
    paths = ["constructs", "handler", "release", "."]
    env = {
        **os.environ,
        "CONFIGS": str(configs),
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
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and "fn-arn" in json.dumps(resource)
    ]
    return policy


@pytest.mark.slow
def test_cdk_diff_does_not_show_a_token_grant_again_when_a_config_is_added(
    tmp_path: Path,
) -> None:
    # GIVEN a deployed template with a config on an import and twelve by name
    (tmp_path / "app.py").write_text(APP)
    run_cdk(tmp_path, 12, "synth", "--quiet")
    old = tmp_path / "old.json"
    old.write_text((tmp_path / "cdk.out" / "Diff.template.json").read_text())
    # WHEN a thirteenth config, granted in the import's bucket, is added
    diff = run_cdk(tmp_path, 13, "diff", "--template", str(old), "Diff")
    new = json.loads((tmp_path / "cdk.out" / "Diff.template.json").read_text())
    assert "async-fn-12" in bucket_of_import(new), "the added config shares the import's bucket"
    # THEN the diff's IAM table shows the new grant, and the import's grant not at all
    iam_table = unwrapped(diff.split("IAM Statement Changes")[1].split("Resources")[0])
    assert "function:async-fn-12" in iam_table
    assert "fn-arn" not in iam_table and '\\"' not in iam_table
