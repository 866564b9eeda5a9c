"""What the tests share: paths and tools, CloudFormation events, bad inputs, CDK builders.

Fixtures live in conftest.py; everything else a test module needs from another lives here, so
no test module imports another.
"""

from __future__ import annotations

import ast
import datetime
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from botocore.stub import Stubber
from constructs import Construct

from event_invoke_config import LambdaEventInvokeConfig
from event_invoke_config.grants import CONFIG_ACTIONS
from event_invoke_config_provider import index
from event_invoke_config_provider.properties import RESOURCE_TYPE
from offline_cloud import cfn_events
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.lambda_bootstrap import LambdaContext

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
EVENTS = Path(__file__).parent / "events"
# Each earlier release's synthesized stack `Upgrade` and provider asset (READMEs there).
RELEASED = {
    version: Path(__file__).parent / "fixtures" / f"v{version.replace('.', '_')}"
    for version in ("0.1.0", "0.2.0")
}
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
BUCKET = "arn:aws:s3:::failed-events"
ORDERS_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"


def imports(source: str) -> set[tuple[str, str | None]]:
    """(module, name) for each `from module import name` in `source`, (module, None) for each
    `import module`, at any depth; relative imports left out."""
    found: set[tuple[str, str | None]] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            found.update((node.module, alias.name) for alias in node.names)
    return found


def which(tool: str) -> str:
    """A tool installed in the project's virtual environment."""
    found = shutil.which(tool, path=str(VENV_BIN))
    assert found, f"{tool} is not installed: run `make setup`"
    return found


def cdk_cli() -> list[str]:
    """The pinned CDK CLI from node_modules (see package.json)."""
    cli = ROOT / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        pytest.fail("node_modules/.bin/cdk is missing: run `make setup`")
    return [str(cli)]


# --- CloudFormation events -----------------------------------------------------------------


def event(request_type: str = "Create", **changes: Any) -> dict[str, Any]:
    """The Create fixture in `events/` as `request_type`, sent now, with `changes`.

    `ResourceProperties=` replaces the properties (the ServiceToken is kept).
    """
    fixture: dict[str, Any] = json.loads((EVENTS / "create.json").read_text())
    properties = changes.pop("ResourceProperties", None)
    if properties is not None:
        properties = {"ServiceToken": fixture["ServiceToken"], **properties}
    url = fixture["ResponseURL"].replace(
        "X-Amz-Signature", f"{cfn_events.signed_query()}&X-Amz-Signature"
    )
    built = cfn_events.request(
        request_type,
        stack_id=fixture["StackId"],
        logical_id=fixture["LogicalResourceId"],
        properties=fixture["ResourceProperties"] if properties is None else properties,
        response_url=lambda _request_id: url,
        resource_type=fixture["ResourceType"],
    )
    built.update(changes)
    return built


# --- Input the provider must refuse, with the words of its reason ------------------------------

BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    ("missing function", {}, "FunctionName is required"),
    ("empty function", {"FunctionName": ""}, "FunctionName must be a function name"),
    ("function not a string", {"FunctionName": 12}, "FunctionName must be"),
    ("malformed function", {"FunctionName": "my function!"}, "FunctionName must be"),
    ("function name over 64", {"FunctionName": "f" * 65}, "FunctionName must be at most 64"),
    (
        "function ARN over 256",
        {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:" + "f" * 220},
        "FunctionName must be",
    ),
    (
        "qualifier illegal chars",
        {"FunctionName": "f", "Qualifier": "live/1"},
        "Qualifier must be a version number, an alias name or $LATEST",
    ),
    ("empty qualifier", {"FunctionName": "f", "Qualifier": ""}, "Qualifier must be"),
    (
        "retries above 2",
        {"FunctionName": "f", "MaximumRetryAttempts": "3"},
        "MaximumRetryAttempts must be a whole number from 0 to 2; got '3'",
    ),
    (
        "retries negative",
        {"FunctionName": "f", "MaximumRetryAttempts": "-1"},
        "MaximumRetryAttempts must be a whole number from 0 to 2",
    ),
    (
        "retries float",
        {"FunctionName": "f", "MaximumRetryAttempts": "1.5"},
        "MaximumRetryAttempts must be a whole number from 0 to 2",
    ),
    (
        "retries float type",
        {"FunctionName": "f", "MaximumRetryAttempts": 1.0},
        "MaximumRetryAttempts must be a whole number",
    ),
    (
        "retries boolean",
        {"FunctionName": "f", "MaximumRetryAttempts": True},
        "MaximumRetryAttempts must be a whole number",
    ),
    (
        "retries empty",
        {"FunctionName": "f", "MaximumRetryAttempts": ""},
        "MaximumRetryAttempts must be a whole number",
    ),
    (
        "retries word",
        {"FunctionName": "f", "MaximumRetryAttempts": "two"},
        "MaximumRetryAttempts must be a whole number",
    ),
    (
        "age below 60",
        {"FunctionName": "f", "MaximumEventAgeInSeconds": "59"},
        "MaximumEventAgeInSeconds must be a whole number from 60 to 21600; got '59'",
    ),
    (
        "age above 6h",
        {"FunctionName": "f", "MaximumEventAgeInSeconds": "21601"},
        "MaximumEventAgeInSeconds must be a whole number from 60 to 21600",
    ),
    (
        "age unicode digits",
        {"FunctionName": "f", "MaximumEventAgeInSeconds": "٣٦٠٠"},
        "MaximumEventAgeInSeconds must be a whole number",
    ),
    (
        "retries with a leading zero",
        {"FunctionName": "f", "MaximumRetryAttempts": "01"},
        "MaximumRetryAttempts must be a whole number from 0 to 2; got '01'",
    ),
    (
        "age of 10,000 digits",
        {"FunctionName": "f", "MaximumEventAgeInSeconds": "9" * 10_000},
        "MaximumEventAgeInSeconds must be a whole number from 60 to 21600; got '999",
    ),
    (
        "qualifier conflicts with the one in the name",
        {"FunctionName": "f:live", "Qualifier": "$LATEST"},
        "Qualifier: the function carries the qualifier 'live' and '$LATEST' is given beside it",
    ),
    (
        "undocumented function form",
        {"FunctionName": "us-east-1:123456789012:function:f"},
        "FunctionName must be a function name, name:qualifier, partial ARN or function ARN",
    ),
    (
        "qualifier the physical id could not name",
        {"FunctionName": "f", "Qualifier": "v$1"},
        "Qualifier must be a version number, an alias name or $LATEST; got 'v$1'",
    ),
    (
        "function:name is no documented form",
        {"FunctionName": "function:f"},
        "FunctionName must be a function name, name:qualifier, partial ARN or function ARN",
    ),
    (
        "adopt existing not a boolean",
        {"FunctionName": "f", "AdoptExisting": "yes"},
        "AdoptExisting must be true or false; got 'yes'",
    ),
    (
        "empty destination config",
        {"FunctionName": "f", "DestinationConfig": {}},
        "DestinationConfig must have OnSuccess, OnFailure or both",
    ),
    (
        "empty destination",
        {"FunctionName": "f", "DestinationConfig": {"OnFailure": {"Destination": ""}}},
        "DestinationConfig.OnFailure.Destination must be the ARN of",
    ),
    (
        "unknown property",
        {"FunctionName": "f", "MaxRetries": "1"},
        "Unknown property 'MaxRetries'; allowed: FunctionName, Qualifier",
    ),
    (
        "destination config not an object",
        {"FunctionName": "f", "DestinationConfig": "arn"},
        "DestinationConfig must be an object with OnSuccess, OnFailure",
    ),
    (
        "destination config unknown key",
        {"FunctionName": "f", "DestinationConfig": {"OnError": {}}},
        "DestinationConfig has unknown key 'OnError'",
    ),
    (
        "destination missing",
        {"FunctionName": "f", "DestinationConfig": {"OnSuccess": {}}},
        "DestinationConfig.OnSuccess.Destination is required",
    ),
    (
        "destination malformed",
        {"FunctionName": "f", "DestinationConfig": {"OnFailure": {"Destination": "sqs:failures"}}},
        "DestinationConfig.OnFailure.Destination must be an ARN",
    ),
    (
        "destination foreign service",
        {
            "FunctionName": "f",
            "DestinationConfig": {
                "OnFailure": {"Destination": "arn:aws:dynamodb:us-east-1:123456789012:table/t"}
            },
        },
        "DestinationConfig.OnFailure.Destination must be the ARN of an SQS queue",
    ),
    (
        "S3 on success",
        {"FunctionName": "f", "DestinationConfig": {"OnSuccess": {"Destination": BUCKET}}},
        "an S3 bucket is allowed on failure only",
    ),
    (
        "kafka is not an async destination",
        {
            "FunctionName": "f",
            "DestinationConfig": {"OnFailure": {"Destination": "kafka://broker.example"}},
        },
        "DestinationConfig.OnFailure.Destination must be the ARN of",
    ),
]


# --- CDK builders -----------------------------------------------------------------------------

ENVIRONMENT = cdk.Environment(account=ACCOUNT, region=REGION)


