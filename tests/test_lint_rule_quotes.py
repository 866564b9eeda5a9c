"""The cfn-lint rule quotes what the template wrote: an intrinsic function in the wrong place is
shown as written, never as the stand-in the rule checks in its place."""

from __future__ import annotations

import re

import pytest

import make_release
from tests.cfn_lint import strict_cfn_lint

pytestmark = pytest.mark.slow  # runs subprocesses (the fast tier runs none)

# The consumer template's head: what each intrinsic below may name.
HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  FailureArn:
    Type: String
Conditions:
  HasQueue: !Equals [!Ref FailureArn, ""]
Mappings:
  Destinations:
    Failures:
      Arn: arn:aws:sqs:us-east-1:123456789012:failures
Resources:
  Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      KmsMasterKeyId: alias/aws/sqs
      MessageRetentionPeriod: 345600
"""
CONFIG = """\
  %(id)s:
    Type: Custom::LambdaEventInvokeConfig
    Properties:
      ServiceToken: !ImportValue LambdaEventInvokeConfigServiceToken
      ServiceTimeout: 300
      FunctionName: %(function)s
      %(property)s
"""
# Per config: its FunctionName, a property wrongly written, and how its finding quotes it.
# `OnFailure` must be an object with `Destination`: each value below is in the wrong shape.
WRONG = {
    "GetAtt": (
        "orders",
        "DestinationConfig: {OnFailure: !GetAtt Queue.Arn}",
        "DestinationConfig.OnFailure must be an object with Destination; "
        "got {'Fn::GetAtt': ['Queue', 'Arn']}.",
    ),
    "Ref": (
        "orders",
        "DestinationConfig: {OnFailure: !Ref FailureArn}",
        "got {'Ref': 'FailureArn'}.",
    ),
    "Sub": (
        "orders",
        "DestinationConfig: {OnFailure: !Sub '${Queue.Arn}'}",
        "got {'Fn::Sub': '${Queue.Arn}'}.",
    ),
    "ImportValue": (
        "orders",
        "DestinationConfig: {OnSuccess: !ImportValue SharedTopicArn}",
        "DestinationConfig.OnSuccess must be an object with Destination; "
        "got {'Fn::ImportValue': 'SharedTopicArn'}.",
    ),
    "Join": (
        "orders",
        "DestinationConfig: {OnFailure: !Join [':', [arn, !Ref AWS::Partition]]}",
        "got {'Fn::Join': [':', ['arn', {'Ref': 'AWS::Partition'}]]}.",
    ),
    "Select": (
        "orders",
        "DestinationConfig: {OnFailure: !Select [0, [!GetAtt Queue.Arn]]}",
        "got {'Fn::Select': [0, [{'Fn::GetAtt': ['Queue', 'Arn']}]]}.",
    ),
    "FindInMap": (
        "orders",
        "DestinationConfig: {OnFailure: !FindInMap [Destinations, Failures, Arn]}",
        "got {'Fn::FindInMap': ['Destinations', 'Failures', 'Arn']}.",
    ),
    "IfBranch": (
        "orders",
        "DestinationConfig: {OnFailure: !If [HasQueue, {Destination: !Ref FailureArn}, "
        "!GetAtt Queue.Arn]}",
        "DestinationConfig.OnFailure must be an object with Destination; "
        "got {'Fn::GetAtt': ['Queue', 'Arn']}.",
    ),
    "IfLiteral": (
        "orders",
        "MaximumRetryAttempts: !If [HasQueue, 1, 5]",
        "MaximumRetryAttempts must be a whole number from 0 to 2; got 5.",
    ),
    "FunctionRef": (
        "!Ref FailureArn",
        "DestinationConfig: {OnFailure: !GetAtt Queue.Arn}",
        "got {'Fn::GetAtt': ['Queue', 'Arn']}.",
    ),
}
# Written right, each with an intrinsic function: no finding.
RIGHT = {
    "RightIf": (
        "!Ref FailureArn",
        "DestinationConfig: {OnFailure: !If [HasQueue, {Destination: !Ref FailureArn}, "
        "{Destination: !GetAtt Queue.Arn}]}",
    ),
    "RightGetAtt": ("orders", "DestinationConfig: {OnFailure: {Destination: !GetAtt Queue.Arn}}"),
}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each config's E9101 reasons, from one run of the real cfn-lint with the shipped rule."""
    configs = {**WRONG, **{name: (*written, "") for name, written in RIGHT.items()}}
    template = tmp_path_factory.mktemp("quotes") / "consumer.yaml"
    template.write_text(
        HEAD
        + "".join(
            CONFIG % {"id": name, "function": function, "property": written}
            for name, (function, written, _) in configs.items()
        )
    )
    lint = strict_cfn_lint([template], "--append-rules", str(make_release.RULES))
    found: dict[str, list[str]] = {name: [] for name in configs}
    for line in lint.stdout.splitlines():
        if line.startswith("E9101 "):
            name, reason = line.removeprefix("E9101 ").split(": ", 1)
            found[name].append(reason)
    other = [line for line in lint.stdout.splitlines() if re.match(r"[EWI]\d", line)]
    assert len(other) == sum(map(len, found.values())), lint.stdout
    return found


@pytest.mark.parametrize("name", list(WRONG))
def test_a_wrong_value_is_quoted_as_the_template_wrote_it(
    findings: dict[str, list[str]], name: str
) -> None:
    _function, _written, quoted = WRONG[name]

    [reason] = findings[name]

    assert reason.endswith(quoted)
    assert "resolved-at-deploy" not in reason


@pytest.mark.parametrize("name", list(RIGHT))
def test_intrinsics_in_their_right_place_pass(findings: dict[str, list[str]], name: str) -> None:
    assert findings[name] == []
