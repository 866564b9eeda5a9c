"""One set of limits: captured from the pinned botocore's Lambda model, shipped as code, read by
the provider, the construct and the cfn-lint rule alike, whatever botocore each one meets."""

from __future__ import annotations

import botocore
import pytest

from capture_limits import installed_put_limits, put_limits, render
from event_invoke_config_provider import model_limits
from event_invoke_config_provider.limits import PutLimits, StringLimit
from event_invoke_config_provider.properties import InvalidPropertyError, parse_properties

ORDERS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:" + "orders" * 10


def _comparable(limits: PutLimits) -> dict[str, object]:
    """The limits with each pattern as its source text (compiled patterns compare by identity)."""
    return {
        name: (value.min_length, value.max_length, value.pattern.pattern)
        if isinstance(value, StringLimit)
        else value
        for name, value in vars(limits).items()
    }


def test_the_shipped_limits_are_the_pinned_botocores_model() -> None:
    assert botocore.__version__ == model_limits.CAPTURED_FROM_BOTOCORE, (
        "requirements.txt pins another botocore: run `.venv/bin/python release/capture_limits.py`"
    )
    assert _comparable(model_limits.PUT_LIMITS) == _comparable(installed_put_limits())


def test_the_capture_reads_what_the_model_says() -> None:
    model = botocore.session.get_session().get_service_model("lambda")
    members = model.operation_model("PutFunctionEventInvokeConfig").input_shape.members

    limits = put_limits(model)

    assert (limits.retry_attempts.minimum, limits.retry_attempts.maximum) == (0, 2)
    assert (limits.event_age.minimum, limits.event_age.maximum) == (60, 21600)
    assert limits.qualifier.pattern.pattern == members["Qualifier"].metadata["pattern"]
    assert limits.function_name.max_length == members["FunctionName"].metadata["max"]


def test_the_rendered_module_holds_the_limits_it_was_given() -> None:
    namespace: dict[str, object] = {}
    source = render(installed_put_limits(), "9.9.9").replace(
        "from .limits", "from event_invoke_config_provider.limits"
    )

    exec(compile(source, "model_limits.py", "exec"), namespace)

    assert namespace["CAPTURED_FROM_BOTOCORE"] == "9.9.9"
    rendered = namespace["PUT_LIMITS"]
    assert isinstance(rendered, PutLimits)
    assert _comparable(rendered) == _comparable(installed_put_limits())


@pytest.mark.parametrize(
    ("properties", "accepted"),
    [
        # botocore 1.40's model allowed 140 characters and no `$LATEST.PUBLISHED`; the shipped
        # limits (and the service) allow both, whatever botocore the reader holds.
        ({"FunctionName": f"{ORDERS_ARN}:{'live' * 20}"}, True),
        ({"FunctionName": "orders", "Qualifier": "$LATEST.PUBLISHED"}, True),
        ({"FunctionName": "orders", "Qualifier": "$LATEST.DRAFT"}, False),
    ],
)
def test_the_provider_checks_against_the_shipped_limits(
    properties: dict[str, str], accepted: bool
) -> None:
    assert len(properties["FunctionName"]) <= model_limits.PUT_LIMITS.function_name.max_length
    try:
        parse_properties(properties)
    except InvalidPropertyError:
        assert not accepted
    else:
        assert accepted
