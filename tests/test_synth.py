"""The app through the real CDK CLI, cfn-lint on every template, and a reproducible asset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import constructs
import pytest

from event_invoke_config import LambdaEventInvokeConfig
from event_invoke_config.asset import HANDLER
from tests.conftest import ROOT, which

pytestmark = pytest.mark.slow


def templates(cdk_out: Path) -> list[Path]:
    return sorted(cdk_out.glob("*.template.json"))


def test_the_cli_synthesizes_both_stacks(cdk_out: Path) -> None:
    assert [t.name for t in templates(cdk_out)] == [
        "EventInvokeConfigDemo.template.json",
        "EventInvokeConfigProvider.template.json",
    ]


def test_cfn_lint_passes_every_template(cdk_out: Path) -> None:
    lint = subprocess.run(
        [which("cfn-lint"), *map(str, templates(cdk_out))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_provider_asset_holds_the_handler_and_crhelper_only(cdk_out: Path) -> None:
    template = json.loads((cdk_out / "EventInvokeConfigDemo.template.json").read_text())
    [provider] = [
        r
        for r in template["Resources"].values()
        if r.get("Properties", {}).get("Handler") == HANDLER
    ]
    asset = cdk_out / provider["Metadata"]["aws:asset:path"]

    files = sorted(str(p.relative_to(asset)) for p in asset.rglob("*") if p.is_file())

    assert {f.split("/")[0] for f in files} == {"crhelper", "event_invoke_config_provider"}
    assert all(f.endswith(".py") for f in files), files


def provider_code_key(construct_id: str) -> str:
    app = cdk.App()
    stack = cdk.Stack(app, construct_id)
    LambdaEventInvokeConfig(stack, "Async", function="orders")
    template = app.synth().get_stack_by_name(construct_id).template
    [provider] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    key: str = provider["Properties"]["Code"]["S3Key"]
    return key


def test_the_asset_hash_is_the_same_on_every_synth() -> None:
    assert provider_code_key("One") == provider_code_key("Two")


def test_the_local_constructs_folder_never_shadows_the_pypi_package() -> None:
    assert "site-packages" in str(constructs.__file__)
    assert not (ROOT / "constructs" / "__init__.py").exists()


def test_make_integ_without_credentials_says_so_and_changes_nothing(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true")

    run = subprocess.run(
        [sys.executable, "-m", "devtools.integ"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    assert "No AWS credentials in the environment" in run.stdout
    assert "$ cdk" not in run.stdout
