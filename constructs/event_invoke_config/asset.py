"""The provider's Lambda code: the handler package plus crhelper, staged without Docker.

CDK's default asset hash (of the staged files' names and bytes) makes it the same on every synth
of the same code, and different whenever the handler or crhelper changes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import crhelper
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


class StagedProviderCode:
    """Context manager yielding the provider's `Code`; the staging folder lives until exit.

    CDK copies the folder into the cloud assembly when the function using the code is created,
    so the folder may go as soon as that function exists.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="event-invoke-config-provider-")

    def __enter__(self) -> lambda_.Code:
        root = Path(self._folder.name)
        for name, source in _sources().items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
        return lambda_.Code.from_asset(str(root))

    def __exit__(self, *_exc: object) -> None:
        self._folder.cleanup()
