"""One hash names the provider's code in the template, in `make release` and in `make demo`."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

import make_release
from event_invoke_config import EventInvokeConfigProvider
from event_invoke_config_bundle import asset_hash, provider_contents
from offline_cloud.deployment import provider_asset

pytestmark = pytest.mark.slow  # runs subprocesses (the fast tier runs none)


def test_the_template_the_release_and_the_staged_folder_name_one_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a synthesized provider and a release of the same code
    app = cdk.App(outdir=str(tmp_path / "cdk.out"), context={"aws:cdk:enable-asset-metadata": True})
    EventInvokeConfigProvider.of(cdk.Stack(app, "Provider"))
    assembly = app.synth()
    template = assembly.get_stack_by_name("Provider").template
    make_release.main([str(tmp_path / "dist")])
    # WHEN each names the code
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    in_template = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    staged = provider_asset(Path(assembly.directory), template).code_dir.name
    printed = capsys.readouterr().out
    # THEN it is one hash: the template's, the demo's staged folder, the release's line
    assert in_template == asset_hash(provider_contents())
    assert staged == f"asset.{in_template}"
    assert f"asset hash {in_template[:16]}" in printed
    zipped = make_release.zip_contents(tmp_path / "dist" / make_release.ZIP_NAME)
    assert asset_hash(zipped) == in_template, "the zip holds the code the template names"
    manifest = json.loads((Path(assembly.directory) / "Provider.assets.json").read_text())
    assert in_template in manifest["files"]
