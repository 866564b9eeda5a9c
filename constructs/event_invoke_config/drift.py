"""Drift report: does Lambda still hold the event invoke configs a stack deployed? Read-only.

Per Custom::LambdaEventInvokeConfig of one stack, compares the settings of its processed
template with what Lambda holds, and lists the configs the stack's functions hold that no
resource manages. Needs boto3 only. Exit status as diff(1): 0 in sync, 1 drift (MODIFIED,
DELETED, UNMANAGED), 2 trouble (an error; or NOT_CHECKED with no drift found). Why it works
this way: docs/design.md, "Drift".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from event_invoke_config_provider.function_ref import parse_physical_id
from event_invoke_config_provider.properties import (
    DESTINATION,
    DESTINATION_CONFIG,
    EVENT_AGE,
    ON_FAILURE,
    ON_SUCCESS,
    RESOURCE_TYPE,
    RETRY_ATTEMPTS,
)

from .drift_report import (
    DELETED,
    IN_SYNC,
    MODIFIED,
    NOT_CHECKED,
    UNMANAGED,
    Finding,
    as_json,
    exit_status,
    table,
)
from .drift_values import UNKNOWN, StackFacts, template_of

SETTINGS = (RETRY_ATTEMPTS, EVENT_AGE, ON_SUCCESS, ON_FAILURE)
FUNCTION_TYPE = "AWS::Lambda::Function"
NATIVE_TYPE = "AWS::Lambda::EventInvokeConfig"
# Throttling is retried with backoff ("Retry behavior", AWS SDKs and Tools Reference Guide).
RETRIES = Config(retries={"mode": "standard", "max_attempts": 10})


class ReportError(Exception):
    """The report cannot be made (the stack is not found, a stack read is denied)."""


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def expected_settings(facts: StackFacts, properties: dict[str, Any]) -> dict[str, Any]:
    """The four settings the resource's properties give, each a value, None or UNKNOWN."""
    resolved = facts.resolve(properties)
    if resolved is UNKNOWN:
        return dict.fromkeys(SETTINGS, UNKNOWN)
    settings = {key: _number(resolved.get(key)) for key in (RETRY_ATTEMPTS, EVENT_AGE)}
    destinations = resolved.get(DESTINATION_CONFIG) or {}
    for key in (ON_SUCCESS, ON_FAILURE):
        target = UNKNOWN if destinations is UNKNOWN else destinations.get(key) or {}
        settings[key] = UNKNOWN if target is UNKNOWN else target.get(DESTINATION) or None
    return settings


def actual_settings(found: dict[str, Any]) -> dict[str, Any]:
    """The four settings of a GetFunctionEventInvokeConfig answer, None where not set."""
    settings = {key: found.get(key) for key in (RETRY_ATTEMPTS, EVENT_AGE)}
    destinations = found.get(DESTINATION_CONFIG, {})
    for key in (ON_SUCCESS, ON_FAILURE):
        settings[key] = destinations.get(key, {}).get(DESTINATION) or None
    return settings


def compare(
    summary: dict[str, Any], expected: dict[str, Any], found: dict[str, Any]
) -> tuple[str, list[dict[str, Any]], str | None]:
    """Status, differences and reason of one config Lambda holds."""
    actual = actual_settings(found)
    differences = [
        {"Property": key, "Expected": expected[key], "Actual": actual[key]}
        for key in SETTINGS
        if expected[key] is not UNKNOWN and expected[key] != actual[key]
    ]
    unknown = [key for key in SETTINGS if expected[key] is UNKNOWN]
    if differences or not unknown:
        return (MODIFIED if differences else IN_SYNC), differences, None
    note = f"not resolvable from the stack's reads: {', '.join(unknown)}"
    written, updated = found["LastModified"], summary["LastUpdatedTimestamp"]
    if written <= updated:
        return IN_SYNC, [], f"{note}; Lambda's config is no newer than the stack's last write"
    difference = {
        "Property": "LastModified",
        "Expected": f"at most {updated.isoformat()} (the stack's last write of the resource)",
        "Actual": written.isoformat(),
    }
    return MODIFIED, [difference], f"written after the stack's last write; {note}"


def check_config(
    lambda_client: Any, facts: StackFacts, summary: dict[str, Any], properties: dict[str, Any]
) -> Finding:
    """The finding for one `Custom::LambdaEventInvokeConfig` resource, declared `properties`."""
    logical_id, physical_id = summary["LogicalResourceId"], summary.get("PhysicalResourceId", "")
    finding = Finding(logical_id, physical_id, NOT_CHECKED)
    config = parse_physical_id(physical_id)
    if summary["ResourceStatus"].endswith("IN_PROGRESS"):
        finding.Reason = f"the resource is {summary['ResourceStatus']}"
        return finding
    if config is None:
        finding.Reason = "the physical id names no config (the resource wrote none)"
        return finding
    try:
        found = lambda_client.get_function_event_invoke_config(**config.api_target)
    except ClientError as error:
        code, message = error.response["Error"]["Code"], error.response["Error"]["Message"]
        if code == "ResourceNotFoundException" and "Function not found" not in message:
            finding.Status = DELETED
        elif code == "ResourceNotFoundException":
            finding.Reason = f"the function is gone: {message}"
        elif code == "AccessDeniedException":
            finding.Reason = message
        else:
            raise
        return finding
    expected = expected_settings(facts, properties)
    finding.Status, finding.Differences, finding.Reason = compare(summary, expected, found)
    return finding


