"""`python -m benchmarks.release`: `make release` on a fresh clone, timed; its environment's size.

Clones this repository (its committed HEAD) into a temporary folder, runs `make release` there
with nothing set up, and writes the wall time and the size of `.venv-release/` (after the run,
bytecode included) into the section SECTION of docs/benchmarks.md, which `make bench` keeps.
"""

from __future__ import annotations

import datetime
import subprocess
import time
from pathlib import Path

from .clone import fresh_clone
from .report import publish

SECTION = "## `make release` on a fresh clone"
GOALS = (60.0, 60.0)  # seconds, MB


def folder_mb(folder: Path) -> float:
    """The bytes of the files under `folder`, in MB (10^6), as `du --apparent-size` counts."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def measure() -> tuple[float, float]:
    """(seconds of `make release` on a fresh clone, MB of its environment)."""
    with fresh_clone() as clone:
        started = time.monotonic()
        subprocess.run(["make", "release"], cwd=clone, check=True, capture_output=True)
        return time.monotonic() - started, folder_mb(clone / ".venv-release")


def section(seconds: float, megabytes: float) -> str:
    met = [
        "met" if value < goal else "**missed**"
        for value, goal in zip((seconds, megabytes), GOALS, strict=True)
    ]
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured by `python -m benchmarks.release` on {datetime.date.today()}: a `git clone`",
            "of the repository, then `make release` with nothing installed (it builds",
            "`.venv-release/` with crhelper, build, setuptools and twine, then the zip, the",
            "template, the sdist and the wheel, and runs `twine check`). Packages come from the",
            "registry or pip's local cache, as on a developer's machine.",
            "",
            "| goal | measured | result |",
            "| --- | --- | --- |",
            f"| `make release` wall time < {GOALS[0]:.0f} s | {seconds:.1f} s | {met[0]} |",
            f"| `.venv-release/` < {GOALS[1]:.0f} MB | {megabytes:.1f} MB | {met[1]} |",
            "",
        ]
    )


def main() -> None:
    publish(section(*measure()))


if __name__ == "__main__":
    main()
