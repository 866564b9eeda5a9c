"""Every reason the provider writes: three parts, within the answer's budget, commands whole.

Each builder of `reasons` is called with the longest inputs CloudFormation and Lambda allow (a
64-character function name, a 128-character alias, a 128-character stack name, a 255-character
logical id, a long AWS error), for the CDK stack's own provider and for a shared one.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from event_invoke_config_provider import adoption, copies, grant_digest, live_operation, reasons
from event_invoke_config_provider.cloudformation import MAX_REASON, encoded_size
from event_invoke_config_provider.function_ref import ConfigId
from event_invoke_config_provider.properties import SHARED_PROVIDER_VARIABLE

LONGEST = ConfigId("aws-iso-b", "us-isob-east-1", "123456789012", "f" * 64, "a" * 128)
STACK_ID = (
    "arn:aws-iso-b:cloudformation:us-isob-east-1:123456789012:stack/"
    + "s" * 128
    + "/6d0c1a10-0000-0000-0000-000000000000"
)
LOGICAL_ID = "L" * 255
ERROR = ClientError(
    {"Error": {"Code": "InvalidParameterValueException", "Message": "x" * 5000}},
    "PutFunctionEventInvokeConfig",
)
ARGUMENTS: dict[str, Any] = {
    "config": LONGEST,
    "error": ERROR,
    "stack_id": STACK_ID,
    "logical_id": LOGICAL_ID,
    "parameter": copies.parameter_name(LONGEST),
    "action": "ListStackResources",
    "request_type": "Update",
    "resource_type": "Custom::" + "T" * 60,
    "status": "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "attribute": "NameOf" + "N" * 40 + "ABCDEF",
    "value": "v" * 5000,
    "size": 5000,
}
HELPERS = {"reason", "shared_provider", "delete_command", "retain_command"}
BUILDERS = [
    function
    for name, function in inspect.getmembers(reasons, inspect.isfunction)
    if function.__module__ == reasons.__name__ and name not in HELPERS
] + [
    # the reasons built beside the checks that refuse with them
    live_operation.foreign_type,
    live_operation.foreign_stack,
    live_operation.no_operation,
    adoption.adoption_off,
    grant_digest.not_a_function_name,
    grant_digest.too_large,
]
COMMANDS = [
    reasons.delete_command(LONGEST),
    reasons.retain_command(STACK_ID, LOGICAL_ID),
    f"aws ssm get-parameter --name {copies.parameter_name(LONGEST)}",
]


def _variants(builder: Callable[..., str]) -> list[dict[str, Any]]:
    """The builder's arguments; a flag is tried both ways."""
    parameters = inspect.signature(builder).parameters
    arguments = {name: ARGUMENTS[name] for name in parameters if name in ARGUMENTS}
    flags = [name for name in parameters if name not in ARGUMENTS]
    if not flags:
        return [arguments]
    [flag] = flags
    return [{**arguments, flag: True}, {**arguments, flag: False}]


@pytest.fixture(params=[None, "shared-provider-" + "p" * 100], ids=["own", "shared"])
def provider(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    if request.param is None:
        monkeypatch.delenv(SHARED_PROVIDER_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(SHARED_PROVIDER_VARIABLE, request.param)
    return str(request.param) if request.param else None


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda builder: builder.__name__)
def test_every_reason_names_what_why_and_what_to_do_and_keeps_its_commands_whole(
    builder: Callable[..., str], provider: str | None
) -> None:
    for arguments in _variants(builder):
        with mock.patch.object(reasons, "reason", wraps=reasons.reason) as parts:
            text = builder(**arguments)
        [(refused, cause, remedy, *_details)] = [call.args for call in parts.call_args_list]
        assert refused and cause and remedy[0].isupper(), (refused, cause, remedy)
        assert encoded_size(text) <= MAX_REASON
        for command in COMMANDS:
            if command.split(" --")[0] in remedy:
                assert command in text, f"{builder.__name__}: {command[:40]}... cut"
        # a command never runs into prose: what follows it is a space or the end
        for command in COMMANDS:
            for found in re.finditer(re.escape(command), text):
                assert text[found.end() : found.end() + 1] in ("", " ")
        if provider is not None and "shared provider" in cause:
            assert provider in text, "a shared provider's reason names it"


def test_a_config_of_the_longest_names_fits_its_copy_in_one_parameter() -> None:
    name = copies.parameter_name(LONGEST)
    # SSM: a name is at most 1011 characters, of a-zA-Z0-9_.-/ ("PutParameter", Name)
    assert len(name) <= 1011 and re.fullmatch(r"[A-Za-z0-9_./-]+", name)
    assert copies.parameter_name(ConfigId("aws", "us-east-1", "1" * 12, "f", "$LATEST")) != (
        copies.parameter_name(ConfigId("aws", "us-east-1", "1" * 12, "f", "LATEST"))
    )