def new_stack(scope: Construct | None = None, construct_id: str = "Stack") -> cdk.Stack:
    """A stack with a known account and region, in a new app unless `scope` is given."""
    return cdk.Stack(scope or cdk.App(), construct_id, env=ENVIRONMENT)


def logical_id(construct: Construct) -> str:
    """The logical id of the L2 `construct`'s resource in its stack."""
    resource = cast(cdk.CfnElement, construct.node.default_child)
    return cdk.Stack.of(construct).get_logical_id(resource)


def new_function(scope: cdk.Stack, construct_id: str = "Fn", **kwargs: Any) -> lambda_.Function:
    """A small inline Python function; `kwargs` go to `aws_lambda.Function`."""
    return lambda_.Function(
        scope,
        construct_id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c): pass"),
        **kwargs,
    )


def upgrade_app(configs: dict[str, str]) -> cdk.Stack:
    """The app of the `RELEASED` fixtures as this version builds it: its stack `Upgrade`,
    functions A to D, and `configs` (construct id -> function), each with one retry."""
    stack = cdk.Stack(cdk.App(), "Upgrade")
    functions = {name: new_function(stack, name) for name in ("A", "B", "C", "D")}
    for config_id, on in configs.items():
        LambdaEventInvokeConfig(stack, config_id, function=functions[on], retry_attempts=1)
    return stack


def statement_resources(template: Template, actions: tuple[str, ...]) -> list[Any]:
    """The Resource list of the statement that grants exactly `actions`."""
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            granted = statement["Action"]
            if sorted(granted if isinstance(granted, list) else [granted]) == sorted(actions):
                resources = statement["Resource"]
                return resources if isinstance(resources, list) else [resources]
    raise AssertionError(f"no statement grants exactly {actions}")


