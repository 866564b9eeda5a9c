"""The construct's arguments are type-checked the way jsii constructs do it, before any value."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from event_invoke_config import RESOURCE_TYPE, InvalidPropertyError, LambdaEventInvokeConfig
from tests.support import ORDERS_ARN, new_function, new_stack

QUEUE = "aws_cdk.aws_sqs.Queue"
WRONG_TYPES: list[tuple[str, dict[str, Any], str]] = [
    (
        "max_event_age as int",
        {"max_event_age": 3600},
        "type of argument max_event_age must be one of (aws_cdk.Duration, NoneType); "
        "got int instead",
    ),
    (
        "on_failure as a queue",
        {"on_failure": QUEUE},
        "type of argument on_failure must be one of (aws_cdk.aws_lambda.IDestination, str, "
        "NoneType); "
        f"got {QUEUE} instead",
    ),
    (
        "on_success as a queue",
        {"on_success": QUEUE},
        "type of argument on_success must be one of (aws_cdk.aws_lambda.IDestination, str, "
        "NoneType); "
        f"got {QUEUE} instead",
    ),
    (
        "function None",
        {"function": None},
        "type of argument function must be one of (aws_cdk.aws_lambda.IFunction, str); "
        "got NoneType instead",
    ),
    (
        "function as a queue",
        {"function": QUEUE},
        "type of argument function must be one of (aws_cdk.aws_lambda.IFunction, str); "
        f"got {QUEUE} instead",
    ),
    (
        "retry_attempts as str",
        {"retry_attempts": "1"},
        "type of argument retry_attempts must be one of (int, float, NoneType); got str instead",
    ),
    (
        "retry_attempts as bool",
        {"retry_attempts": True},
        "type of argument retry_attempts must be one of (int, float, NoneType); got bool instead",
    ),
    (
        "qualifier as int",
        {"qualifier": 3},
        "type of argument qualifier must be one of (str, NoneType); got int instead",
    ),
    (
        "adopt_existing as str",
        {"adopt_existing": "true"},
        "type of argument adopt_existing must be bool; got str instead",
    ),
    (
        "adopt_existing None",
        {"adopt_existing": None},
        "type of argument adopt_existing must be bool; got NoneType instead",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "message"), [(k, m) for _, k, m in WRONG_TYPES], ids=[i for i, _, _ in WRONG_TYPES]
)
def test_a_wrong_type_raises_type_error_naming_the_argument(
    kwargs: dict[str, Any], message: str
) -> None:
    # GIVEN a stack, and a queue where a queue does not belong
    stack = new_stack()
    queue = sqs.Queue(stack, "Queue")
    arguments = {"function": "orders", **kwargs}
    arguments = {key: queue if value == QUEUE else value for key, value in arguments.items()}
    # WHEN / THEN
    with pytest.raises(TypeError) as raised:
        LambdaEventInvokeConfig(stack, "Async", **arguments)
    assert str(raised.value) == message


def test_the_messages_are_the_ones_jsii_gives_for_the_same_types() -> None:
    # GIVEN an aws_cdk construct with arguments of the same kinds: an optional Duration, number
    stack = new_stack()
    jsii_messages: list[str] = []
    for kwargs in ({"max_event_age": 3600}, {"retry_attempts": "1"}):
        with pytest.raises(TypeError) as raised:
            new_function(stack, f"Fn{len(jsii_messages)}", **kwargs)
        jsii_messages.append(str(raised.value))
    ours: list[str] = []
    for kwargs in ({"max_event_age": 3600}, {"retry_attempts": "1"}):
        with pytest.raises(TypeError) as raised:
            LambdaEventInvokeConfig(stack, "Async", function="orders", **kwargs)
        ours.append(str(raised.value))
    # THEN both say the same
    assert ours == jsii_messages


@pytest.mark.parametrize(("given", "written"), [(1.0, 1), (0.0, 0), (2, 2)])
def test_retry_attempts_as_a_whole_float_is_accepted_as_jsii_does(
    given: float, written: int
) -> None:
    stack = new_stack()
    LambdaEventInvokeConfig(stack, "Async", function="orders", retry_attempts=given)
    properties = next(iter(Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()))
    assert properties["Properties"]["MaximumRetryAttempts"] == written
    assert isinstance(properties["Properties"]["MaximumRetryAttempts"], int)


@pytest.mark.parametrize("given", [1.5, float("nan"), float("inf"), 3.0])
def test_retry_attempts_not_whole_or_out_of_range_is_a_bad_value(given: float) -> None:
    with pytest.raises(InvalidPropertyError, match="retry_attempts must be a whole number from 0"):
        LambdaEventInvokeConfig(new_stack(), "Async", function="orders", retry_attempts=given)


def test_the_type_is_checked_before_the_value() -> None:
    # GIVEN an out-of-range value of the wrong type, and a bad value beside a wrong type
    stack = new_stack()
    # WHEN / THEN the TypeError wins, and nothing was added to the stack
    with pytest.raises(
        TypeError, match=r"retry_attempts must be one of \(int, float, NoneType\); got str"
    ):
        LambdaEventInvokeConfig(stack, "Async", function="orders", retry_attempts="99")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_event_age"):
        LambdaEventInvokeConfig(stack, "Async", function="not a function name", max_event_age=3600)  # type: ignore[arg-type]
    assert stack.node.try_find_child("Async") is None


def test_scope_and_id_are_checked_too() -> None:
    with pytest.raises(TypeError, match=r"type of argument scope must be constructs\.Construct"):
        LambdaEventInvokeConfig("stack", "Async", function="orders")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="type of argument construct_id must be str; got int"):
        LambdaEventInvokeConfig(new_stack(), 7, function="orders")  # type: ignore[arg-type]


@jsii.implements(lambda_.IDestination)
class OwnDestination:
    """A destination written in Python, as a user would write one."""

    def bind(
        self,
        _scope: Any,
        _fn: lambda_.IFunction,
        *,
        type: lambda_.DestinationType | None = None,
    ) -> lambda_.DestinationConfig:
        return lambda_.DestinationConfig(destination=ORDERS_ARN + "-sink")


def test_every_accepted_type_passes() -> None:
    # GIVEN each kind of value the signature allows
    stack = new_stack()
    fn = new_function(stack)
    retries = cdk.CfnParameter(stack, "Retries", type="Number").value_as_number
    age = cdk.CfnParameter(stack, "Age", type="Number").value_as_number
    version = lambda_.Version.from_version_arn(stack, "V", ORDERS_ARN + ":3")
    imported = lambda_.Function.from_function_attributes(
        stack, "F", function_arn=ORDERS_ARN + "-b", role=fn.role
    )
    # WHEN
    LambdaEventInvokeConfig(
        stack,
        "Object",
        function=fn,
        retry_attempts=retries,
        max_event_age=cdk.Duration.seconds(age),
        on_failure=destinations.SqsDestination(sqs.Queue(stack, "Queue")),
        on_success=OwnDestination(),
        adopt_existing=True,
    )
    LambdaEventInvokeConfig(stack, "Version", function=version, retry_attempts=0)
    LambdaEventInvokeConfig(stack, "Imported", function=imported, on_success=OwnDestination())
    LambdaEventInvokeConfig(
        stack, "Strings", function="orders", qualifier="live", on_failure=ORDERS_ARN + "-dlq"
    )
    # THEN
    template = Template.from_stack(stack)
    template.resource_count_is(RESOURCE_TYPE, 4)
    template.has_resource_properties(
        RESOURCE_TYPE,
        {
            "MaximumRetryAttempts": {"Ref": "Retries"},
            "MaximumEventAgeInSeconds": {"Ref": "Age"},
            "DestinationConfig": {"OnSuccess": {"Destination": ORDERS_ARN + "-sink"}},
            "AdoptExisting": "true",
        },
    )
