"""Run events through a Lambda handler the way the Python runtime does, in one environment.

Usage: python -S lambda_bootstrap.py ASSET_DIR SDK_DIR MODULE.FUNCTION TIMEOUT_SECONDS END_MARKER

The handler is imported once (the Init phase); then each line of stdin is one event (an
invocation), and END_MARKER, on a line of its own on stdout, ends each invocation's output.
An exception from the handler is logged, as the runtime reports it, and the environment stays;
stdin closed, it exits.

Only ASSET_DIR, then SDK_DIR (the runtime's boto3) and the standard library are importable, as in
Lambda's python runtime; the handler's package and crhelper must come from the asset, and boto3 and
botocore from SDK_DIR, or this fails.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import time
import traceback
import uuid


class LambdaContext:
    """The attributes of the runtime's context object that handlers use."""

    def __init__(self, function_name: str, timeout_seconds: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.memory_limit_in_mb = 256
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the timeout given at start."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    """Import the handler from the asset, then call it with each event read from stdin."""
    asset_dir, sdk_dir, handler_name, timeout, end_marker = sys.argv[1:6]
    sys.path[0:1] = [asset_dir, sdk_dir]  # the task root, then the runtime's SDK
    logging.basicConfig(format="[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
    module_name, function_name = handler_name.rsplit(".", 1)
    module = importlib.import_module(module_name)
    origins = {module_name.split(".")[0]: asset_dir, "crhelper": asset_dir}
    origins.update(dict.fromkeys(("boto3", "botocore"), sdk_dir) if "boto3" in sys.modules else {})
    for package, folder in origins.items():
        loaded_from = str(sys.modules[package].__file__)
        if not loaded_from.startswith(folder):
            raise SystemExit(f"{package} was imported from {loaded_from}, not from {folder}")
    handler = getattr(module, function_name)
    while line := sys.stdin.readline():
        try:
            handler(json.loads(line), LambdaContext("provider", float(timeout)))
        except Exception:  # the runtime reports it, and the environment stays
            traceback.print_exc()
        sys.stderr.flush()
        print(f"\n{end_marker}", flush=True)


if __name__ == "__main__":
    main()