def config_access_resources(template: Template) -> list[Any]:
    """Every resource the provider's grant policies (one per bucket) name, in a stable order."""
    resources = [
        resource
        for policy in template.find_resources("AWS::IAM::ManagedPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == list(CONFIG_ACTIONS)
        for resource in statement["Resource"]
    ]
    return sorted(resources, key=json.dumps)


def synth_error(scope: Construct) -> str:
    """The message of the error the synth of `scope`'s app fails with."""
    try:
        cast(cdk.App, scope.node.root).synth()
    except RuntimeError as error:
        return str(error)
    raise AssertionError("the synth succeeded")


# --- The handler against stubbed clients ------------------------------------------------------

MODIFIED = datetime.datetime(2026, 11, 23, 1, 2, 3, tzinfo=datetime.UTC)
SETTINGS = {
    "MaximumRetryAttempts": 0,
    "MaximumEventAgeInSeconds": 3600,
    "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
}
# A config someone set by hand, which a takeover keeps a copy of, and where that copy lives.
HAND_MADE = {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60}
COPY_OF_ORDERS = "/event-invoke-config/adopted/orders/.LATEST"
COPY_OF_ORDERS_LIVE = "/event-invoke-config/adopted/orders/live"
STACK_ID = json.loads((EVENTS / "create.json").read_text())["StackId"]


class Stubs:
    """The stubbed Lambda and CloudFormation clients of one test."""

    def __init__(self) -> None:
        self.lambda_ = Stubber(boto3.client("lambda", region_name="us-east-1"))
        self.cloudformation = Stubber(boto3.client("cloudformation", region_name="us-east-1"))
        self.ssm = Stubber(boto3.client("ssm", region_name="us-east-1"))

    def client(self, service: str, _timeouts: object) -> Any:
        stubbers = {"lambda": self.lambda_, "cloudformation": self.cloudformation, "ssm": self.ssm}
        return stubbers[service].client

    def copy_saved(self, name: str, value: dict[str, Any]) -> None:
        """The provider keeps a copy of a config it takes over (PutParameter of its JSON)."""
        self.ssm.add_response(
            "put_parameter",
            {"Version": 1},
            {"Name": name, "Value": json.dumps(value), "Type": "String", "Overwrite": True},
        )

    def copy_found(self, name: str, value: dict[str, Any] | None) -> None:
        """GetParameter of a copy: `value`, or None for ParameterNotFound."""
        if value is None:
            self.ssm.add_client_error(
                "get_parameter",
                "ParameterNotFound",
                http_status_code=400,
                expected_params={"Name": name},
            )
            return
        parameter = {"Name": name, "Type": "String", "Value": json.dumps(value), "Version": 1}
        self.ssm.add_response("get_parameter", {"Parameter": parameter}, {"Name": name})

    def copy_forgotten(self, name: str, *, existed: bool = True) -> None:
        """DeleteParameter of a copy (ParameterNotFound when there was none)."""
        if existed:
            self.ssm.add_response("delete_parameter", {}, {"Name": name})
        else:
            self.ssm.add_client_error(
                "delete_parameter",
                "ParameterNotFound",
                http_status_code=400,
                expected_params={"Name": name},
            )

    def get(
        self, target: dict[str, str], *, exists: bool, settings: dict[str, Any] | None = None
    ) -> None:
        if exists:
            arn = f"{target['FunctionName']}:{target.get('Qualifier', '$LATEST')}"
            response = {"FunctionArn": arn, "LastModified": MODIFIED, **(settings or {})}
            self.lambda_.add_response("get_function_event_invoke_config", response, target)
        else:
            self.lambda_.add_client_error(
                "get_function_event_invoke_config",
                service_error_code="ResourceNotFoundException",
                http_status_code=404,
                expected_params=target,
            )

    def put(self, params: dict[str, Any], arn: str = f"{ORDERS_ARN}:$LATEST") -> None:
        response = {"FunctionArn": arn, "LastModified": MODIFIED}
        self.lambda_.add_response("put_function_event_invoke_config", response, params)

    def put_refused(self, message: str = "") -> None:
        """Lambda's final refusal of a put (a 5xx would be retried), after which the handler
        reads back whether an earlier attempt applied it."""
        self.lambda_.add_client_error(
            "put_function_event_invoke_config",
            service_error_code="InvalidParameterValueException",
            service_message=message,
            http_status_code=400,
        )

    def stack(self, *resources: tuple[str, str, str]) -> None:
        """A one-page ListStackResources: (logical id, physical id, resource status) of our type."""
        self.stack_pages(list(resources))

    def stack_pages(self, *pages: list[tuple[str, str, str]]) -> None:
        """ListStackResources in `pages`: each page but the last gives the NextToken that the
        request for the next one must send."""
        for number, resources in enumerate(pages, start=1):
            summaries = [
                {
                    "LogicalResourceId": logical,
                    "PhysicalResourceId": physical,
                    "ResourceType": RESOURCE_TYPE,
                    "LastUpdatedTimestamp": MODIFIED,
                    "ResourceStatus": resource_status,
                }
                for logical, physical, resource_status in resources
            ]
            page: dict[str, Any] = {"StackResourceSummaries": summaries}
            if number < len(pages):
                page["NextToken"] = f"page-{number + 1}"
            expected = {"StackName": event()["StackId"]}
            if number > 1:
                expected["NextToken"] = f"page-{number}"
            self.cloudformation.add_response("list_stack_resources", page, expected)

    def stack_status(self, status: str) -> None:
        stack = {"StackName": "demo", "CreationTime": MODIFIED, "StackStatus": status}
        self.cloudformation.add_response(
            "describe_stacks", {"Stacks": [stack]}, {"StackName": event()["StackId"]}
        )

    def stack_missing(self) -> None:
        """DescribeStacks of a stack id CloudFormation does not know (its 400 ValidationError)."""
        self.cloudformation.add_client_error(
            "describe_stacks",
            service_error_code="ValidationError",
            service_message=f"Stack with id {STACK_ID} does not exist",
            http_status_code=400,
            expected_params={"StackName": STACK_ID},
        )


def answer(cfn_event: dict[str, Any], sent: list[dict[str, Any]]) -> dict[str, Any]:
    """Run the handler on `cfn_event` and return the one answer it sent."""
    index.handler(cfn_event, LambdaContext("provider", 60))
    [response] = sent
    return response


# --- Time under the test's control ------------------------------------------------------------


class FakeClock:
    """Fake time: `sleep` advances it and records each pause.

    It starts at the current whole second: a ResponseURL signed now is current, and sums of
    binary fractions (0.25, 0.5, ...) stay exact.
    """

    def __init__(self) -> None:
        self.now = float(int(time.time()))
        self.pauses: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.pauses.append(seconds)
        self.now += seconds


class FakeClockContext:
    """A Lambda context whose remaining time is read from a fake clock."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        self._clock, self._ends = clock, clock.now + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._ends - self._clock.now) * 1000)


class ManualTimer:
    """crhelper's last-resort `threading.Timer`, fired by the test rather than by the clock."""

    def __init__(self, _interval: float, function: Callable[[], None]) -> None:
        self._function = function
        self._cancelled = False

    def start(self) -> None:
        """Arms nothing: the test calls `fire`."""

    def cancel(self) -> None:
        self._cancelled = True

    def fire(self) -> None:
        """What the timer does when its time comes, unless it was cancelled first."""
        if not self._cancelled:
            self._function()
