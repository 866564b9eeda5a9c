"""`make bench-sdk`: what each SDK contract costs the provider: asset size and cold start.

The provider runs on the Lambda runtime's boto3 (README, "The SDK the provider runs on"). The
alternative is to bundle an SDK in the asset. Both are measured here in Lambda-like interpreters
(`python -S`: the task root, then the runtime's SDK folder when there is one, and the standard
library), each cold start a fresh interpreter that imports the handler and makes its first
Lambda client. Writes docs/sdk-contract.md.
"""

from __future__ import annotations

import datetime
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from event_invoke_config_bundle import provider_contents
from offline_cloud.lambda_sdk import FLOOR, NEWEST, pinned, sdk_path

from .runtime import cold_start as cold_start_once
from .runtime import zipped_size

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "sdk-contract.md"
RUNS = 15
BASELINE = "v0.2.1"


def stage(folder: Path, files: dict[str, bytes]) -> Path:
    """`files` written under `folder`."""
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def cold_start(task_root: Path, runtime_sdk: Path | None) -> float:
    """Median seconds to import the handler and make a first client, fresh interpreters."""
    path = [task_root, *([runtime_sdk] if runtime_sdk else [])]
    return statistics.median(cold_start_once("provider", path) for _ in range(RUNS))


def baseline_files() -> dict[str, bytes]:
    """The 0.2.1 provider's handler package (from its tag) beside today's crhelper and licences."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", BASELINE, "handler/event_invoke_config_provider"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    files = {
        name.removeprefix("handler/"): subprocess.run(
            ["git", "show", f"{BASELINE}:{name}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        for name in listing
        if name.endswith(".py")
    }
    others = {
        name: data
        for name, data in provider_contents().items()
        if not name.startswith("event_invoke_config_provider/")
    }
    return {**files, **others}


def measure() -> list[tuple[str, int, float]]:
    """(contract, zipped asset bytes, median cold start seconds) for each way measured."""
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        asset = stage(work / "asset", provider_contents())
        baseline = stage(work / "baseline", baseline_files())
        for name, compiled in (("bundled", True), ("bundled-source", False)):
            bundled = work / name
            shutil.copytree(asset, bundled)
            shutil.copytree(sdk_path(NEWEST), bundled, dirs_exist_ok=True)
            if not compiled:
                for cache in list(bundled.rglob("__pycache__")):
                    shutil.rmtree(cache)
        rows = [
            (f"{BASELINE}: runtime SDK {pinned(NEWEST)}", zipped_size(baseline),
             cold_start(baseline, sdk_path(NEWEST))),
            (f"runtime SDK, floor {pinned(FLOOR)}", zipped_size(asset),
             cold_start(asset, sdk_path(FLOOR))),
            (f"runtime SDK, newest {pinned(NEWEST)}", zipped_size(asset),
             cold_start(asset, sdk_path(NEWEST))),
            (f"bundled SDK {pinned(NEWEST)}, with .pyc", zipped_size(work / "bundled"),
             cold_start(work / "bundled", None)),
            (f"bundled SDK {pinned(NEWEST)}, source only", zipped_size(work / "bundled-source"),
             cold_start(work / "bundled-source", None)),
        ]  # fmt: skip
    return rows


def main() -> None:
    """Measure and write the report."""
    rows = measure()
    lines = [
        "# The provider's SDK contract: what it costs",
        "",
        f"Written by `make bench-sdk` on {datetime.date.today().isoformat()}; Python "
        f"{sys.version.split()[0]}. Cold start: median of {RUNS} fresh `python -S` "
        "interpreters, from the first import to the first Lambda client; the task root is "
        "read-only (no bytecode written), as in Lambda. The runtime SDK folders hold "
        "bytecode, as `pip install` leaves it.",
        "",
        "| contract | asset, zipped bytes | cold start ms |",
        "| --- | --- | --- |",
        *[f"| {way} | {size} | {seconds * 1000:.0f} |" for way, size, seconds in rows],
        "",
    ]
    REPORT.write_text("\n".join(lines))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
