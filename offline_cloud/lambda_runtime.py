"""Invoke the synthesized provider asset in execution environments that Lambda reuses.

An environment's Init runs once; it stays warm for the function's next invocation, one at a time; a
busy one means a new, cold one; a timeout or a crash takes it along. Each sees the asset, the
runtime's SDK and the standard library only. docs/design.md, "The offline cloud", "The Lambda
runtime".
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fake_aws import client_environment

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
# Interpreter start-up, which Lambda's init phase would not count against the timeout.
STARTUP_SECONDS = 5.0
# How long a warm environment has to exit once its stdin closes, before it is killed.
SHUTDOWN_SECONDS = 5.0


@dataclass(frozen=True)
class ProviderAsset:
    """The provider function as synthesized: its staged code, handler and timeout."""

    code_dir: Path
    handler: str
    timeout_seconds: int


def environment(
    moto_endpoint: str, ca_file: Path, cloudformation_endpoint: str | None = None
) -> dict[str, str]:
    """The function's environment: fake credentials, the local endpoints, nothing from the host.

    Lambda and SSM are moto's (`moto_endpoint`), CloudFormation the stack API's if given.
    """
    endpoints = {"AWS_ENDPOINT_URL_LAMBDA": moto_endpoint, "AWS_ENDPOINT_URL_SSM": moto_endpoint}
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


class ExecutionEnvironment:
    """One interpreter with the handler imported, taking one invocation at a time.

    Its output (stdout and stderr, merged) is read by a thread; each invocation's output ends
    with a marker only this environment knows, so a handler cannot end an invocation by printing.
    """

    def __init__(self, asset: ProviderAsset, env: dict[str, str], sdk: Path) -> None:
        end_marker = f"--- invocation ended {uuid.uuid4().hex} ---"
        self._end_marker = f"\n{end_marker}\n".encode()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-S",  # no site-packages: the asset and the SDK are the whole path
                str(BOOTSTRAP),
                str(asset.code_dir),
                str(sdk),
                asset.handler,
                str(asset.timeout_seconds),
                end_marker,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self._output = bytearray()
        self._exited = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := os.read(self.process.stdout.fileno(), 65536):
            with self._changed:
                self._output += chunk
                self._changed.notify_all()
        self.process.stdout.close()
        with self._changed:
            self._exited = True
            self._changed.notify_all()

    def send(self, event: dict[str, Any]) -> bool:
        """Hand the environment one event; False if its process is gone."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(event).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            return False
        return True

    def output_until_end(self, until: float) -> tuple[str, bool] | None:
        """The invocation's output and whether it ended normally (False: the process exited),
        once it ends; None if it has not ended by `until` (monotonic)."""
        with self._changed:
            while True:
                end = self._output.find(self._end_marker)
                if end >= 0:
                    logs = bytes(self._output[:end])
                    del self._output[: end + len(self._end_marker)]
                    return logs.decode(errors="replace"), True
                if self._exited:
                    logs = bytes(self._output)
                    self._output.clear()
                    return logs.decode(errors="replace"), False
                seconds = until - time.monotonic()
                if seconds <= 0:
                    return None
                self._changed.wait(seconds)

    def kill(self) -> str:
        """End the process now; returns the output it left."""
        self.process.kill()
        self.process.wait()
        self._reader.join()
        self._close_stdin()
        with self._changed:
            logs = bytes(self._output)
            self._output.clear()
        return logs.decode(errors="replace")

    def shut_down(self) -> None:
        """Close its stdin (the bootstrap exits), killing it if it does not exit in time."""
        self._close_stdin()
        try:
            self.process.wait(SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join()

    def _close_stdin(self) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):  # a dead process: nothing to flush to
            self.process.stdin.close()


EnvironmentKey = tuple[ProviderAsset, tuple[tuple[str, str], ...]]


class LambdaRuntime:
    """Execution environments per function: warm ones reused, one invocation each at a time.

    `sdk`: the folder of the runtime's boto3 (offline_cloud/lambda_sdk.py).
    """

    def __init__(self, sdk: Path) -> None:
        self.sdk = sdk
        self._idle: dict[EnvironmentKey, list[ExecutionEnvironment]] = {}
        self._all: list[ExecutionEnvironment] = []
        self._lock = threading.Lock()

    def invoke(
        self, asset: ProviderAsset, event: dict[str, Any], env: dict[str, str]
    ) -> Invocation:
        """Start one event through the asset's handler, in a warm environment if one is idle."""
        key: EnvironmentKey = (asset, tuple(sorted(env.items())))
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                warm = idle.pop()
                if warm.send(event):
                    return Invocation(self, key, warm, time.monotonic() + asset.timeout_seconds)
                self._discard(warm)  # its process died while idle
                warm.shut_down()
            cold = ExecutionEnvironment(asset, env, self.sdk)
            self._all.append(cold)
        cold.send(event)
        timeout_at = time.monotonic() + STARTUP_SECONDS + asset.timeout_seconds
        return Invocation(self, key, cold, timeout_at)

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The processes of every environment not shut down yet."""
        with self._lock:
            return [environment.process for environment in self._all]

    def release(self, key: EnvironmentKey, environment: ExecutionEnvironment) -> None:
        """Keep an environment whose invocation ended normally for the next one."""
        with self._lock:
            if environment in self._all:
                self._idle.setdefault(key, []).append(environment)
                return
        environment.shut_down()  # the runtime closed meanwhile

    def retire(self, environment: ExecutionEnvironment) -> None:
        """Shut an environment down for good."""
        with self._lock:
            self._discard(environment)
        environment.shut_down()

    def _discard(self, environment: ExecutionEnvironment) -> None:
        if environment in self._all:
            self._all.remove(environment)

    def close(self) -> None:
        """End every environment's process, idle or busy."""
        with self._lock:
            environments, self._all, self._idle = self._all, [], {}
        for environment in environments:
            environment.kill()


class Invocation:
    """A running invocation; Lambda ends it at its timeout, as the runtime would."""

    def __init__(
        self,
        runtime: LambdaRuntime,
        key: EnvironmentKey,
        environment: ExecutionEnvironment,
        timeout_at: float,
    ) -> None:
        self._runtime, self._key, self._environment = runtime, key, environment
        self._timeout_at = timeout_at
        self._ended = False
        self.pid = environment.process.pid
        self.logs = ""

    def wait(self, until: float) -> bool:
        """Wait until it ends or until `until` (monotonic); True if it has ended."""
        if self._ended:
            return True
        ended = self._environment.output_until_end(min(until, self._timeout_at))
        if ended is None:
            if time.monotonic() < self._timeout_at:
                return False
            self.logs = self._environment.kill()  # timed out: the environment goes with it
            self._runtime.retire(self._environment)
        else:
            self.logs, normally = ended
            if normally:
                self._runtime.release(self._key, self._environment)
            else:
                self._runtime.retire(self._environment)
        self._ended = True
        return True
