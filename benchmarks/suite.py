"""`python -m benchmarks.suite`: `make test` and `make test-fast` on a fresh clone, timed.

Clones this repository (its committed HEAD) into a temporary folder and sets it up as CI does
(`make setup` and the tests' own environments), then runs `make test`, and `make test-fast` with
mypy's cache removed (as a fresh clone has none). Writes wall and CPU seconds into the section
SECTION of docs/benchmarks.md, which `make bench` keeps. Both are CPU-bound on 2 cores: the
CPU seconds show whether a slower run had a slower machine or more work.
"""

from __future__ import annotations

import datetime
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .clone import fresh_clone
from .report import publish

SECTION = "## The test suite on a fresh clone"
SETUP = ("setup", ".venv-checkov/.installed", ".venv-awscli/.installed")
GOALS = {"test": 300.0, "test-fast": 90.0}  # seconds once set-up is done


@dataclass(frozen=True)
class Run:
    """One timed `make` run: wall and CPU seconds (its processes, user and system)."""

    target: str
    wall: float
    cpu: float


def timed_make(clone: Path, *targets: str) -> Run:
    """`make targets` in `clone`, timed; a failure stops the benchmark, showing its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    run = subprocess.run(["make", *targets], cwd=clone, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if run.returncode:
        raise SystemExit(f"make {' '.join(targets)} failed:\n{(run.stdout + run.stderr)[-5000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(" ".join(targets), wall, cpu)


def measure() -> list[Run]:
    """Set-up, `make test`, then `make test-fast` with mypy cold, on one fresh clone."""
    with fresh_clone() as clone:
        runs = [timed_make(clone, *SETUP), timed_make(clone, "test")]
        shutil.rmtree(clone / ".mypy_cache")
        return [*runs, timed_make(clone, "test-fast")]


def section(runs: list[Run]) -> str:
    """The report's section for `runs`, each against its goal where it has one."""
    rows = []
    for run in runs:
        goal = GOALS.get(run.target)
        result = "" if goal is None else "met" if run.wall <= goal else "**missed**"
        limit = "" if goal is None else f" (goal <= {goal:.0f} s)"
        cells = (f"`make {run.target}`{limit}", f"{run.wall:.0f} s", f"{run.cpu:.0f} s", result)
        rows.append(f"| {' | '.join(cells)} |")
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured by `python -m benchmarks.suite` on {datetime.date.today()}: a `git clone`",
            "of the repository set up as CI does, then `make test`, then `make test-fast` with",
            "mypy's cache removed. The machine has 2 cores and both targets are CPU-bound: the",
            "CPU seconds (user and system, every process) tell a slower machine from more work.",
            "",
            "| run | wall | CPU | result |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )


def main() -> None:
    publish(section(measure()))


if __name__ == "__main__":
    main()
