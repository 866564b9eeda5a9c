"""ResourceProperties -> put arguments: conversion, limits from the model, and every bad input."""

from __future__ import annotations

from typing import Any

import pytest

from event_invoke_config_provider.cloudformation import MAX_REASON
from event_invoke_config_provider.function_ref import Environment, FunctionRef, parse_physical_id
from event_invoke_config_provider.properties import InvalidPropertyError, parse_properties
from tests.support import BAD_INPUTS, BUCKET

QUEUE = "arn:aws:sqs:us-east-1:123456789012:failures"
HOME = Environment("aws", "us-east-1", "123456789012")
ORDERS = "arn:aws:lambda:us-east-1:123456789012:function:orders"


def test_strings_from_cloudformation_become_the_api_types() -> None:
    request = parse_properties(
        {
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
            "ServiceTimeout": "300",
            "FunctionName": "orders",
            "Qualifier": "live",
            "MaximumRetryAttempts": "0",
            "MaximumEventAgeInSeconds": "3600",
            "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
        },
    )

    assert {**request.config_id(HOME).api_target, **request.settings} == {
        "FunctionName": ORDERS,
        "Qualifier": "live",
        "MaximumRetryAttempts": 0,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
    }
    assert request.adopt_existing is False


def test_settings_left_out_are_left_out_of_the_request() -> None:
    request = parse_properties({"FunctionName": "orders"})

    assert {**request.config_id(HOME).api_target, **request.settings} == {"FunctionName": ORDERS}


@pytest.mark.parametrize(
    "spelling",
    [
        {"FunctionName": "orders", "Qualifier": "live"},
        {"FunctionName": "orders:live"},
        {"FunctionName": "orders:live", "Qualifier": "live"},
        {"FunctionName": "123456789012:function:orders:live"},
        {"FunctionName": f"{ORDERS}:live"},
        {"FunctionName": ORDERS, "Qualifier": "live"},
    ],
)
def test_every_spelling_of_one_config_has_the_same_physical_id(spelling: dict[str, str]) -> None:
    request = parse_properties(spelling)

    assert request.config_id(HOME).physical_id == f"{ORDERS}:live"


def test_unqualified_and_latest_are_the_same_config() -> None:
    ids = {
        parse_properties(spelling).config_id(HOME).physical_id
        for spelling in (
            {"FunctionName": "orders"},
            {"FunctionName": "orders:$LATEST"},
            {"FunctionName": "orders", "Qualifier": "$LATEST"},
        )
    }

    assert ids == {f"{ORDERS}:$LATEST"}


@pytest.mark.parametrize(("value", "adopt"), [("true", True), ("false", False), (True, True)])
def test_adopt_existing_is_read_and_never_sent_to_lambda(value: object, adopt: bool) -> None:
    request = parse_properties({"FunctionName": "orders", "AdoptExisting": value})

    assert request.adopt_existing is adopt
    assert {**request.config_id(HOME).api_target, **request.settings} == {"FunctionName": ORDERS}


ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    ("function_name", "expected"),
    [
        ("orders", FunctionRef("orders")),
        ("orders.v2", FunctionRef("orders.v2")),
        ("orders:live", FunctionRef("orders", "live")),
        ("orders:$LATEST", FunctionRef("orders", "$LATEST")),
        ("orders:$LATEST.PUBLISHED", FunctionRef("orders", "$LATEST.PUBLISHED")),
        (f"{ACCOUNT}:function:orders", FunctionRef("orders", account=ACCOUNT)),
        (ORDERS, FunctionRef("orders", None, ACCOUNT, "us-east-1", "aws")),
        (f"{ORDERS}:7", FunctionRef("orders", "7", ACCOUNT, "us-east-1", "aws")),
        (
            f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:orders",
            FunctionRef("orders", None, ACCOUNT, "cn-north-1", "aws-cn"),
        ),
        (
            f"arn:aws-eusc:lambda:eusc-de-east-1:{ACCOUNT}:function:orders",
            FunctionRef("orders", None, ACCOUNT, "eusc-de-east-1", "aws-eusc"),
        ),
        (
            f"arn:aws-iso-f:lambda:us-isof-south-1:{ACCOUNT}:function:orders",
            FunctionRef("orders", None, ACCOUNT, "us-isof-south-1", "aws-iso-f"),
        ),
    ],
)
def test_every_documented_function_form_is_read(function_name: str, expected: FunctionRef) -> None:
    assert parse_properties({"FunctionName": function_name}).function == expected


@pytest.mark.parametrize(
    "destination",
    [
        QUEUE,
        "arn:aws:sns:us-east-1:123456789012:topic",
        "arn:aws:lambda:us-east-1:123456789012:function:other",
        "arn:aws:events:us-east-1:123456789012:event-bus/default",
        "arn:aws-cn:sqs:cn-north-1:123456789012:failures",
    ],
)
def test_documented_destinations_pass_on_success_and_on_failure(destination: str) -> None:
    config = {"OnSuccess": {"Destination": destination}, "OnFailure": {"Destination": destination}}

    request = parse_properties({"FunctionName": "f", "DestinationConfig": config})

    assert request.settings["DestinationConfig"] == config


def test_s3_is_a_destination_on_failure() -> None:
    config = {"OnFailure": {"Destination": BUCKET}}
    request = parse_properties({"FunctionName": "f", "DestinationConfig": config})

    assert request.settings["DestinationConfig"] == config


@pytest.mark.parametrize(
    ("properties", "reason"), [(p, r) for _, p, r in BAD_INPUTS], ids=[i for i, _, _ in BAD_INPUTS]
)
def test_bad_input_names_the_property_and_what_is_allowed(
    properties: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidPropertyError) as raised:
        parse_properties(properties)

    assert reason in str(raised.value)
    assert len(str(raised.value)) <= MAX_REASON, "a longer reason is cut"


@pytest.mark.parametrize(
    "function_name",
    [
        "210987654321:function:orders",
        "arn:aws:lambda:eu-west-1:123456789012:function:orders",
        "arn:aws-cn:lambda:us-east-1:123456789012:function:orders",
    ],
)
def test_a_function_outside_the_providers_account_and_region_is_refused(
    function_name: str,
) -> None:
    request = parse_properties({"FunctionName": function_name})

    with pytest.raises(InvalidPropertyError, match="FunctionName must be a function in the "):
        request.config_id(HOME)


@pytest.mark.parametrize(
    "spelling",
    ["orders", "orders:7", "orders:live", "orders:$LATEST.PUBLISHED", f"{ORDERS}:a-b_c"],
)
def test_every_config_id_reads_back_from_its_physical_id(spelling: str) -> None:
    config = parse_properties({"FunctionName": spelling}).config_id(HOME)

    assert parse_physical_id(config.physical_id) == config
