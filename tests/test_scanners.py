"""checkov and cfn-lint over every template shipped or synthesized; the consumers' cfn-lint rule."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.aws_lambda_destinations import SnsDestination

import make_release
from event_invoke_config import EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config.role_dependency import drop_role_dependency
from event_invoke_config_provider.properties import InvalidPropertyError, parse_properties
from offline_cloud.template import load_template, load_yaml_template
from tests.cfn_lint import assert_lint_clean, strict_cfn_lint
from tests.support import ROOT, new_function, new_stack, which

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
CANARY = """\
Resources:
  Unencrypted:
    Type: AWS::SQS::Queue
"""
CONSUMER = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Failures:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: alias/aws/sqs
  Config:
    Type: Custom::LambdaEventInvokeConfig
    Properties:
      ServiceToken: "{{resolve:ssm:/lambda-event-invoke-config/service-token}}"
      ServiceTimeout: %(timeout)s
      FunctionName: orders
      %(retries)s: %(retry_value)s
      MaximumEventAgeInSeconds: 3600
      DestinationConfig:
        OnFailure:
          Destination: !GetAtt Failures.Arn
"""
# A DependsOn that the Role GetAtt already orders (W3005) and a queue with SQS's default
# retention left implicit (I3013): what the strict lint must report.
LINT_CANARY = """\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
  Function:
    Type: AWS::Lambda::Function
    DependsOn: Role
    Properties:
      Runtime: python3.13
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: { ZipFile: "def handler(event, context): pass" }
  Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      KmsMasterKeyId: alias/aws/sqs
"""

ENCRYPTED = "encrypted-logs.template.json"


def encrypted_logs_template(folder: Path) -> Path:
    """A stack whose provider logs to a KMS key of its own (`log_kms_key`)."""
    app = cdk.App()
    stack = new_stack(app)
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    EventInvokeConfigProvider.of(stack, log_kms_key=key)
    LambdaEventInvokeConfig(stack, "Async", function="orders")
    path = folder / ENCRYPTED
    path.write_text(json.dumps(app.synth().get_stack_by_name(stack.stack_name).template))
    return path


