"""The provider's Lambda code: the files `event_invoke_config_bundle.provider_files` lists, staged
without Docker.

Its asset hash is `event_invoke_config_bundle.asset_hash`, of the files' names and bytes: the same
on every synth of the same code, different whenever the handler or crhelper changes, and the one
`make release` and `make demo` print, so a user can compare the three.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from aws_cdk import AssetHashType, Stage
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

import event_invoke_config_provider
from event_invoke_config_bundle import provider_contents, provider_files, source_digest

HANDLER = f"{event_invoke_config_provider.__name__}.index.handler"
# Set by `cdk synth --no-staging` (SAM local uses it): CDK then records the source folder itself.
DISABLE_STAGING_CONTEXT = "aws:cdk:disable-asset-staging"
# The folder the code is staged to inside the cloud assembly when CDK does not stage it.
UNSTAGED_FOLDER = "event-invoke-config-provider.code"


def _stage(folder: Path) -> Path:
    for name, source in provider_files().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / name)
    return folder


@cache
def _process_folder() -> Path:
    """One staging folder per process, removed at exit: CDK copies it into the assembly."""
    folder = Path(tempfile.mkdtemp(prefix="event-invoke-config-provider-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return _stage(folder)


def provider_code(scope: IConstruct) -> lambda_.Code:
    """The provider's `Code` for a function in `scope`.

    Without asset staging CDK points the template at this folder, which must outlive the synth
    (SAM local reads it later): it is then written into the app's output directory.
    """
    if scope.node.try_get_context(DISABLE_STAGING_CONTEXT):
        stage = Stage.of(scope)
        assert stage is not None, "a construct in a stack is in a stage"
        folder = _stage(Path(stage.outdir) / UNSTAGED_FOLDER)
    else:
        folder = _process_folder()
    return lambda_.Code.from_asset(
        str(folder), asset_hash=_digest(), asset_hash_type=AssetHashType.CUSTOM
    )


@cache
def _digest() -> str:
    return source_digest(provider_contents())
