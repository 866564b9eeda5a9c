"""Every release has an annotated tag on the commit that releases it; the README's pinned install
works from a fresh clone; an earlier release's artifacts rebuild from its tag by one command."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from event_invoke_config_provider.version import __version__
from tests.support import ROOT

pytestmark = pytest.mark.slow
RELEASES = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
PINNED_INSTALL = re.compile(
    r'pip install "(cdk-lambda-event-invoke-config @ git\+)<URL of this repository>(@v[^"]+)"'
)


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="module", autouse=True)
def tags() -> None:
    if not git("tag", "-l", "v*"):
        pytest.skip("this clone carries no tags (fetch them with `git fetch --tags`)")


@pytest.mark.parametrize("version", RELEASES)
def test_each_release_has_an_annotated_tag_on_a_commit_of_that_version(version: str) -> None:
    tag = f"v{version}"

    assert git("cat-file", "-t", tag) == "tag", f"{tag} is missing or not annotated"
    # 0.1.0 kept its version in pyproject.toml; later releases in the provider's version module.
    where = {"pyproject.toml", "handler/event_invoke_config_provider/version.py"}
    sources = [
        git("show", f"{tag}:{path}")
        for path in where & set(git("ls-tree", "-r", "--name-only", tag).split())
    ]
    assert any(
        re.search(rf'^(__version__|version) = "{re.escape(version)}"$', source, re.M)
        for source in sources
    )
    assert git("merge-base", "--is-ancestor", tag, "HEAD") == ""  # on main's history


def test_the_current_version_is_a_release_with_its_tag() -> None:
    assert __version__ in RELEASES


def test_the_readmes_pinned_install_works_from_a_fresh_clone(tmp_path: Path) -> None:
    [(package, ref)] = PINNED_INSTALL.findall((ROOT / "README.md").read_text())
    assert ref == f"@v{__version__}"
    clone = tmp_path / "clone"
    git("clone", "--quiet", str(ROOT), str(clone), cwd=tmp_path)

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-compile", "--target", str(tmp_path / "site"), f"{package}file://localhost{clone}{ref}"],
        check=True,
    )  # fmt: skip

    [metadata] = (tmp_path / "site").glob("cdk_lambda_event_invoke_config-*.dist-info")
    assert metadata.name == f"cdk_lambda_event_invoke_config-{__version__}.dist-info"
    assert (tmp_path / "site" / "event_invoke_config" / "event_invoke_config.py").is_file()


def test_an_earlier_release_rebuilds_from_its_tag_as_released(tmp_path: Path) -> None:
    subprocess.run(
        ["make", "--no-print-directory", "rebuild", "TAG=v0.2.0", f"REBUILD_DIR={tmp_path}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    with zipfile.ZipFile(tmp_path / "v0.2.0" / "dist" / "provider-0.2.0.zip") as rebuilt:
        files = {name: rebuilt.read(name) for name in rebuilt.namelist()}
    [released] = (ROOT / "tests" / "fixtures" / "v0_2_0").glob("asset.*")  # 0.2.0's asset
    assert files == {
        path.relative_to(released).as_posix(): path.read_bytes()
        for path in released.rglob("*")
        if path.is_file()
    }
