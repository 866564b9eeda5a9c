"""Run events through a Lambda handler the way the Python runtime does, in one environment.

Usage: python lambda_bootstrap.py ASSET_DIR MODULE.FUNCTION TIMEOUT_SECONDS END_MARKER

The handler is imported once (the Init phase); then each line of stdin is one event (an
invocation), and END_MARKER, on a line of its own on stdout, ends each invocation's output.
An exception from the handler is logged, as the runtime reports it, and the environment stays;
stdin closed, it exits.

Only ASSET_DIR and the interpreter's own packages (boto3 stands in for the runtime's) are
importable first; the handler's package and crhelper must come from the asset, or this fails.
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
    asset_dir, handler_name, timeout, end_marker = sys.argv[1:5]
    sys.path[0] = asset_dir  # replaces this script's folder, as the runtime's task root
    logging.basicConfig(format="[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
    module_name, function_name = handler_name.rsplit(".", 1)
    module = importlib.import_module(module_name)
    for package in (module_name.split(".")[0], "crhelper"):
        loaded_from = str(sys.modules[package].__file__)
        if not loaded_from.startswith(asset_dir):
            raise SystemExit(f"{package} was imported from {loaded_from}, not from the asset")
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
