"""cdk-nag's AwsSolutions pack over the demo app: no finding without a justified acknowledgement."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks

from app import build_app
from event_invoke_config import LambdaEventInvokeConfig
from tests.conftest import ROOT


def checked_app() -> cdk.App:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = build_app(cdk.App(context=context))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def test_the_demo_app_passes_aws_solutions_checks() -> None:
    checked_app().synth()  # raises ValidationFailed on any unacknowledged finding


def test_the_check_does_fail_on_an_unacknowledged_finding() -> None:
    app = checked_app()
    stack = cdk.Stack(app, "Extra")
    LambdaEventInvokeConfig(stack, "Async", function="orders")
    cdk.aws_sqs.Queue(stack, "QueueWithoutDlq")

    with pytest.raises(RuntimeError, match="ValidationFailed") as raised:
        app.synth()

    assert "Extra/QueueWithoutDlq" in str(raised.value)
    assert "Extra/LambdaEventInvokeConfigProvider" not in str(raised.value), "its own are justified"
