"""docs/benchmarks.md's sections written on their own, and the environments' sizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import environments, report, suite
from tests.support import ROOT

MIB = 1024 * 1024
WRITTEN = """\
# Benchmarks

## Goals

| goal | measured |

## The environments the Makefile builds

old sizes

## `make release` on a fresh clone

old release
"""


@pytest.fixture
def report_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "benchmarks.md"
    path.write_text(WRITTEN)
    monkeypatch.setattr(report, "REPORT", path)
    return path


def test_a_section_is_replaced_in_place_and_the_others_kept(report_file: Path) -> None:
    report.write_section(f"{environments.SECTION}\n\nnew sizes\n")

    assert report_file.read_text() == WRITTEN.replace("old sizes", "new sizes")


def test_a_section_the_report_lacks_is_added_at_the_end(report_file: Path) -> None:
    report.write_section("## Another\n\nfigures\n")

    assert report_file.read_text() == f"{WRITTEN}\n## Another\n\nfigures\n"


def test_the_last_section_is_read_to_the_end() -> None:
    assert report.section_of(WRITTEN, "## `make release` on a fresh clone").endswith(
        "old release\n"
    )
    assert report.section_of(WRITTEN, "## Missing") == ""


def test_every_environment_the_makefile_builds_is_measured() -> None:
    makefile = (ROOT / "Makefile").read_text()
    venvs = set(re.findall(r"^\w*VENV := (\S+)$", makefile, re.MULTILINE))
    [sdks] = re.findall(r"^LAMBDA_SDKS := (.+)$", makefile, re.MULTILINE)
    sdk_folders = {stamp.removesuffix("/.installed") for stamp in sdks.split()}

    assert venvs | sdk_folders | {"node_modules"} == set(environments.ENVIRONMENTS)


@pytest.mark.slow  # runs du and find
def test_sizes_count_a_symlinked_environment_and_its_bytecode(tmp_path: Path) -> None:
    # GIVEN every environment built, one of them a symlink (as in a git worktree), with 2 MiB of
    # which 1 MiB is bytecode, and a symlink inside it that must not count twice
    for name in environments.ENVIRONMENTS:
        (tmp_path / name).mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "lib" / "__pycache__").mkdir(parents=True)
    (elsewhere / "lib" / "module.py").write_bytes(b"x" * MIB)
    (elsewhere / "lib" / "__pycache__" / "module.pyc").write_bytes(b"x" * MIB)
    (elsewhere / "lib64").symlink_to(elsewhere / "lib")
    (tmp_path / ".venv").rmdir()
    (tmp_path / ".venv").symlink_to(elsewhere)
    # WHEN
    total, bytecode = environments.measure(tmp_path)[".venv"]
    # THEN (a few blocks of directories on top)
    assert 2 * MIB <= total < 2 * MIB + 64 * 1024
    assert MIB <= bytecode < MIB + 64 * 1024


def test_an_environment_not_built_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"Not built: \.venv, .*make bench-sizes"):
        environments.measure(tmp_path)


def test_the_suite_section_holds_each_run_to_its_goal() -> None:
    runs = [
        suite.Run("setup .venv-checkov/.installed .venv-awscli/.installed", 140.2, 110.0),
        suite.Run("test", 301.0, 520.4),
        suite.Run("test-fast", 61.4, 120.0),
    ]

    rows = [line for line in suite.section(runs).splitlines() if line.startswith("| `make")]

    assert rows == [
        "| `make setup .venv-checkov/.installed .venv-awscli/.installed` | 140 s | 110 s |  |",
        "| `make test` (goal <= 300 s) | 301 s | 520 s | **missed** |",
        "| `make test-fast` (goal <= 90 s) | 61 s | 120 s | met |",
    ]
