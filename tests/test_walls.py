"""What each tree may hold and import: the Lambda bundle runs all it ships, and the offline cloud
and the scripts read AWS ids their own way, never through the provider they test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import event_invoke_config_bundle
from event_invoke_config_bundle import provider_files
from offline_cloud.fake_aws import client_environment
from tests.support import ROOT, imports

ENTRY_POINT = "event_invoke_config_provider.index"
# Imports the Lambda runtime's task root as the runtime does, then lists the modules that came
# from it: every module the handler's import loads, transitively.
LOADED_FROM_ASSET = """
import importlib, json, sys
asset = sys.argv[1]
sys.path.insert(0, asset)
importlib.import_module(sys.argv[2])
print(json.dumps(sorted(
    name for name, module in sys.modules.items()
    if (getattr(module, "__file__", None) or "").startswith(asset)
)))
"""
# The trees that stand in for AWS or drive it, and what of the provider they may import: the
# provider runs from its asset in the Lambda runtime, named by the template's Handler string,
# so none of them needs to import it.
ORACLE_TREES = ("offline_cloud", "scripts")
PRODUCT_PACKAGES = ("event_invoke_config_provider", "event_invoke_config_bundle")
ALLOWED_PRODUCT_IMPORTS: frozenset[str] = frozenset()


def stage_bundle(folder: Path, extra: dict[str, Path] | None = None) -> Path:
    """The bundle's files (and `extra` ones) under `folder`, as the asset and the zip hold them."""
    for name, source in {**provider_files(), **(extra or {})}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / name)
    return folder


def shipped_modules(folder: Path) -> set[str]:
    """The module name of every Python file under `folder`."""
    return {
        ".".join(path.relative_to(folder).with_suffix("").parts).removesuffix(".__init__")
        for path in folder.rglob("*.py")
    }


def modules_loaded_by_the_entry_point(folder: Path) -> set[str]:
    environment = {"PATH": os.environ.get("PATH", ""), **client_environment()}
    run = subprocess.run(
        [sys.executable, "-I", "-c", LOADED_FROM_ASSET, str(folder), ENTRY_POINT],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(run.stdout))


def product_imports(source: str) -> set[str]:
    """The modules of the product's packages that `source` imports."""
    return {module for module, _ in imports(source) if module.split(".")[0] in PRODUCT_PACKAGES}


def test_every_module_the_lambda_bundle_ships_is_loaded_by_its_entry_point(tmp_path: Path) -> None:
    asset = stage_bundle(tmp_path / "asset")

    loaded = modules_loaded_by_the_entry_point(asset)

    assert {ENTRY_POINT, "crhelper.resource_helper"} <= loaded
    assert shipped_modules(asset) - loaded == set(), "build-time or dead code in the bundle"


def test_a_module_the_handler_never_imports_is_caught_in_the_bundle(tmp_path: Path) -> None:
    # GIVEN the build-time module that used to ship inside the handler package
    extra = {"event_invoke_config_provider/bundle.py": Path(event_invoke_config_bundle.__file__)}
    asset = stage_bundle(tmp_path / "asset", extra)

    unused = shipped_modules(asset) - modules_loaded_by_the_entry_point(asset)

    assert unused == {"event_invoke_config_provider.bundle"}


def test_the_offline_cloud_and_scripts_import_nothing_of_the_provider() -> None:
    files = sorted(path for tree in ORACLE_TREES for path in (ROOT / tree).rglob("*.py"))

    imports = {
        str(path.relative_to(ROOT)): product_imports(path.read_text()) - ALLOWED_PRODUCT_IMPORTS
        for path in files
    }

    assert "offline_cloud/deployment.py" in imports and "scripts/demo.py" in imports
    assert {path: found for path, found in imports.items() if found} == {}


def test_the_import_check_sees_the_product_in_each_spelling() -> None:
    source = (
        "import event_invoke_config_provider.index\n"
        "from event_invoke_config_provider.function_ref import parse_physical_id\n"
        "from event_invoke_config_bundle import asset_hash\n"
        "from . import arns\n"
        "import boto3\n"
    )

    assert product_imports(source) == {
        "event_invoke_config_provider.index",
        "event_invoke_config_provider.function_ref",
        "event_invoke_config_bundle",
    }
