"""`make release`: the provider for plain CloudFormation, in dist/: its code zip and its template.

Usage: python -m devtools.release [DIST]   (default: dist)

`provider.zip` is the provider's Lambda code: the files `event_invoke_config_provider.bundle`
lists (the Python sources of the handler package and of crhelper), the same bytes the CDK
construct stages as its asset. `provider.yaml` is release/provider.yaml as written; it names the
zip by a path relative to itself, which `aws cloudformation package` uploads. Needs neither Node
nor the CDK: only the provider's Python packages.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

from event_invoke_config_provider.bundle import asset_hash, provider_files

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "release" / "provider.yaml"
ZIP_NAME = "provider.zip"
# Fixed timestamps and modes: the same sources give the same zip, so the S3 key that
# `aws cloudformation package` derives from its MD5 changes only when the code does.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


def content_hash(files: Mapping[str, bytes]) -> str:
    """The code's hash, as the CDK template names the provider asset (`bundle.asset_hash`)."""
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


def build(dist: Path) -> str:
    """Write the code zip and the template into `dist`; returns the code's content hash."""
    dist.mkdir(parents=True, exist_ok=True)
    files = provider_files()
    write_zip(files, dist / ZIP_NAME)
    shutil.copyfile(TEMPLATE, dist / TEMPLATE.name)
    return content_hash({name: source.read_bytes() for name, source in files.items()})


def main(argv: list[str]) -> None:
    dist = Path(argv[0]) if argv else ROOT / "dist"
    code_hash = build(dist)
    print(f"{dist / ZIP_NAME}: the provider's code, asset hash {code_hash[:16]} (as in cdk.out)")
    print(f"{dist / TEMPLATE.name}: its template (README: Quick start: plain CloudFormation)")


if __name__ == "__main__":
    main(sys.argv[1:])
