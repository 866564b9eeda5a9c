"""`make release`: the release in dist/: the provider's code zip and template, the sdist and wheel.

Usage: python release/make_release.py [DIST]   (default: dist)

`provider-VERSION.zip` is the provider's Lambda code: the files
`event_invoke_config_bundle` lists (the Python sources of the handler package and of
crhelper, and their licences), the same bytes the CDK construct stages as its asset; its
sha256 is written beside it, as `sha256sum` writes it. `provider.yaml` is release/provider.yaml
as written, which reads that zip, by the name it carries, from the S3 bucket and prefix its
parameters name. Then `python -m build` and `twine check`, whose output goes to DIST/release.log;
what is printed is a summary. Every artifact is byte-reproducible: the zip and the sdist are
normalised here, the wheel by setuptools, for SOURCE_DATE_EPOCH (the last commit's time unless
given). Needs neither Node nor the CDK: the environment `make release` builds holds crhelper,
build, setuptools and twine (requirements-release.txt).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
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
DIRECTORY_MODE = 0o755
LOG_NAME = "release.log"
# The lines of the log a failure prints.
LOG_TAIL = 40


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


def sha256(path: Path) -> str:
    """A file's sha256, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_checksum(path: Path) -> Path:
    """`path`'s sha256 in `PATH.sha256`, as `sha256sum` writes it, so `sha256sum -c` checks it."""
    checksum = path.with_name(f"{path.name}.sha256")
    checksum.write_text(f"{sha256(path)}  {path.name}\n")
    return checksum


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
    write_checksum(dist / ZIP_NAME)
    shutil.copyfile(TEMPLATE, dist / TEMPLATE.name)
    (dist / RULES.name).mkdir(exist_ok=True)
    for rule in RULES.glob("*.py"):
        shutil.copyfile(rule, dist / RULES.name / rule.name)
    return content_hash({name: source.read_bytes() for name, source in files.items()})


def source_date_epoch(repository: Path = ROOT) -> int:
    """SOURCE_DATE_EPOCH as given, else the time of `repository`'s last commit."""
    given = os.environ.get("SOURCE_DATE_EPOCH", "")
    if given:
        if not given.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be seconds since 1970; got {given!r}")
        return int(given)
    try:
        last_commit = subprocess.run(
            ["git", "-C", str(repository), "log", "-1", "--format=%ct"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as error:
        raise RuntimeError(
            f"SOURCE_DATE_EPOCH is not set and {repository} is not a git checkout: set it "
            "(seconds since 1970) to build reproducibly"
        ) from error
    return int(last_commit)


def normalise_sdist(path: Path, epoch: int) -> None:
    """Rewrite an sdist reproducibly: members sorted, no owner, modes 644 or 755, every time and
    the gzip header's `epoch` (setuptools takes the files' own and the clock's)."""
    with tarfile.open(path) as source:
        members = sorted(source.getmembers(), key=lambda member: member.name)
        contents = {m.name: source.extractfile(m).read() for m in members if m.isfile()}  # type: ignore[union-attr]
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as target:
        for member in members:
            executable = member.isdir() or member.mode & 0o100
            member.mode = DIRECTORY_MODE if executable else FILE_MODE
            member.mtime, member.uid, member.gid, member.uname, member.gname = epoch, 0, 0, "", ""
            member.pax_headers = {}
            target.addfile(member, io.BytesIO(contents[member.name]) if member.isfile() else None)
    with path.open("wb") as file, gzip.GzipFile("", "wb", 9, file, mtime=epoch) as compressed:
        compressed.write(archive.getvalue())


def unpack(archive: Path, folder: Path) -> Path:
    """The one top folder of an sdist, unpacked into `folder`."""
    # The "data" filter refuses links and paths out of `folder` (Python 3.11.4 and later).
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(archive) as source:
        source.extractall(folder, **safe)  # type: ignore[arg-type]
    [top] = folder.iterdir()
    return top


def packages(dist: Path, source: Path = ROOT, log: Path | None = None) -> list[Path]:
    """This version's sdist from `source`, then its wheel built from that sdist, into `dist`, for
    SOURCE_DATE_EPOCH and checked by twine; the tools' output goes to `log` (DIST/release.log)."""
    epoch = source_date_epoch()
    dist.mkdir(parents=True, exist_ok=True)
    log = log or dist / LOG_NAME
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    with log.open("w") as output, tempfile.TemporaryDirectory() as scratch:

        def run(*arguments: str) -> None:
            command = [sys.executable, "-m", *arguments]
            print(f"$ {shlex.join(command)}", file=output, flush=True)
            subprocess.run(
                command, stdout=output, stderr=subprocess.STDOUT, env=environment, check=True
            )

        run("build", "--sdist", "--no-isolation", "--outdir", str(dist), str(source))
        [sdist] = dist.glob(f"*-{__version__}.tar.gz")
        normalise_sdist(sdist, epoch)
        unpacked = unpack(sdist, Path(scratch))
        run("build", "--wheel", "--no-isolation", "--outdir", str(dist), str(unpacked))
        built = [sdist, *dist.glob(f"*-{__version__}-*.whl")]
        run("twine", "check", "--strict", *map(str, built))
    return built


def summary(dist: Path, code_hash: str, built: list[Path], epoch: int) -> list[str]:
    """What `make release` prints: each artifact with its size and sha256, and where the log is."""
    described = {
        ZIP_NAME: f"the provider's code, asset hash {code_hash[:16]} (as in cdk.out)",
        TEMPLATE.name: "its template (README: Quick start: plain CloudFormation)",
        **{path.name: f"the Python package {__version__}" for path in built},
    }
    lines = [f"{dist}/, version {__version__}, SOURCE_DATE_EPOCH={epoch}:"]
    for name, what in described.items():
        path = dist / name
        lines += [f"  {name}: {what}", f"    {path.stat().st_size:,} bytes, sha256 {sha256(path)}"]
    lines += [
        f"  {ZIP_NAME}.sha256: the zip's sha256, for `sha256sum -c`",
        f"  {RULES.name}/: the cfn-lint rule for consumer templates",
        f"The build's full output: {dist / LOG_NAME}",
    ]
    return lines


def main(argv: list[str]) -> None:
    dist = Path(argv[0]) if argv else ROOT / "dist"
    code_hash = build(dist)
    try:
        built = packages(dist)
    except subprocess.CalledProcessError as error:
        tail = (dist / LOG_NAME).read_text().splitlines()[-LOG_TAIL:]
        print("\n".join(tail), file=sys.stderr)
        command = shlex.join(map(str, error.cmd))
        sys.exit(f"make release failed: `{command}` exited {error.returncode}; "
                 f"the last {len(tail)} lines of {dist / LOG_NAME} are above")  # fmt: skip
    print("\n".join(summary(dist, code_hash, built, source_date_epoch())))


if __name__ == "__main__":
    main(sys.argv[1:])
