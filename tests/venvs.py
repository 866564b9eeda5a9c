"""Clean virtual environments for the slow tests: the wheel built away from the repository, a
venv holding only what a test names, and the environment of a process run outside the repo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

from packaging.requirements import Requirement

from tests.support import ROOT, VENV_BIN

# What the wheel is built from: the project file, the sdist's manifest, the readme and licence,
# the three source roots.
SOURCES = (
    "pyproject.toml",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "constructs/event_invoke_config",
    "handler",
    "release/event_invoke_config_bundle",
)


def copy_sources(destination: Path) -> Path:
    """The sources the wheel needs, copied out of the repository (setuptools builds in place)."""
    for name in SOURCES:
        source, target = ROOT / name, destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            ignored = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
            shutil.copytree(source, target, ignore=ignored)
        else:
            shutil.copyfile(source, target)
    return destination


def build_wheel(folder: Path) -> Path:
    """The project's wheel, built in `folder` from a copy of its sources."""
    source, dist = copy_sources(folder / "source"), folder / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("*.whl")
    return wheel


def new_venv(folder: Path, *requirements: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A fresh venv in `folder` holding `requirements` and nothing else (not even pip: this
    venv's pip installs into it, one run, one resolution): its interpreter and that run, whose
    failure the test reports. No bytecode up front, as `make release` installs."""
    venv.create(folder, with_pip=False)
    python = folder / "bin" / "python"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--disable-pip-version-check", "--no-compile", *requirements],
        capture_output=True,
        text=True,
        check=False,
        env=outside_environment(),
    )  # fmt: skip
    return python, pip


def outside_environment() -> dict[str, str]:
    """This process's environment as a program outside the repository sees it: nothing on the
    path from here (no PYTHONPATH, no user site) but Node 24 for jsii (see conftest.py)."""
    environment = {**os.environ, "JSII_NODE": str(VENV_BIN / "node"), "PYTHONNOUSERSITE": "1"}
    environment.pop("PYTHONPATH", None)
    return environment


def declared_floors() -> list[str]:
    """Each of pyproject.toml's [project].dependencies pinned to its declared minimum (`>=`, or
    the one version `==` allows)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = []
    for dependency in map(Requirement, project["dependencies"]):
        floors = [s.version for s in dependency.specifier if s.operator in {">=", "=="}]
        assert len(floors) == 1, f"{dependency} declares no single minimum (>= or ==)"
        pins.append(f"{dependency.name}=={floors[0]}")
    return pins


def pinned(requirements: Path, name: str) -> str:
    """The `name==version` line of a requirements file."""
    found = re.search(rf"^{re.escape(name)}==\S+$", requirements.read_text(), re.M)
    assert found, f"{requirements.name} pins no {name}"
    return found.group()
