"""Which files make the provider's code bundle: the handler package's and crhelper's Python sources.

The CDK construct stages them as its asset and `make release` zips them, so both ship the same
bytes. The packages are found with `importlib`, without importing them or aws_cdk, so the release
needs neither Node nor the CDK. Both name the code by `asset_hash`: the construct gives CDK
`source_digest` as its custom asset hash, which CDK hashes once more (`AssetHashType.CUSTOM`), so
the template's asset hash, the demo's and the release's are one value.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Mapping
from pathlib import Path

# The handler package (this one) and the one library it needs beside the Lambda runtime's boto3.
PACKAGES = ("event_invoke_config_provider", "crhelper")


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
    return files


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
