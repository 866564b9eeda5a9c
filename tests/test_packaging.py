"""The library as another CDK app gets it: a wheel in a clean venv, used outside this repository."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT, VENV_BIN
from tests.test_synth import provider_code_key

pytestmark = pytest.mark.slow

OUTSIDE_APP = textwrap.dedent(
    """
    import aws_cdk as cdk
    from event_invoke_config import LambdaEventInvokeConfig

    app = cdk.App(outdir="cdk.out")
    stack = cdk.Stack(app, "Consumer")
    LambdaEventInvokeConfig(stack, "Async", function="orders", retry_attempts=0)
    app.synth()
    """
)


def test_the_wheel_installs_into_a_clean_venv_and_synthesizes_outside_the_repo(
    tmp_path: Path,
) -> None:
    dist, env_dir, app_dir = tmp_path / "dist", tmp_path / "venv", tmp_path / "consumer"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("*.whl")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    app_dir.mkdir()
    (app_dir / "app.py").write_text(OUTSIDE_APP)

    environment = {**os.environ, "JSII_NODE": str(VENV_BIN / "node"), "PYTHONNOUSERSITE": "1"}
    environment.pop("PYTHONPATH", None)
    subprocess.run([str(python), "app.py"], cwd=app_dir, env=environment, check=True)

    template = (app_dir / "cdk.out" / "Consumer.template.json").read_text()
    assert "Custom::LambdaEventInvokeConfig" in template
    [asset] = (app_dir / "cdk.out").glob("asset.*")
    assert (asset / "event_invoke_config_provider" / "index.py").is_file()
    assert (asset / "crhelper" / "resource_helper.py").is_file()
    assert asset.name.removeprefix("asset.") + ".zip" == provider_code_key("Same"), (
        "the installed package stages the very same provider code as the repository"
    )
