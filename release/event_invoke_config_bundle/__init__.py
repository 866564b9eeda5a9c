"""Which files make the provider's code bundle: the handler package's and crhelper's Python sources,
and the licences of the distributions they come from.

Build-time code, kept out of the bundle it describes: the CDK construct stages these files as its
asset at synth and `make release` (release/make_release.py) zips them, so both ship the same
bytes. The packages are found with `importlib`, without importing them or aws_cdk, so the release
needs neither Node nor the CDK. Both name the code by `asset_hash`: the construct gives CDK
`source_digest` as its custom asset hash, which CDK hashes once more (`AssetHashType.CUSTOM`), so
the template's asset hash, the demo's and the release's are one value.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from collections.abc import Mapping
from pathlib import Path

# The handler package and the one library it needs beside the Lambda runtime's boto3.
PACKAGES = ("event_invoke_config_provider", "crhelper")
# Where each distribution's licence files go in the bundle: licenses/<distribution>/<file>.
LICENSES = "licenses"
_LICENSE_NAMES = ("LICENSE", "LICENCE", "NOTICE", "COPYING")


def provider_files() -> dict[str, Path]:
    """Each file's path inside the bundle (`package/module.py`), and its source, sorted."""
    files: dict[str, Path] = {}
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise LookupError(f"the package {package} is not installed: run `make setup`")
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.glob("*.py")):
            files[f"{package}/{path.name}"] = path
        files.update(license_files(package))
    return dict(sorted(files.items()))


def license_files(package: str) -> dict[str, Path]:
    """The licence and notice files that the installed distribution of `package` ships.

    A source tree on the path may show the same distribution as an egg-info without them: the
    first one installed with its licences counts.
    """
    names = set(importlib.metadata.packages_distributions().get(package, []))
    if len(names) != 1:
        raise LookupError(f"{package} must come from one installed distribution: run `make setup`")
    [name] = names
    for distribution in importlib.metadata.distributions(name=name):
        found = {
            f"{LICENSES}/{name}/{file.name}": Path(str(file.locate()))
            for file in distribution.files or []
            if ".dist-info/" in file.as_posix() and file.name.startswith(_LICENSE_NAMES)
        }
        if found:
            return found
    raise LookupError(f"the distribution {name} ships no licence file: run `make setup`")


def source_digest(files: Mapping[str, bytes]) -> str:
    """SHA-256 over the files' paths and bytes: equal for equal contents, however packed."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{hashlib.sha256(files[name]).hexdigest()}\n".encode())
    return digest.hexdigest()


def asset_hash(files: Mapping[str, bytes]) -> str:
    """The code's hash as the CDK template names its asset: SHA-256 of `source_digest`."""
    return hashlib.sha256(source_digest(files).encode()).hexdigest()


def provider_contents() -> dict[str, bytes]:
    """The bundle's files and their bytes."""
    return {name: source.read_bytes() for name, source in provider_files().items()}
