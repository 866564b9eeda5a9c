"""Which files make the provider's code bundle: the handler package's and crhelper's Python sources.

The CDK construct stages them as its asset and `make release` zips them, so both ship the same
bytes. The packages are found with `importlib`, without importing them or aws_cdk, so the release
needs neither Node nor the CDK.
"""

from __future__ import annotations

import importlib.util
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
