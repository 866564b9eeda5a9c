"""The app through the real CDK CLI, cfn-lint on every template, and a reproducible asset."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from unittest import mock

import aws_cdk as cdk
import constructs
import pytest

from event_invoke_config import LambdaEventInvokeConfig
from event_invoke_config.allow_list import CONTEXT_KEY
from event_invoke_config.asset import HANDLER
from event_invoke_config.grants import CONFIG_ACTIONS
from event_invoke_config_bundle import LICENSES, provider_files
from scripts import integ
from tests.cfn_lint import assert_lint_clean
from tests.support import ROOT, cdk_cli

pytestmark = pytest.mark.slow


def templates(cdk_out: Path) -> list[Path]:
    return sorted(cdk_out.glob("*.template.json"))


def test_the_cli_synthesizes_both_stacks(cdk_out: Path) -> None:
    assert [t.name for t in templates(cdk_out)] == [
        "EventInvokeConfigDemo.template.json",
        "EventInvokeConfigProvider.template.json",
    ]


def test_cfn_lint_finds_nothing_in_any_template(cdk_out: Path) -> None:
    assert_lint_clean(templates(cdk_out))


def test_the_provider_asset_holds_the_handler_crhelper_and_their_licences_only(
    cdk_out: Path,
) -> None:
    template = json.loads((cdk_out / "EventInvokeConfigDemo.template.json").read_text())
    [provider] = [
        r
        for r in template["Resources"].values()
        if r.get("Properties", {}).get("Handler") == HANDLER
    ]
    asset = cdk_out / provider["Metadata"]["aws:asset:path"]

    files = sorted(str(p.relative_to(asset)) for p in asset.rglob("*") if p.is_file())

    assert {f.split("/")[0] for f in files} == {
        "crhelper",
        "event_invoke_config_provider",
        LICENSES,
    }
    assert {f for f in files if f.startswith(LICENSES)} == {
        f"{LICENSES}/crhelper/LICENSE",
        f"{LICENSES}/crhelper/NOTICE",
        f"{LICENSES}/cdk-lambda-event-invoke-config/LICENSE",
    }
    assert files == sorted(provider_files()), "exactly the files event_invoke_config_bundle lists"


def test_without_asset_staging_the_recorded_code_folder_outlives_the_synth(tmp_path: Path) -> None:
    # GIVEN `cdk synth --no-staging`, as SAM local runs it: CDK records the source folder itself
    out = tmp_path / "cdk.out"
    subprocess.run(
        [*cdk_cli(), "synth", "--quiet", "--no-staging", "--output", str(out), "--all"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "CDK_DISABLE_VERSION_CHECK": "true", "CDK_DISABLE_CLI_TELEMETRY": "1"},
    )
    # WHEN the synth's process has ended
    template = json.loads((out / "EventInvokeConfigDemo.template.json").read_text())
    [provider] = [
        r
        for r in template["Resources"].values()
        if r.get("Properties", {}).get("Handler") == HANDLER
    ]
    recorded = Path(provider["Metadata"]["aws:asset:path"])
    # THEN the folder it names still holds the provider's code, inside the assembly
    assert recorded.is_absolute() and recorded.is_relative_to(out), recorded
    assert {
        path.relative_to(recorded).as_posix(): path.read_bytes()
        for path in recorded.rglob("*")
        if path.is_file()
    } == {name: source.read_bytes() for name, source in provider_files().items()}


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


def test_make_integ_without_credentials_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `make integ` runs this main(): in process, the app's imports are already paid for
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    with mock.patch("subprocess.run") as run:
        code = integ.main()

    assert code == 0
    assert "No AWS credentials in the environment" in capsys.readouterr().out
    run.assert_not_called()


def synth_provider_stack(names: str, out: Path) -> subprocess.CompletedProcess[str]:
    """`cdk synth EventInvokeConfigProvider -c eventInvokeConfigProvider:functionNames=...`."""
    return subprocess.run(
        [*cdk_cli(), "synth", "EventInvokeConfigProvider", "--quiet", "--output", str(out),
         "-c", f"{CONTEXT_KEY}={names}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CDK_DISABLE_VERSION_CHECK": "true",
             "CDK_DISABLE_CLI_TELEMETRY": "true"},
    )  # fmt: skip


def granted_function_names(out: Path) -> list[str]:
    template = json.loads((out / "EventInvokeConfigProvider.template.json").read_text())
    [policy] = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    [statement] = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if sorted(s["Action"]) == sorted(CONFIG_ACTIONS)
    ]
    resources = statement["Resource"]
    arns = resources if isinstance(resources, list) else [resources]
    return [arn["Fn::Join"][1][-1].split(":function:")[1] for arn in arns]


def test_the_cli_takes_the_allow_list_from_the_command_line(tmp_path: Path) -> None:
    # a JSON list, quotes and all, reaches the app as given; every other form, and the app's
    # reading of each, tests/test_allow_list.py (in process)
    run = synth_provider_stack('["a-*","b"]', tmp_path)

    assert run.returncode == 0, run.stderr
    assert granted_function_names(tmp_path) == ["a-*", "b", "b:*"]


def test_the_cli_refuses_an_allow_list_that_grants_any_function(tmp_path: Path) -> None:
    run = synth_provider_stack("*", tmp_path)

    assert run.returncode != 0
    assert f"Error: {CONTEXT_KEY}: entry 1 ('*') starts with a wildcard" in run.stderr
    assert "Traceback" not in run.stderr
    assert "AwsSolutions" not in run.stderr
