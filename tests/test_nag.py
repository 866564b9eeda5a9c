"""cdk-nag's AwsSolutions pack: no finding without a justified acknowledgement, in any stack.

cdk-nag 3 matches an acknowledgement's id exactly, and a finding's id holds the value as its
stack resolves it, so each acknowledgement is tested in stacks with and without an environment.
"""

from __future__ import annotations

import json
import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from app import DemoStack, ProviderStack, build_app
from event_invoke_config import EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config.allow_list import CONTEXT_KEY
from event_invoke_config.nag import wildcard_resource_id
from tests.support import ROOT

PROVIDER_PATH = f"Extra/{EventInvokeConfigProvider.ID}/"
ACCOUNT = "123456789012"
# A known region makes the partition a literal under this flag (Stack.partition).
PARTITION_LITERALS = "@aws-cdk/core:enablePartitionLiterals"
ENVIRONMENTS: dict[str, tuple[dict[str, object], cdk.Environment | None]] = {
    "no environment": ({}, None),
    "account and region": ({}, cdk.Environment(account=ACCOUNT, region="eu-west-1")),
    "region only": ({}, cdk.Environment(region="eu-west-1")),
    "account only": ({}, cdk.Environment(account=ACCOUNT)),
    "aws-cn, partition literals": (
        {PARTITION_LITERALS: True},
        cdk.Environment(account=ACCOUNT, region="cn-north-1"),
    ),
}
in_every_environment = pytest.mark.parametrize(
    ("context", "env"), ENVIRONMENTS.values(), ids=list(ENVIRONMENTS)
)
# How a validation report asks for each finding's acknowledgement.
ACKNOWLEDGE_WITH = re.compile(r"Acknowledge with 'AwsSolutions::(AwsSolutions-[^']+)'")


def checked(app: cdk.App) -> cdk.App:
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def project_app(**context: object) -> cdk.App:
    """An app with cdk.json's context, and `context`."""
    return cdk.App(context={**json.loads((ROOT / "cdk.json").read_text())["context"], **context})


def checked_app() -> cdk.App:
    return checked(build_app(project_app()))


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


@in_every_environment
def test_app_py_stacks_pass_in_every_environment(
    context: dict[str, object], env: cdk.Environment | None
) -> None:
    # GIVEN app.py's stacks in `env`, the provider allowed an exact name and two patterns
    app = project_app(**context)
    DemoStack(app, "Demo", env=env)
    names = ["async-*", "billing", "orders-*-async"]
    ProviderStack(app, "Provider", function_names=names, env=env)
    # WHEN / THEN
    checked(app).synth()


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
    app = checked(build_app(project_app(**{CONTEXT_KEY: names})))

    app.synth()  # raises ValidationFailed on any unacknowledged finding


@in_every_environment
def test_the_librarys_own_findings_are_acknowledged_by_it_in_every_environment(
    context: dict[str, object], env: cdk.Environment | None
) -> None:
    # GIVEN a shared provider of an exact name in a VPC, without app.py's acknowledgements
    app = cdk.App(context=context)
    stack = cdk.Stack(app, "Shared", env=env)
    vpc = ec2.Vpc(stack, "Vpc", flow_logs={"All": ec2.FlowLogOptions()})
    provider = EventInvokeConfigProvider.of(stack, vpc=vpc)  # AWSLambdaVPCAccessExecutionRole
    provider.allow_function_names(["reports"])  # grants `reports` and `reports:*`
    provider.allow_stack_reads(f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/orders/id")
    # WHEN / THEN no finding is left for the user: both are the library's, with a reason
    checked(app).synth()


@in_every_environment
def test_a_pattern_the_user_gave_stays_the_users_finding(
    context: dict[str, object], env: cdk.Environment | None
) -> None:
    app = cdk.App(context=context)
    stack = cdk.Stack(app, "Shared", env=env)
    provider = EventInvokeConfigProvider.of(stack)
    provider.allow_function_names(["reports-*"])
    provider.allow_stack_reads(f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/orders/id")

    report = nag_failure(checked(app))

    (finding,) = ACKNOWLEDGE_WITH.findall(report)
    assert finding.startswith("AwsSolutions-IAM5[") and finding.endswith(":function:reports-*]")


@in_every_environment
def test_wildcard_resource_id_is_the_id_cdk_nag_asks_for(
    context: dict[str, object], env: cdk.Environment | None
) -> None:
    # GIVEN a role granted wildcards in every form cdk-nag flattens: Fn::Join over Refs,
    # Fn::GetAtt, Fn::ImportValue and Fn::Sub
    app = cdk.App(context=context)
    stack = cdk.Stack(app, "Stack", env=env)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    bucket = s3.Bucket(stack, "Bucket")
    resources = [
        stack.format_arn(service="cloudformation", resource="stack", resource_name="*"),
        bucket.arn_for_objects("*"),
        f"{cdk.Fn.import_value('SharedBucketArn')}/*",
        cdk.Fn.sub("arn:${AWS::Partition}:s3:::logs-${AWS::Region}/*"),
    ]
    role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=resources))
    # WHEN cdk-nag reports what it finds on the role's policy
    report = nag_failure(checked(app))
    asked = {finding for finding in ACKNOWLEDGE_WITH.findall(report) if "IAM5" in finding}
    # THEN it asks for exactly the ids the library writes
    assert asked == {wildcard_resource_id(role, resource) for resource in resources}


def readme_python(heading: str, index: int) -> str:
    """The `index`th Python block of the README's section `heading`."""
    section = (ROOT / "README.md").read_text().split(f"\n{heading}\n", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    blocks: list[str] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return blocks[index]


@in_every_environment
def test_the_readmes_shared_provider_and_acknowledgements_pass_in_every_environment(
    context: dict[str, object], env: cdk.Environment | None
) -> None:
    # GIVEN the README's shared provider and its cdk-nag acknowledgements, in a stack in `env`
    app = cdk.App(context=context)
    namespace: dict[str, object] = {"stack": cdk.Stack(app, "Shared", env=env)}
    exec(readme_python("### A shared provider in your own CDK app", 0), namespace)
    acknowledgements = readme_python("## cdk-nag", 1)
    assert "wildcard_resource_id" in acknowledgements
    exec(acknowledgements, namespace)
    # WHEN / THEN
    checked(app).synth()
