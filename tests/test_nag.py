"""cdk-nag's AwsSolutions pack over the demo app: no finding without a justified acknowledgement."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks

from app import build_app
from event_invoke_config import EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config.allow_list import CONTEXT_KEY
from tests.support import ROOT

PROVIDER_PATH = f"Extra/{EventInvokeConfigProvider.ID}/"


def checked_app() -> cdk.App:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = build_app(cdk.App(context=context))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def nag_failure(app: cdk.App) -> str:
    """The report of the findings that fail the app's synth."""
    with pytest.raises(RuntimeError, match="ValidationFailed") as raised:
        app.synth()
    return str(raised.value)


def extra_stack(app: cdk.App) -> cdk.Stack:
    """A stack with an aliased config, granted exactly its alias's ARN."""
    stack = cdk.Stack(app, "Extra")
    LambdaEventInvokeConfig(stack, "Async", function="orders:live")
    return stack


def test_the_demo_app_passes_aws_solutions_checks() -> None:
    checked_app().synth()  # raises ValidationFailed on any unacknowledged finding


def test_the_check_fails_on_an_unacknowledged_finding_and_not_on_the_providers() -> None:
    # GIVEN a provider whose findings are acknowledged, beside a queue whose finding is not
    app = checked_app()
    cdk.aws_sqs.Queue(extra_stack(app), "QueueWithoutDlq")
    # WHEN
    report = nag_failure(app)
    # THEN
    assert "Extra/QueueWithoutDlq" in report
    assert PROVIDER_PATH not in report, "the provider's own findings are justified"


def test_a_finding_on_the_provider_is_reported_at_the_path_the_check_above_looks_for() -> None:
    # GIVEN the same provider, with a wildcard grant nobody justified
    app = checked_app()
    provider = EventInvokeConfigProvider.of(extra_stack(app))
    provider.role.add_to_principal_policy(
        iam.PolicyStatement(actions=["lambda:GetFunction"], resources=["*"])
    )
    # WHEN
    report = nag_failure(app)
    # THEN the assertion of the test above would fail on it
    assert f"{PROVIDER_PATH}Role/DefaultPolicy/Resource" in report
    assert "AwsSolutions-IAM5" in report


@pytest.mark.parametrize("names", ['["orders-*","billing"]', "orders-*,billing"])
def test_the_shared_provider_passes_with_the_allow_list_as_given_on_the_command_line(
    names: str,
) -> None:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = build_app(cdk.App(context={**context, CONTEXT_KEY: names}))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))

    app.synth()  # raises ValidationFailed on any unacknowledged finding


def test_a_provider_in_a_vpc_passes_with_its_eni_access_justified() -> None:
    # GIVEN a VPC that satisfies the pack itself (flow logs), and a provider placed in it
    app = checked_app()
    stack = cdk.Stack(app, "Extra")
    vpc = ec2.Vpc(stack, "Vpc", flow_logs={"All": ec2.FlowLogOptions()})
    EventInvokeConfigProvider.of(stack, vpc=vpc)
    LambdaEventInvokeConfig(stack, "Async", function="orders:live")
    # WHEN / THEN
    app.synth()


def test_the_wildcard_the_library_generates_for_an_exact_name_is_acknowledged_by_it() -> None:
    # GIVEN a shared provider of an exact name, built without app.py's acknowledgements
    app = cdk.App()
    stack = cdk.Stack(app, "Shared")
    provider = EventInvokeConfigProvider.of(stack)
    provider.allow_function_names(["reports"])  # grants `reports` and `reports:*`
    provider.allow_stack_reads("arn:aws:cloudformation:us-east-1:123456789012:stack/orders/id")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    # WHEN / THEN no finding is left for the user: `reports:*` is the library's, with a reason
    app.synth()


def test_a_pattern_the_user_gave_stays_the_users_finding() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Shared")
    provider = EventInvokeConfigProvider.of(stack)
    provider.allow_function_names(["reports-*"])
    provider.allow_stack_reads("arn:aws:cloudformation:us-east-1:123456789012:stack/orders/id")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))

    report = nag_failure(app)

    assert "AwsSolutions-IAM5" in report
    assert "function:reports-*" in report
