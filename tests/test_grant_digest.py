"""The grant digest: the handler's answer, and how the construct wires it to each bucket policy.

The handler side runs under the `stubs` fixture with nothing queued, so any AWS call would fail
the test: the digest is computed from the event alone.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from event_invoke_config import EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config_provider.cloudformation import MAX_RESPONSE_BODY
from event_invoke_config_provider.grant_digest import BUCKETS, GRANT_DIGEST_TYPE, NAMES, digests
from tests.support import ORDERS_ARN, Stubs, answer, event, new_function


def digest_event(
    request_type: str, buckets: Any, names: Any = None, **changes: Any
) -> dict[str, Any]:
    echoed = {} if names is None else {NAMES: names}
    return event(
        request_type,
        ResourceType=GRANT_DIGEST_TYPE,
        LogicalResourceId="Digest",
        ResourceProperties={BUCKETS: buckets, **echoed},
        **changes,
    )


def test_a_digest_changes_with_the_values_and_not_with_their_order() -> None:
    one, two = f"{ORDERS_ARN}-1", f"{ORDERS_ARN}-2"

    same = digests({BUCKETS: {"Bucket0": [one, two]}})

    assert same == digests({BUCKETS: {"Bucket0": [two, one]}})
    assert same != digests({BUCKETS: {"Bucket0": [one, f"{ORDERS_ARN}-3"]}})
    assert set(digests({BUCKETS: {"Bucket0": [one], "Bucket3": [two]}})) == {"Bucket0", "Bucket3"}


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_create_and_update_answer_a_digest_per_bucket_with_no_aws_call(
    stubs: Stubs, responses: list[dict[str, Any]], request_type: str
) -> None:
    buckets = {"Bucket0": [ORDERS_ARN], "Bucket2": [f"{ORDERS_ARN}:live"]}
    changes = {"PhysicalResourceId": "Digest"} if request_type == "Update" else {}

    response = answer(digest_event(request_type, buckets, **changes), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", "Digest")
    assert response["Data"] == digests({BUCKETS: buckets})


def test_delete_answers_success_with_no_aws_call(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    response = answer(digest_event("Delete", {}, PhysicalResourceId="Digest"), responses)

    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", "Digest")


def test_malformed_buckets_fail_with_a_reason(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    response = answer(digest_event("Create", {"Bucket0": ORDERS_ARN}), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith(f"{BUCKETS} must map each bucket name to a list")


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_the_names_are_echoed_as_attributes(
    stubs: Stubs, responses: list[dict[str, Any]], request_type: str
) -> None:
    echoed = {"NameOfWorkerABCDEF": "orders", "NameOfLiveABCDEF": "orders:$LATEST.PUBLISHED"}
    changes = {"PhysicalResourceId": "Digest"} if request_type == "Update" else {}
    buckets = {"Bucket0": [ORDERS_ARN]}

    response = answer(digest_event(request_type, buckets, echoed, **changes), responses)

    assert response["Status"] == "SUCCESS"
    assert response["Data"] == {**digests({BUCKETS: buckets}), **echoed}


@pytest.mark.parametrize(
    "value", ["arn:aws:lambda:us-east-1:123456789012:function:orders", "f" * 65, "orders:a:b",
              "orders:" + "a" * 129, "", "orders:"],
)  # fmt: skip
def test_a_value_that_is_no_function_name_fails_naming_it(
    stubs: Stubs, responses: list[dict[str, Any]], value: str
) -> None:
    response = answer(digest_event("Create", {}, {"NameOfWorkerABCDEF": value}), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith(f"The grant digest: {NAMES}.NameOfWorkerABCDEF resolved")
    assert "not a Lambda function name (1 to 64 of letters" in response["Reason"]


@pytest.mark.parametrize("attribute", ["Bucket0", "NameOf", "NameOf-x"])
def test_a_names_attribute_outside_its_form_fails(
    stubs: Stubs, responses: list[dict[str, Any]], attribute: str
) -> None:
    buckets = {"Bucket0": [ORDERS_ARN]}

    response = answer(digest_event("Create", buckets, {attribute: "orders"}), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith(f"{NAMES} must map attribute names (NameOf, then")


def test_names_past_the_answers_share_fail_before_the_answer_is_too_large(
    stubs: Stubs, responses: list[dict[str, Any]]
) -> None:
    longest = "f" * 64 + ":" + "a" * 128
    echoed = {f"NameOf{index:02}": longest for index in range(20)}

    response = answer(digest_event("Create", {}, echoed), responses)

    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith("The grant digest: its attributes take")
    assert len(json.dumps(response).encode()) <= MAX_RESPONSE_BODY


def test_each_bucket_policy_is_described_by_the_digest_of_exactly_its_resources() -> None:
    # GIVEN configs spread over several buckets
    stack = cdk.Stack(cdk.App(), "Stack")
    for index in range(12):
        LambdaEventInvokeConfig(stack, f"Config{index}", function=new_function(stack, f"Fn{index}"))
    # WHEN
    template = Template.from_stack(stack).to_json()
    # THEN
    resources = template["Resources"]
    [(digest_id, digest)] = [(k, v) for k, v in resources.items() if v["Type"] == GRANT_DIGEST_TYPE]
    policies = [v for v in resources.values() if v["Type"] == "AWS::IAM::ManagedPolicy"]
    assert len(policies) > 1
    described: dict[str, Any] = {}
    for policy in policies:
        *_text, last = policy["Properties"]["Description"]["Fn::Join"][1]
        source, bucket = last["Fn::GetAtt"]
        assert source == digest_id
        [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
        described[bucket] = statement["Resource"]
    assert described == digest["Properties"][BUCKETS]


def test_a_provider_with_no_config_has_no_digest() -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    provider = EventInvokeConfigProvider.of(stack)
    provider.allow_function_names(["orders-*"])
    provider.allow_stack_reads(f"{stack.format_arn(service='cloudformation', resource='stack')}/*")

    Template.from_stack(stack).resource_count_is(GRANT_DIGEST_TYPE, 0)