def unmanaged(lambda_client: Any, function: dict[str, Any], managed: set[str]) -> list[Finding]:
    """The configs a function of the stack holds that no resource's physical id names."""
    name = function["PhysicalResourceId"]
    found: list[Finding] = []
    try:
        pages = lambda_client.get_paginator("list_function_event_invoke_configs")
        for page in pages.paginate(FunctionName=name):
            for held in page["FunctionEventInvokeConfigs"]:
                arn = held["FunctionArn"]
                config = parse_physical_id(arn) or parse_physical_id(f"{arn}:$LATEST")
                physical_id = config.physical_id if config is not None else arn
                if physical_id not in managed:
                    found.append(Finding(None, physical_id, UNMANAGED))
    except ClientError as error:
        if error.response["Error"]["Code"] != "AccessDeniedException":
            raise
        reason = f"its configs were not listed: {error.response['Error']['Message']}"
        return [Finding(function["LogicalResourceId"], name, NOT_CHECKED, Reason=reason)]
    return found


def report(session: Any, stack: str) -> list[Finding]:
    """Every finding for the stack's configs, then the unmanaged ones."""
    cloudformation = session.client("cloudformation", config=RETRIES)
    lambda_client = session.client("lambda", config=RETRIES)
    try:
        facts, summaries, declared = read_stack(cloudformation, stack)
    except ClientError as error:
        raise ReportError(error.response["Error"]["Message"]) from error
    configs = [s for s in summaries if s["ResourceType"] == RESOURCE_TYPE]
    findings = [
        check_config(lambda_client, facts, s, declared.get(s["LogicalResourceId"], {}))
        for s in configs
    ]
    managed = {
        c.physical_id
        for c in (parse_physical_id(s.get("PhysicalResourceId", "")) for s in configs)
        if c is not None
    }
    # The native resource manages a config too: the provider's own, for one.
    managed |= {
        facts.native_config(declared.get(s["LogicalResourceId"], {})) or ""
        for s in summaries
        if s["ResourceType"] == NATIVE_TYPE
    }
    for function in summaries:
        if function["ResourceType"] == FUNCTION_TYPE and function.get("PhysicalResourceId"):
            findings += unmanaged(lambda_client, function, managed)
    return findings


def read_stack(
    cloudformation: Any, stack: str
) -> tuple[StackFacts, list[dict[str, Any]], dict[str, Any]]:
    """DescribeStacks, every page of ListStackResources, and the processed template: the
    stack's facts, its resource summaries and each resource's declared properties."""
    [described] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    stack_id = described["StackId"]
    parameters = {
        p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue", ""))
        for p in described.get("Parameters", [])
    }
    summaries: list[dict[str, Any]] = []
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_id):
        summaries += page["StackResourceSummaries"]
    body = cloudformation.get_template(StackName=stack_id, TemplateStage="Processed")
    try:
        template = template_of(body["TemplateBody"])
    except ValueError as error:
        raise ReportError(str(error)) from error
    resources = {
        s["LogicalResourceId"]: (s["ResourceType"], s.get("PhysicalResourceId", ""))
        for s in summaries
    }
    # DescribeStacks masks a NoEcho parameter's value ("****"): what it holds is not known.
    for name, parameter in template.get("Parameters", {}).items():
        if str(parameter.get("NoEcho", "false")).lower() == "true":
            parameters.pop(name, None)
    declared = {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template.get("Resources", {}).items()
    }
    return StackFacts(stack_id, parameters, resources), summaries, declared


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("stack", metavar="STACK", help="the stack's name or ID")
    parser.add_argument("--region", help="the stack's region (default: the SDK's)")
    parser.add_argument("--profile", help="the AWS CLI profile to use")
    parser.add_argument("--json", action="store_true", help="one JSON object per resource")
    return parser


def run(arguments: argparse.Namespace) -> int:
    """Print the report; the exit status."""
    try:
        session = boto3.Session(profile_name=arguments.profile, region_name=arguments.region)
        findings = report(session, arguments.stack)
    except (ReportError, ClientError, BotoCoreError) as error:
        print(f"event-invoke-config drift: {error}", file=sys.stderr)
        return 2
    if arguments.json:
        print(as_json(findings))
    else:
        print(table(findings))
    return exit_status(findings)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m event_invoke_config.drift STACK ...`."""
    prog = "python -m event_invoke_config.drift"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    return run(add_arguments(parser).parse_args(argv))


def cli(argv: Sequence[str] | None = None) -> int:
    """The `event-invoke-config` console script: `event-invoke-config drift STACK ...`."""
    parser = argparse.ArgumentParser(prog="event-invoke-config")
    commands = parser.add_subparsers(dest="command", required=True)
    add_arguments(commands.add_parser("drift", help="report configs changed outside the stack"))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
