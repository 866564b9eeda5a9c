"""The provider runs on the Lambda runtime's SDK from the floor the README states: every name it
imports from the SDK exists there, and the SDK folders the offline runtime uses hold the pins."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import pytest

from event_invoke_config_bundle import PACKAGES, provider_files
from offline_cloud.lambda_sdk import FLOOR, NEWEST, pinned, sdk_path
from tests.support import ROOT, imports

# The SDK's distributions: what the runtime carries besides the standard library.
SDK_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3")
# Imports every (module, name) given on stdin with only the SDK folder on the path; prints those
# that fail.
RESOLVE = """
import importlib, json, sys
missing = []
for module, name in json.load(sys.stdin):
    try:
        loaded = importlib.import_module(module)
        if name is not None and not hasattr(loaded, name):
            importlib.import_module(f"{module}.{name}")
    except ImportError as error:
        missing.append(f"{module}{'' if name is None else '.' + name}: {error}")
print(json.dumps(missing))
"""


def sdk_imports(source: str) -> set[tuple[str, str | None]]:
    """(module, name or None) for each import of an SDK module in `source`, at any depth."""
    return {
        (module, name) for module, name in imports(source) if module.split(".")[0] in SDK_PACKAGES
    }


def shipped_sdk_imports() -> set[tuple[str, str | None]]:
    """The SDK imports of every Python file the provider's bundle ships."""
    imports: set[tuple[str, str | None]] = set()
    for name, source in provider_files().items():
        if name.endswith(".py") and name.split("/")[0] in PACKAGES:
            imports |= sdk_imports(source.read_text())
    return imports


def unresolved(imports: set[tuple[str, str | None]], sdk: str) -> list[str]:
    """The imports that fail in an interpreter whose only packages are SDK `sdk`'s."""
    run = subprocess.run(
        [sys.executable, "-S", "-c", RESOLVE],
        input=json.dumps(sorted(imports, key=str)),
        env={"PYTHONPATH": str(sdk_path(sdk))},
        capture_output=True,
        text=True,
        check=True,
    )
    missing: list[str] = json.loads(run.stdout)
    return missing


@pytest.mark.parametrize("sdk", [FLOOR, NEWEST])
def test_every_sdk_name_the_bundle_imports_exists_in_the_runtimes_sdk(sdk: str) -> None:
    imports = shipped_sdk_imports()

    assert ("botocore.exceptions", "ClientError") in imports  # the scan sees the handler's imports
    assert unresolved(imports, sdk) == []


def test_a_name_the_floor_lacks_is_caught() -> None:
    newer_only = sdk_imports("from botocore.retries.standard import ThrottlingStatusCodeChecker")

    assert unresolved(newer_only, NEWEST) == []
    assert len(unresolved(newer_only, FLOOR)) == 1


@pytest.mark.parametrize("sdk", [FLOOR, NEWEST])
def test_each_sdk_folder_holds_the_boto3_and_botocore_its_requirements_pin(sdk: str) -> None:
    installed = {
        match.group(1): match.group(2)
        for path in sdk_path(sdk).glob("*.dist-info")
        if (match := re.fullmatch(r"(boto3|botocore)-(.+)\.dist-info", path.name))
    }

    assert installed == {"boto3": pinned(sdk), "botocore": pinned(sdk, "botocore")}


def test_the_wheels_boto3_floor_is_the_runtimes_floor() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [boto3] = [spec for spec in dependencies if spec.startswith("boto3")]

    assert boto3.replace(" ", "") == f"boto3>={pinned(FLOOR)}"


def test_the_newest_sdk_is_the_one_the_project_pins() -> None:
    pins = (ROOT / "requirements.txt").read_text()

    assert f"boto3=={pinned(NEWEST)}\n" in pins
    assert f"botocore=={pinned(NEWEST, 'botocore')}\n" in pins
