"""The library as another CDK app gets it: a wheel in a clean venv, used outside this repository."""

from __future__ import annotations

import re
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest

import make_release
from event_invoke_config_bundle import provider_files
from event_invoke_config_provider.version import __version__
from tests.support import ROOT
from tests.venvs import build_wheel, copy_sources, new_venv, outside_environment

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
# A release heading of CHANGELOG.md: "## [0.2.0] - 2026-12-02".
RELEASE_HEADING = re.compile(
    r"^## \[([0-9]+\.[0-9]+\.[0-9]+)\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$", re.M
)


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
    python, pip = new_venv(tmp_path / "venv", str(build_wheel(tmp_path)))
    assert pip.returncode == 0, pip.stderr
    app_dir = tmp_path / "consumer"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(OUTSIDE_APP)
    # WHEN an app outside the repository uses it
    subprocess.run([str(python), "app.py"], cwd=app_dir, env=outside_environment(), check=True)
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
