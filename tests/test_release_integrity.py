"""What lets a user trust a release: the zip's sha256 beside it, checked by the README's own
command, and a release environment whose every package is pinned by its files' sha256."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import make_release
from tests import readme_commands
from tests.support import ROOT

REQUIREMENTS = ROOT / "requirements-release.txt"
# What requirements-release.txt is for: the provider's dependency, and the tools of `make release`.
RELEASE_TOOLS = {"crhelper", "build", "setuptools", "twine"}


def readme_check() -> str:
    """The README's quick start after `make release`, up to its check of the zip's sha256."""
    [block] = readme_commands.commands("## Quick start: plain CloudFormation")
    lines = block.splitlines()[1:]
    end = next(i for i, line in enumerate(lines) if "sha256sum -c" in line)
    return "\n".join(lines[: end + 1]) + "\n"


def run_bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_the_zips_sha256_file_is_the_zips_in_sha256sums_format(dist: Path) -> None:
    checksum = dist / f"{make_release.ZIP_NAME}.sha256"
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", checksum.name],
        cwd=dist,
        capture_output=True,
        text=True,
        check=False,
    )

    assert check.returncode == 0, check.stderr
    assert check.stdout == f"{make_release.ZIP_NAME}: OK\n"
    assert checksum.read_text().split() == [
        make_release.sha256(dist / make_release.ZIP_NAME),
        make_release.ZIP_NAME,
    ]


@pytest.mark.slow
def test_the_readmes_check_passes_on_the_release_and_stops_on_a_changed_zip(
    dist: Path, tmp_path: Path
) -> None:
    # GIVEN dist/ as `make release` leaves it
    shutil.copytree(dist, tmp_path / "dist")
    # THEN the README's commands check the zip before the upload, and go on
    passed = run_bash(readme_check(), tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout == f"{make_release.ZIP_NAME}: OK\n"
    # WHEN one byte of the zip changes, THEN they stop there
    zipped = tmp_path / "dist" / make_release.ZIP_NAME
    data = bytearray(zipped.read_bytes())
    data[100] ^= 1
    zipped.write_bytes(bytes(data))
    failed = run_bash(readme_check(), tmp_path)
    assert failed.returncode != 0
    assert f"{make_release.ZIP_NAME}: FAILED" in failed.stdout


def pinned() -> dict[str, tuple[Requirement, list[str]]]:
    """requirements-release.txt: each requirement by name, with its hashes."""
    text = REQUIREMENTS.read_text().replace("\\\n", " ")
    found: dict[str, tuple[Requirement, list[str]]] = {}
    for line in text.splitlines():
        requirement, *hashes = line.partition("#")[0].split(" --hash=")
        if requirement.strip():
            parsed = Requirement(requirement)
            found[canonicalize_name(parsed.name)] = (parsed, [h.strip() for h in hashes])
    return found


def applies_here(requirement: Requirement) -> bool:
    return requirement.marker is None or requirement.marker.evaluate()


def test_every_release_requirement_is_pinned_to_one_version_and_its_files_sha256() -> None:
    requirements = pinned()

    for name, (requirement, hashes) in requirements.items():
        [specifier] = requirement.specifier
        assert specifier.operator == "==", name
        assert hashes and all(h.startswith("sha256:") and len(h) == 71 for h in hashes), name
    # and the provider's dependency is the one requirements.txt pins, so the zip is the asset
    [crhelper] = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
                  if line.startswith("crhelper==")]  # fmt: skip
    assert str(requirements["crhelper"][0]) == crhelper


def test_the_release_requirements_are_what_its_tools_need_here_and_nothing_more() -> None:
    """pip refuses, under --require-hashes, a dependency the file does not pin: every dependency
    (of the versions installed here, with this platform's markers) is pinned, and every pin is
    needed."""
    requirements = {n: r for n, (r, _hashes) in pinned().items() if applies_here(r)}
    needed: set[str] = set()
    for name in requirements:
        for dependency in importlib.metadata.requires(name) or []:
            parsed = Requirement(dependency)
            extra_free = parsed.marker is None or "extra" not in str(parsed.marker)
            if extra_free and applies_here(parsed):
                needed.add(canonicalize_name(parsed.name))

    assert needed - set(requirements) == set()
    assert set(requirements) - needed == RELEASE_TOOLS
