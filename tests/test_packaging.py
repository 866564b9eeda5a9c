"""The library as another CDK app gets it: a wheel in a clean venv, used outside this repository."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
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
DISTRIBUTION = "cdk_lambda_event_invoke_config"
# The folders of the three packages the wheel installs (pyproject.toml's package-dir).
PACKAGE_FOLDERS = (
    "constructs/event_invoke_config",
    "handler/event_invoke_config_provider",
    "release/event_invoke_config_bundle",
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


def release_copy(folder: Path) -> Path:
    """The sources and `make release`'s own files, copied out of the repository into `folder`."""
    source = copy_sources(folder)
    for name in ("make_release.py", "provider.yaml"):
        shutil.copyfile(ROOT / "release" / name, source / "release" / name)
    shutil.copytree(ROOT / "release" / "cfnlint_rules", source / "release" / "cfnlint_rules")
    return source


def run_make_release(source: Path, dist: Path, epoch: int) -> subprocess.CompletedProcess[str]:
    """`make release`'s command, run on a copy of the sources for `epoch`."""
    return subprocess.run(
        [sys.executable, str(source / "release" / "make_release.py"), str(dist)],
        cwd=source,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """dist/ as `make release` writes it, for the repository's last commit time, and what it
    printed."""
    folder = tmp_path_factory.mktemp("release")
    dist = folder / "dist"
    run = run_make_release(release_copy(folder / "source"), dist, make_release.source_date_epoch())
    assert run.returncode == 0, run.stdout + run.stderr
    return dist, run.stdout


def test_make_release_prints_a_summary_of_what_it_built_and_logs_the_rest(
    released: tuple[Path, str],
) -> None:
    dist, printed = released
    lines = printed.splitlines()
    # a line or two per file, whose sha256 is the file's own
    built = sorted(path.name for path in dist.iterdir() if path.suffix in {".zip", ".whl", ".gz"})
    for name in built:
        [where] = [i for i, line in enumerate(lines) if line.strip().startswith(f"{name}:")]
        assert f"sha256 {make_release.sha256(dist / name)}" in lines[where + 1]
    assert len(lines) < 20
    # and the tools' output, which it does not print, in the log it names
    assert lines[-1] == f"The build's full output: {dist / make_release.LOG_NAME}"
    log = (dist / make_release.LOG_NAME).read_text()
    assert "running sdist" in log and "PASSED" in log
    assert "running sdist" not in printed


def test_a_failed_build_fails_and_prints_the_logs_tail(tmp_path: Path) -> None:
    # GIVEN sources whose project file setuptools refuses
    source = release_copy(tmp_path / "source")
    with (source / "pyproject.toml").open("a") as project:
        project.write('\n[tool.setuptools.package-data]\nnot_a_package = "not a list"\n')
    # WHEN `make release` runs
    run = run_make_release(source, tmp_path / "dist", make_release.source_date_epoch())
    # THEN it fails, with setuptools' error and where the whole log is
    log = (tmp_path / "dist" / make_release.LOG_NAME).read_text()
    assert run.returncode != 0
    assert run.stderr.splitlines()[-1].startswith("make release failed: `")
    assert f"lines of {tmp_path / 'dist' / make_release.LOG_NAME} are above" in run.stderr
    assert log.splitlines()[-1] in run.stderr


def sdist_members(path: Path) -> dict[str, tarfile.TarInfo]:
    """The sdist's members, by path below its top folder."""
    with tarfile.open(path) as archive:
        return {m.name.partition("/")[2]: m for m in archive.getmembers() if m.isfile()}


def test_the_sdist_holds_the_packages_sources_and_no_tests(released: tuple[Path, str]) -> None:
    dist, _printed = released
    [sdist] = dist.glob("*.tar.gz")
    names = set(sdist_members(sdist))
    sources = {
        path.relative_to(ROOT).as_posix()
        for folder in PACKAGE_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    metadata = {name for name in names if name.startswith(f"{DISTRIBUTION}.egg-info/")}

    assert names - sources - metadata == {
        "PKG-INFO", "setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE"
    }  # fmt: skip
    assert sources <= names
    assert [name for name in names if name.startswith("tests/")] == []


def test_wheel_and_sdist_are_byte_reproducible(
    released: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a second copy of the sources, its files newer and group-writable
    source = copy_sources(tmp_path / "source")
    later = make_release.source_date_epoch() + 86_400
    for path in source.rglob("*"):
        os.utime(path, (later, later))
        path.chmod(path.stat().st_mode | stat.S_IWGRP)
    # WHEN its packages are built, SOURCE_DATE_EPOCH left to its default
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again = make_release.packages(tmp_path / "dist", source)
    # THEN they are `make release`'s, byte for byte
    dist, _printed = released
    assert len(again) == 2
    assert {path.name: make_release.sha256(path) for path in again} == {
        path.name: make_release.sha256(dist / path.name) for path in again
    }
    # and every time in them is the last commit's
    [sdist] = dist.glob("*.tar.gz")
    assert {m.mtime for m in sdist_members(sdist).values()} == {make_release.source_date_epoch()}


def test_the_release_wheel_carries_the_provider_its_licence_and_the_changelogs_version(
    released: tuple[Path, str],
) -> None:
    # GIVEN the sdist and wheel `make release` builds (twine check passed, or it failed)
    dist, _printed = released
    built = [*dist.glob("*.whl"), *dist.glob("*.tar.gz")]
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
