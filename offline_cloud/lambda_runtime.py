"""Invoke the synthesized provider asset in a fresh interpreter, like a cold Lambda."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fake_aws import client_environment

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
# Interpreter start-up, which Lambda's init phase would not count against the timeout.
STARTUP_SECONDS = 5.0


@dataclass(frozen=True)
class ProviderAsset:
    """The provider function as synthesized: its staged code, handler and timeout."""

    code_dir: Path
    handler: str
    timeout_seconds: int


def environment(
    lambda_endpoint: str, ca_file: Path, cloudformation_endpoint: str | None = None
) -> dict[str, str]:
    """The function's environment: fake credentials, the local endpoints, nothing from the host."""
    endpoints = {"AWS_ENDPOINT_URL_LAMBDA": lambda_endpoint}
    if cloudformation_endpoint is not None:
        endpoints["AWS_ENDPOINT_URL_CLOUDFORMATION"] = cloudformation_endpoint
    return {
        **endpoints,
        "PATH": os.environ.get("PATH", ""),
        **client_environment(),
        "AWS_SESSION_TOKEN": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": "provider",
        "SSL_CERT_FILE": str(ca_file),
        "PYTHONDONTWRITEBYTECODE": "1",  # the runtime's task root is read-only
    }


def start(asset: ProviderAsset, event: dict[str, Any], env: dict[str, str]) -> Invocation:
    """Start one event through the asset's handler; the invocation runs until it returns."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(BOOTSTRAP),
            str(asset.code_dir),
            asset.handler,
            str(asset.timeout_seconds),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    timeout_at = time.monotonic() + STARTUP_SECONDS + asset.timeout_seconds
    return Invocation(process, json.dumps(event), timeout_at)


class Invocation:
    """A running invocation; Lambda ends it at its timeout, as the runtime would."""

    def __init__(self, process: subprocess.Popen[str], event: str, timeout_at: float) -> None:
        self._process = process
        self._input: str | None = event
        self._timeout_at = timeout_at
        self.logs = ""

    def wait(self, until: float) -> bool:
        """Wait until it ends or until `until` (monotonic); True if it has ended."""
        if self._process.returncode is None and time.monotonic() >= self._timeout_at:
            self._process.kill()
        seconds = max(0.0, min(until, self._timeout_at) - time.monotonic())
        try:
            stdout, stderr = self._process.communicate(self._input, timeout=seconds)
        except subprocess.TimeoutExpired:
            self._input = None  # written already
            return self.wait(until) if time.monotonic() >= self._timeout_at else False
        self._input = None
        self.logs = self.logs or stdout + stderr
        return True
