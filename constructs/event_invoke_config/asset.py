"""The provider's Lambda code: the handler package plus crhelper, staged without Docker.

The asset hash is computed from the staged files' names and bytes, so it is the same on every
synth of the same code and changes whenever the handler or crhelper does.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import crhelper
from aws_cdk import AssetHashType
from aws_cdk import aws_lambda as lambda_

import event_invoke_config_provider

HANDLER = f"{event_invoke_config_provider.__name__}.index.handler"


def _sources() -> dict[str, Path]:
    """Map each file's path inside the asset to its source; Python sources only."""
    files: dict[str, Path] = {}
    for package in (event_invoke_config_provider, crhelper):
        root = Path(str(package.__file__)).parent
        for path in sorted(root.glob("*.py")):
            files[f"{root.name}/{path.name}"] = path
    return files


def _digest(files: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].read_bytes() + b"\0")
    return digest.hexdigest()


class StagedProviderCode:
    """Context manager yielding the provider's `Code`; the staging folder lives until exit."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="event-invoke-config-provider-")

    def __enter__(self) -> lambda_.Code:
        files = _sources()
        root = Path(self._folder.name)
        for name, source in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
        return lambda_.Code.from_asset(
            str(root), asset_hash=_digest(files), asset_hash_type=AssetHashType.CUSTOM
        )

    def __exit__(self, *_exc: object) -> None:
        self._folder.cleanup()
