"""The SDKs the offline Lambda runtime offers the provider, as the python3.14 runtime would.

Lambda's Python runtime puts its own boto3 on the path after the function's code (README, "The
SDK the provider runs on"); the provider ships none. `make setup` installs two of them, each alone
in a folder (`pip install --target`): the floor the README states and the newest release, pinned
by requirements-lambda-floor.txt and requirements-lambda-newest.txt. An execution environment's
interpreter sees that folder, the asset and the standard library, nothing else.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDKS = ROOT / ".lambda-sdk"
FLOOR = "floor"
NEWEST = "newest"


def sdk_path(name: str = NEWEST) -> Path:
    """The folder that holds SDK `name` (FLOOR or NEWEST) and nothing else."""
    path = SDKS / name
    if not (path / "boto3").is_dir():
        raise LookupError(f"no Lambda SDK in {path}: run `make setup`")
    return path


def pinned(name: str, package: str = "boto3") -> str:
    """The version of `package` that requirements-lambda-NAME.txt pins."""
    for line in (ROOT / f"requirements-lambda-{name}.txt").read_text().splitlines():
        if line.startswith(f"{package}=="):
            return line.removeprefix(f"{package}==").strip()
    raise LookupError(f"requirements-lambda-{name}.txt pins no {package}")
