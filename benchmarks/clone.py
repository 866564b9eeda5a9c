"""A fresh clone of this repository's committed HEAD, as CI and a newcomer start from."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def fresh_clone() -> Iterator[Path]:
    """A `git clone` of the repository in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        yield clone