@pytest.fixture(scope="session")
def checkov_report(cdk_out: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One offline checkov run over every template, and a canary it must fail."""
    canary = tmp_path_factory.mktemp("canary") / "canary.yaml"
    canary.write_text(CANARY)
    encrypted = encrypted_logs_template(canary.parent)
    templates = [make_release.TEMPLATE, *EXAMPLES, *sorted(cdk_out.glob("*.template.json"))]
    templates += [encrypted, canary]
    run = subprocess.run(
        [str(CHECKOV), "--skip-download", "--framework", "cloudformation", "--output", "json",
         *(arg for path in templates for arg in ("--file", str(path)))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    report: dict[str, Any] = json.loads(run.stdout)
    return report


@pytest.mark.slow
def test_checkov_finds_nothing_unexplained_in_any_template(checkov_report: dict[str, Any]) -> None:
    failed = checkov_report["results"]["failed_checks"]
    skipped = checkov_report["results"]["skipped_checks"]

    # the canary proves the scan ran with its checks: its queue is the one failure
    assert [(f["check_id"], Path(f["file_path"]).name) for f in failed] == [
        ("CKV_AWS_27", "canary.yaml")
    ]
    assert checkov_report["summary"]["passed"] > 50
    # every exception is explained, the provider's in each form it ships in
    reasons = [skip["check_result"].get("suppress_comment", "") for skip in skipped]
    assert skipped
    assert [reason for reason in reasons if len(reason) < 20] == []
    provider_skips = {
        (s["check_id"], Path(s["file_path"]).name)
        for s in skipped
        if s["resource"].split(".")[0] == "AWS::Lambda::Function"
    }
    for form in ("provider.yaml", "EventInvokeConfigProvider.template.json"):
        assert {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"} <= {
            check for check, name in provider_skips if name == form
        }


@pytest.mark.slow
def test_a_log_kms_key_passes_the_log_encryption_check_without_a_skip(
    checkov_report: dict[str, Any],
) -> None:
    def log_encryption(outcome: str) -> list[str]:
        return [
            check["resource"]
            for check in checkov_report["results"][outcome]
            if check["check_id"] == "CKV_AWS_158" and Path(check["file_path"]).name == ENCRYPTED
        ]

    assert len(log_encryption("passed_checks")) == 1
    assert log_encryption("skipped_checks") == []


@pytest.mark.slow
def test_strict_cfn_lint_reports_warnings_and_informational_findings(tmp_path: Path) -> None:
    canary = tmp_path / "canary.yaml"
    canary.write_text(LINT_CANARY)

    lint = strict_cfn_lint([canary])

    assert [line.split()[0] for line in lint.stdout.splitlines() if "'" in line] == [
        "W3005",
        "I3013",
    ]


@pytest.mark.slow
def test_cfn_lint_finds_nothing_in_a_version_config_an_alias_config_and_a_log_key(
    tmp_path: Path,
) -> None:
    # GIVEN, synthesized as the CDK CLI does (path metadata), a config on a version, one on an
    # alias, and a provider with its own log key
    app = cdk.App(context={"aws:cdk:enable-path-metadata": True})
    stack = new_stack(app)
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    EventInvokeConfigProvider.of(stack, log_kms_key=key)
    fn = new_function(stack)
    drop_role_dependency(fn)  # the user's own function, as in the demo app
    live = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    LambdaEventInvokeConfig(stack, "OnVersion", function=fn.current_version)
    failures = SnsDestination(sns.Topic(stack, "Failures"))
    LambdaEventInvokeConfig(stack, "OnAlias", function=live, on_failure=failures)
    template = tmp_path / "forms.template.json"
    template.write_text(json.dumps(app.synth().get_stack_by_name(stack.stack_name).template))

    # THEN cfn-lint has nothing to say about any of it
    assert_lint_clean([template])


def lint_consumer(tmp_path: Path, **values: object) -> subprocess.CompletedProcess[str]:
    """cfn-lint with the shipped rule over the consumer template filled with `values`."""
    template = tmp_path / "consumer.yaml"
    given = {"timeout": 300, "retries": "MaximumRetryAttempts", "retry_value": 1, **values}
    template.write_text(CONSUMER % given)
    return subprocess.run(
        [which("cfn-lint"), str(template), "--append-rules", str(make_release.RULES)],
        capture_output=True,
        text=True,
        check=False,
    )


def provider_says(properties: dict[str, Any]) -> str:
    with pytest.raises(InvalidPropertyError) as refused:
        parse_properties({"FunctionName": "orders", **properties})
    return str(refused.value)


@pytest.mark.slow
def test_the_rule_passes_a_good_consumer_and_the_examples(tmp_path: Path) -> None:
    good = lint_consumer(tmp_path)
    examples = subprocess.run(
        [which("cfn-lint"), *map(str, EXAMPLES), "--append-rules", str(make_release.RULES)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert good.returncode == 0, good.stdout
    assert examples.returncode == 0, examples.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"retries": "MaximumRetryAttempt", "retry_value": 5},
         "Unknown property 'MaximumRetryAttempt'"),
        ({"retry_value": 5}, "MaximumRetryAttempts must be a whole number from 0 to 2; got 5."),
        ({"timeout": 7200}, "ServiceTimeout must be a whole number from 1 to 3600; got 7200."),
        ({"retries": "Qualifier", "retry_value": "'$LATEST:x'"}, "Qualifier must be"),
    ],
)  # fmt: skip
def test_the_rule_refuses_what_the_provider_refuses_in_its_words(
    tmp_path: Path, values: dict[str, object], expected: str
) -> None:
    lint = lint_consumer(tmp_path, **values)

    assert lint.returncode != 0
    [finding] = [line for line in lint.stdout.splitlines() if line.startswith("E9101")]
    assert expected in finding
    if "timeout" not in values:  # the provider's own words, from its own check
        name, value = str(values.get("retries", "MaximumRetryAttempts")), values["retry_value"]
        literal = value if isinstance(value, int) else str(value).strip("'")  # as YAML reads it
        assert finding.endswith(provider_says({name: literal}))


@pytest.mark.slow
@pytest.mark.parametrize(("policy", "expected"), [("Retain", "leaks"), ("Snapshot", "no snapshot")])
def test_the_rule_refuses_an_update_replace_policy_that_keeps_the_old_config(
    tmp_path: Path, policy: str, expected: str
) -> None:
    template = tmp_path / "consumer.yaml"
    filled = CONSUMER % {"timeout": 300, "retries": "MaximumRetryAttempts", "retry_value": 1}
    template.write_text(f"{filled}    UpdateReplacePolicy: {policy}\n")

    lint = subprocess.run(
        [which("cfn-lint"), str(template), "--append-rules", str(make_release.RULES)],
        capture_output=True,
        text=True,
        check=False,
    )

    [finding] = [line for line in lint.stdout.splitlines() if line.startswith("E9101")]
    assert expected in finding and "Write UpdateReplacePolicy: Delete" in finding
    assert lint_consumer(tmp_path).returncode == 0, "without it the same template passes"


def test_the_example_and_the_demo_keep_their_queues_encrypted(cdk_out: Path) -> None:
    example = load_yaml_template(ROOT / "examples" / "async-config.yaml")
    demo = load_template(cdk_out, "EventInvokeConfigDemo")
    queues = [
        body["Properties"]
        for template in (example, demo)
        for body in template["Resources"].values()
        if body["Type"] == "AWS::SQS::Queue"
    ]

    assert [queue.get("KmsMasterKeyId") for queue in queues] == ["alias/aws/sqs"] * 2
