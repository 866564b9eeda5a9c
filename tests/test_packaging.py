"""The library as another CDK app gets it: a wheel in a clean venv, used outside this repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

import make_release
from event_invoke_config_bundle import provider_files
from event_invoke_config_provider.version import __version__
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
# What the wheel is built from: the project file, its readme and licence, its three source roots.
SOURCES = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "constructs/event_invoke_config",
    "handler",
    "release/event_invoke_config_bundle",
)
# A release heading of CHANGELOG.md: "## [0.2.0] - 2026-12-02".
RELEASE_HEADING = re.compile(
    r"^## \[([0-9]+\.[0-9]+\.[0-9]+)\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$", re.M
)


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
        # No bytecode up front (as `make release` installs): Python compiles what the app imports.
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            str(wheel),
        ],
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


def test_the_changelogs_latest_release_is_the_version_under_an_empty_unreleased_heading() -> None:
    """Main is always a release: code that changed since one carries a new version, so no
    artifact of it names an earlier one."""
    changelog = (ROOT / "CHANGELOG.md").read_text()
    unreleased, _, released = changelog.partition("## [Unreleased]")[2].partition("\n## [")

    assert RELEASE_HEADING.findall(changelog)[0] == __version__
    assert unreleased.strip() == "" and released.startswith(f"{__version__}]")


def test_the_release_wheel_carries_the_provider_its_licence_and_the_changelogs_version(
    tmp_path: Path,
) -> None:
    # GIVEN the sdist and wheel `make release` builds (twine check passes, or it raises)
    dist = tmp_path / "dist"
    built = make_release.packages(dist, copy_sources(tmp_path / "source"))
    # THEN both carry this version, the CHANGELOG's latest release
    latest = RELEASE_HEADING.findall((ROOT / "CHANGELOG.md").read_text())[0]
    assert sorted(path.name for path in built) == [
        f"cdk_lambda_event_invoke_config-{latest}-py3-none-any.whl",
        f"cdk_lambda_event_invoke_config-{latest}.tar.gz",
    ]
    [wheel] = [path for path in built if path.suffix == ".whl"]
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"cdk_lambda_event_invoke_config-{latest}.dist-info/METADATA")
        # and the wheel carries the provider asset's handler files, byte for byte
        for name, source in provider_files().items():
            if name.startswith("event_invoke_config_provider/"):
                assert archive.read(name) == source.read_bytes(), name
        # and the bundle's file list, which the construct reads at synth
        assert "event_invoke_config_bundle/__init__.py" in names
    assert f"Version: {latest}" in metadata.decode()
    assert f"cdk_lambda_event_invoke_config-{latest}.dist-info/licenses/LICENSE" in names
