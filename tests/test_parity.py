"""The construct refuses at synth, and the cfn-lint rule before deploy, every bad input of the
provider's table they can express, in the provider's words: the same check, on the same shipped
limits, runs in all three, named by each side's own property name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_cdk import Duration

from cfnlint_rules.event_invoke_config import problems
from event_invoke_config import InvalidPropertyError, LambdaEventInvokeConfig
from event_invoke_config_provider.properties import parse_properties
from tests.support import BAD_INPUTS, new_stack

# A number as the construct takes it (jsii passes a JavaScript double: 15 significant digits at
# most) and CloudFormation sends it back: ASCII, no leading zero.
_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?")
# Template property -> the construct argument it is written from.
ARGUMENTS = {
    "FunctionName": "function",
    "Qualifier": "qualifier",
    "MaximumRetryAttempts": "retry_attempts",
    "MaximumEventAgeInSeconds": "max_event_age",
    "DestinationConfig.OnSuccess.Destination": "on_success",
    "DestinationConfig.OnFailure.Destination": "on_failure",
}
# The name each side's message gives the value: the construct names its argument.
CONSTRUCT_NAMES = {**ARGUMENTS, "MaximumEventAgeInSeconds": "max_event_age (seconds)"}


def _flat(properties: dict[str, Any]) -> dict[str, Any] | None:
    """`{"A.B.C": value}` for each leaf; None when a property is not a string (the construct
    writes strings and numbers that CloudFormation sends as strings) or has no argument."""
    flat: dict[str, Any] = {}
    for key, value in properties.items():
        if isinstance(value, dict):
            inner = _flat({f"{key}.{k}": v for k, v in value.items()})
            if not value or inner is None:
                return None
            flat.update(inner)
        elif isinstance(value, str) and key in ARGUMENTS:
            flat[key] = value
        else:
            return None
    return flat


def _number(text: str) -> int | float | None:
    if not _NUMBER.fullmatch(text):
        return None
    return float(text) if "." in text else int(text)


def construct_arguments(properties: dict[str, Any]) -> dict[str, tuple[Any, Any]] | None:
    """Each property's construct argument and the value the construct's check sees, or None
    when the construct cannot write these properties."""
    flat = _flat(properties)
    if flat is None or "FunctionName" not in flat:
        return None
    arguments: dict[str, tuple[Any, Any]] = {}
    for key, text in flat.items():
        if key not in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
            arguments[ARGUMENTS[key]] = (text, text)
            continue
        number = _number(text)
        if number is None:
            return None
        given = Duration.seconds(number) if key == "MaximumEventAgeInSeconds" else number
        arguments[ARGUMENTS[key]] = (given, number)
    return arguments


EXPRESSIBLE = [row for row in BAD_INPUTS if construct_arguments(row[1]) is not None]


def test_the_construct_can_express_most_of_the_table() -> None:
    inexpressible = {name for name, properties, _ in BAD_INPUTS} - {row[0] for row in EXPRESSIBLE}

    assert len(EXPRESSIBLE) >= 20
    assert "qualifier the physical id could not name" not in inexpressible
    assert {"missing function", "unknown property", "retries float type"} <= inexpressible


@pytest.mark.parametrize(
    "properties", [row[1] for row in EXPRESSIBLE], ids=[row[0] for row in EXPRESSIBLE]
)
def test_synth_refuses_what_the_provider_refuses_in_its_words(properties: dict[str, Any]) -> None:
    with pytest.raises(InvalidPropertyError) as provider:
        parse_properties(properties)
    arguments = construct_arguments(properties)
    assert arguments is not None
    expected = str(provider.value)
    for key, value in (_flat(properties) or {}).items():
        if expected.startswith(key):
            _, checked = arguments[ARGUMENTS[key]]
            expected = CONSTRUCT_NAMES[key] + expected[len(key) :]
            expected = expected.replace(f"got {value!r}", f"got {checked!r}")

    with pytest.raises(InvalidPropertyError) as synth:
        LambdaEventInvokeConfig(
            new_stack(), "Config", **{name: given for name, (given, _) in arguments.items()}
        )

    assert str(synth.value) == expected


@pytest.mark.parametrize(
    "properties", [row[1] for row in BAD_INPUTS], ids=[row[0] for row in BAD_INPUTS]
)
def test_the_lint_rule_refuses_what_the_provider_refuses_in_its_words(
    properties: dict[str, Any],
) -> None:
    with pytest.raises(InvalidPropertyError) as provider:
        parse_properties(properties)

    assert [reason for _, reason in problems(properties)] == [str(provider.value)]
