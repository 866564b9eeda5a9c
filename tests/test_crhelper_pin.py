"""The bundle carries one crhelper release, byte for byte: its version pinned, each file's sha256.

The pinned hashes are held to the installed distribution's RECORD (what its wheel declared) and
to what the CDK asset and the release zip carry; any other bytes are refused.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

import make_release
from event_invoke_config_bundle import (
    CRHELPER_SHA256,
    CRHELPER_VERSION,
    LICENSES,
    check_crhelper,
    provider_contents,
)
from tests.support import ROOT


def crhelper_hashes(files: dict[str, bytes]) -> dict[str, str]:
    """The sha256 of each crhelper file among `files`, by its path in the bundle."""
    return {
        name: hashlib.sha256(data).hexdigest()
        for name, data in files.items()
        if name.startswith(("crhelper/", f"{LICENSES}/crhelper/"))
    }


def test_the_cdk_asset_carries_exactly_the_pinned_crhelper_files() -> None:
    assert crhelper_hashes(provider_contents()) == CRHELPER_SHA256


@pytest.mark.slow
def test_the_release_zip_carries_exactly_the_pinned_crhelper_files(dist: Path) -> None:
    zipped = make_release.zip_contents(dist / make_release.ZIP_NAME)

    assert crhelper_hashes(zipped) == CRHELPER_SHA256


def test_the_pinned_hashes_are_those_the_installed_release_declares() -> None:
    # GIVEN the installed crhelper's RECORD: path,sha256=<urlsafe base64, unpadded>,size
    installed = importlib.metadata.distribution("crhelper")
    assert installed.version == CRHELPER_VERSION
    declared = {
        file.as_posix(): base64.urlsafe_b64decode(file.hash.value + "==").hex()
        for file in installed.files or []
        if file.hash is not None and file.hash.mode == "sha256"
    }
    # THEN each pinned file is there, in its package or among the dist-info's licences
    info = f"crhelper-{CRHELPER_VERSION}.dist-info"
    for name, digest in CRHELPER_SHA256.items():
        recorded = name.replace(f"{LICENSES}/crhelper", info)
        assert declared[recorded] == digest, name


def test_every_install_of_crhelper_is_pinned_to_that_release() -> None:
    pinned = re.compile(r"^crhelper==(\S+?)\s*\\?$", re.MULTILINE)
    for requirements in ("requirements.txt", "requirements-release.txt"):
        assert pinned.findall((ROOT / requirements).read_text()) == [CRHELPER_VERSION]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    crhelper = [spec for spec in project["dependencies"] if spec.startswith("crhelper")]
    assert crhelper == [f"crhelper=={CRHELPER_VERSION}"]


@pytest.mark.parametrize(
    "change",
    ["a byte changed", "a file missing", "a file added"],
)
def test_any_other_crhelper_bytes_are_refused_naming_the_file(change: str) -> None:
    files = dict(provider_contents())
    if change == "a byte changed":
        name = "crhelper/utils.py"
        files[name] += b"\n"
    elif change == "a file missing":
        name = "crhelper/resource_helper.py"
        del files[name]
    else:
        name = "crhelper/patched.py"
        files[name] = b""

    with pytest.raises(
        LookupError, match=f"^{re.escape(name)} is not crhelper {CRHELPER_VERSION}'s"
    ):
        check_crhelper(files)
