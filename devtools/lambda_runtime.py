"""Invoke the synthesized provider asset in a fresh interpreter, like a cold Lambda."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
REGION = "us-east-1"


@dataclass(frozen=True)
class ProviderAsset:
    """The provider function as synthesized: its staged code, handler and timeout."""

    code_dir: Path
    handler: str
    timeout_seconds: int


def environment(lambda_endpoint: str, ca_file: Path) -> dict[str, str]:
    """The function's environment: fake credentials, the local endpoints, nothing from the host."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": "provider",
        "AWS_ENDPOINT_URL_LAMBDA": lambda_endpoint,
        "SSL_CERT_FILE": str(ca_file),
        "PYTHONDONTWRITEBYTECODE": "1",  # the runtime's task root is read-only
    }


def invoke(
    asset: ProviderAsset, event: dict[str, Any], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run one event through the asset's handler; returns the process with its logs."""
    return subprocess.run(
        [
            sys.executable,
            str(BOOTSTRAP),
            str(asset.code_dir),
            asset.handler,
            str(asset.timeout_seconds),
        ],
        input=json.dumps(event),
        env=env,
        capture_output=True,
        text=True,
        timeout=asset.timeout_seconds + 30,
        check=False,
    )
