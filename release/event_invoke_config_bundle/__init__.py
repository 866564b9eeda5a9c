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
# The one crhelper release the bundle carries, and the sha256 of each of its files there (the
# same bytes as crhelper's repository at d036562, its 2.0.12 version bump). requirements.txt,
# requirements-release.txt and pyproject.toml pin this version; any other bytes are refused.
CRHELPER_VERSION = "2.0.12"
CRHELPER_SHA256 = {
    "crhelper/__init__.py": "552bc753630a80ff7a0c74835d1d4e6319db0bc8fbc9fb95859b9b04b53b3e7b",
    "crhelper/log_helper.py": "d7c9f858a9468315cbfe28983ea13c756bfd4d6e2c3d973801ede9c7975b1e66",
    "crhelper/resource_helper.py": (
        "44f57c03a2b1665ef47b2f0d2360584b79dcefc33d3d0881906a22f0d1a8f724"
    ),
    "crhelper/utils.py": "bf8e833bf1fed51be85b40691e686606214710a9d9acb305d7940d885d5ef338",
    f"{LICENSES}/crhelper/LICENSE": (
        "09e8a9bcec8067104652c168685ab0931e7868f9c8284b66f5ae6edae5f1130b"
    ),
    f"{LICENSES}/crhelper/NOTICE": (
        "803aeed268ddac692b0897e71d355ba0a31d4bb53ce476bc6d5fcf41309c91f3"
    ),
}
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
    check_crhelper({name: path.read_bytes() for name, path in files.items()})
    return dict(sorted(files.items()))


def check_crhelper(files: Mapping[str, bytes]) -> None:
    """Refuse a bundle whose crhelper files are not exactly crhelper CRHELPER_VERSION's."""
    carried = {name for name in files if name.startswith(("crhelper/", f"{LICENSES}/crhelper/"))}
    for name in sorted(carried | CRHELPER_SHA256.keys()):
        digest = hashlib.sha256(files[name]).hexdigest() if name in files else "missing"
        if digest != CRHELPER_SHA256.get(name):
            raise LookupError(
                f"{name} is not crhelper {CRHELPER_VERSION}'s (sha256: {digest}): install "
                f"crhelper=={CRHELPER_VERSION} (make setup)"
            )


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
