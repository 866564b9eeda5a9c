"""`make release`: the release in dist/: the provider's code zip and template, the sdist and wheel.

Usage: python release/make_release.py [DIST]   (default: dist)

`provider-VERSION.zip` is the provider's Lambda code: the files
`event_invoke_config_bundle` lists (the Python sources of the handler package and of
crhelper, and their licences), the same bytes the CDK construct stages as its asset.
`provider.yaml` is release/provider.yaml as written, which reads that zip, by the name it
carries, from the S3 bucket and prefix its parameters name. Then `python -m build` and `twine
check`. Needs neither Node nor the CDK: the environment `make release` builds holds crhelper,
build, setuptools and twine (requirements-release.txt).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

from event_invoke_config_bundle import asset_hash, provider_files
from event_invoke_config_provider.version import __version__

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "release" / "provider.yaml"
# The cfn-lint rule for consumer templates; in dist/ it imports the provider from the zip.
RULES = ROOT / "release" / "cfnlint_rules"
ZIP_NAME = f"provider-{__version__}.zip"
_VERSION = re.compile(r"\b[0-9]+\.[0-9]+\.[0-9]+\b")
# Fixed timestamps and modes: the same sources give the same zip, byte for byte.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


def content_hash(files: Mapping[str, bytes]) -> str:
    """The code's hash, as the CDK template names the provider asset (`asset_hash`)."""
    return asset_hash(files)


def zip_contents(path: Path) -> dict[str, bytes]:
    """The files a zip holds, by path."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def folder_contents(folder: Path) -> dict[str, bytes]:
    """The files under `folder`, by path relative to it."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def write_zip(files: Mapping[str, Path], path: Path) -> None:
    """A reproducible zip of `files`: sorted, fixed timestamps, readable by everyone."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.external_attr = FILE_MODE << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, files[name].read_bytes())


def template_versions(text: str) -> set[str]:
    """The versions a template names (its Metadata, Output, code key and zip name)."""
    return set(_VERSION.findall(text))


def build(dist: Path) -> str:
    """Write the code zip and the template into `dist`; returns the code's content hash."""
    named = template_versions(TEMPLATE.read_text())
    if named != {__version__}:
        raise ValueError(f"{TEMPLATE.name} names {sorted(named)}; the release is {__version__}")
    dist.mkdir(parents=True, exist_ok=True)
    files = provider_files()
    write_zip(files, dist / ZIP_NAME)
    shutil.copyfile(TEMPLATE, dist / TEMPLATE.name)
    (dist / RULES.name).mkdir(exist_ok=True)
    for rule in RULES.glob("*.py"):
        shutil.copyfile(rule, dist / RULES.name / rule.name)
    return content_hash({name: source.read_bytes() for name, source in files.items()})


def packages(dist: Path, source: Path = ROOT) -> list[Path]:
    """This version's sdist and wheel, built from `source` into `dist`, checked by twine."""
    run = [sys.executable, "-m"]
    command = [*run, "build", "--no-isolation", "--outdir", str(dist), str(source)]
    subprocess.run(command, check=True, capture_output=source != ROOT)
    built = [*dist.glob(f"*-{__version__}.tar.gz"), *dist.glob(f"*-{__version__}-*.whl")]
    subprocess.run([*run, "twine", "check", "--strict", *map(str, built)], check=True)
    return built


def main(argv: list[str]) -> None:
    dist = Path(argv[0]) if argv else ROOT / "dist"
    code_hash = build(dist)
    built = packages(dist)
    print(f"{dist / ZIP_NAME}: the provider's code, asset hash {code_hash[:16]} (as in cdk.out)")
    print(f"{dist / TEMPLATE.name}: its template (README: Quick start: plain CloudFormation)")
    for path in built:
        print(f"{path}: the Python package {__version__}")


if __name__ == "__main__":
    main(sys.argv[1:])
