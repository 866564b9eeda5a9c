"""Capture PutFunctionEventInvokeConfig's limits from the installed botocore's Lambda model.

Usage: `.venv/bin/python release/capture_limits.py` rewrites
handler/event_invoke_config_provider/model_limits.py, the one set of limits the provider, the
construct and the cfn-lint rule check against. Run it after raising the pinned botocore, when
tests/test_limits.py says the model's limits changed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore
import botocore.session

from event_invoke_config_provider.limits import IntegerLimit, PutLimits, StringLimit

OPERATION = "PutFunctionEventInvokeConfig"
MODEL_LIMITS = (
    Path(__file__).resolve().parent.parent / "handler/event_invoke_config_provider/model_limits.py"
)


def _string(shape: Any) -> StringLimit:
    meta = shape.metadata
    return StringLimit(
        meta.get("min", 0), meta.get("max", 2**31), re.compile(meta.get("pattern", ".*"))
    )


def _integer(shape: Any) -> IntegerLimit:
    return IntegerLimit(shape.metadata["min"], shape.metadata["max"])


def put_limits(service_model: Any) -> PutLimits:
    """Read the limits from a Lambda `ServiceModel`."""
    members = service_model.operation_model(OPERATION).input_shape.members
    destination = members["DestinationConfig"].members["OnFailure"].members["Destination"]
    return PutLimits(
        function_name=_string(members["FunctionName"]),
        qualifier=_string(members["Qualifier"]),
        retry_attempts=_integer(members["MaximumRetryAttempts"]),
        event_age=_integer(members["MaximumEventAgeInSeconds"]),
        destination=_string(destination),
    )


def installed_put_limits() -> PutLimits:
    """The limits of the installed botocore's Lambda model."""
    return put_limits(botocore.session.get_session().get_service_model("lambda"))


def _render_string(limit: StringLimit) -> str:
    return (
        f"StringLimit({limit.min_length}, {limit.max_length}, "
        f"re.compile({limit.pattern.pattern!r}))"
    )


def render(limits: PutLimits, botocore_version: str) -> str:
    """model_limits.py's source for `limits`, captured from botocore `botocore_version`."""
    members = {
        "function_name": _render_string(limits.function_name),
        "qualifier": _render_string(limits.qualifier),
        "retry_attempts": f"IntegerLimit({limits.retry_attempts.minimum}, "
        f"{limits.retry_attempts.maximum})",
        "event_age": f"IntegerLimit({limits.event_age.minimum}, {limits.event_age.maximum})",
        "destination": _render_string(limits.destination),
    }
    body = "".join(f"    {name}={value},\n" for name, value in members.items())
    return (
        f'"""{OPERATION}\'s limits, captured from botocore {botocore_version}\'s Lambda model.\n\n'
        "Written by `python release/capture_limits.py`; do not edit. tests/test_limits.py holds\n"
        'them against the model of the botocore that requirements.txt pins.\n"""\n\n'
        "import re\n\n"
        "from .limits import IntegerLimit, PutLimits, StringLimit\n\n"
        f'CAPTURED_FROM_BOTOCORE = "{botocore_version}"\n'
        f"PUT_LIMITS = PutLimits(\n{body})\n"
    )


def main() -> None:
    """Rewrite model_limits.py from the installed botocore, formatted as `make lint` wants."""
    MODEL_LIMITS.write_text(render(installed_put_limits(), botocore.__version__))
    subprocess.run([Path(sys.executable).with_name("ruff"), "format", MODEL_LIMITS], check=True)
    print(f"{MODEL_LIMITS}: limits of botocore {botocore.__version__}")


if __name__ == "__main__":
    main()
