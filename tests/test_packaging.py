"""The library as another CDK app gets it: a wheel in a clean venv, used outside this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

from event_invoke_config_provider.bundle import provider_files
from tests.support import ROOT, VENV_BIN

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
# What the wheel is built from: the project file, its readme and the two source roots.
SOURCES = ("pyproject.toml", "README.md", "constructs/event_invoke_config", "handler")


def copy_sources(destination: Path) -> Path:
    """The sources the wheel needs, copied out of the repository (setuptools builds in place)."""
    for name in SOURCES:
        source, target = ROOT / name, destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            ignored = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
            shutil.copytree(source, target, ignore=ignored)
        else:
            shutil.copyfile(source, target)
    return destination


def build_wheel(tmp_path: Path) -> Path:
    source, dist = copy_sources(tmp_path / "source"), tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("*.whl")
    return wheel


def asset_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_the_wheel_installs_into_a_clean_venv_and_synthesizes_outside_the_repo(
    tmp_path: Path,
) -> None:
    # GIVEN a wheel built away from the repository, installed into a fresh venv
    absent_before = [name for name in ("build", "dist") if not (ROOT / name).exists()]
    wheel = build_wheel(tmp_path)
    env_dir, app_dir = tmp_path / "venv", tmp_path / "consumer"
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
    # WHEN an app outside the repository uses it
    subprocess.run([str(python), "app.py"], cwd=app_dir, env=environment, check=True)
    # THEN it synthesizes a config with the provider code of this repository
    template = (app_dir / "cdk.out" / "Consumer.template.json").read_text()
    assert "Custom::LambdaEventInvokeConfig" in template
    [asset] = (app_dir / "cdk.out").glob("asset.*")
    assert asset_files(asset) == {
        name: source.read_bytes() for name, source in provider_files().items()
    }
    # and the build left nothing behind in the repository
    assert [name for name in absent_before if (ROOT / name).exists()] == []
