"""The wheel on its declared floors: every direct dependency at the minimum pyproject.toml names."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from event_invoke_config_provider.properties import RESOURCE_TYPE
from event_invoke_config_provider.timing import SERVICE_TIMEOUT_SECONDS
from tests.venvs import build_wheel, declared_floors, new_venv, outside_environment

pytestmark = pytest.mark.slow

# A Function with a queue for failed events and a config on it; the handler package the wheel
# ships beside the construct is imported too.
FLOOR_APP = textwrap.dedent(
    """
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_, aws_lambda_destinations as destinations, aws_sqs

    from event_invoke_config import LambdaEventInvokeConfig
    import event_invoke_config_provider.index

    app = cdk.App(outdir="cdk.out")
    stack = cdk.Stack(app, "Floors")
    orders = lambda_.Function(
        stack,
        "Orders",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
    )
    failures = aws_sqs.Queue(stack, "Failures")
    LambdaEventInvokeConfig(
        stack,
        "Async",
        function=orders,
        retry_attempts=1,
        max_event_age=cdk.Duration.hours(1),
        on_failure=destinations.SqsDestination(failures),
    )
    app.synth()
    """
)


def of_type(resources: dict[str, Any], resource_type: str) -> list[str]:
    """The logical ids of the template's resources of `resource_type`."""
    return [key for key, body in resources.items() if body["Type"] == resource_type]


def test_the_wheel_imports_and_synthesizes_with_every_dependency_at_its_floor(
    tmp_path: Path,
) -> None:
    # GIVEN the wheel in a clean venv, each dependency pinned to pyproject.toml's minimum
    floors = declared_floors()
    python, pip = new_venv(tmp_path / "venv", str(build_wheel(tmp_path)), *floors)
    assert pip.returncode == 0, f"pip cannot install {floors}:\n{pip.stderr}"
    app_dir = tmp_path / "consumer"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(FLOOR_APP)
    # WHEN an app outside the repository imports it and synthesizes a config
    run = subprocess.run(
        [str(python), "app.py"],
        cwd=app_dir,
        env=outside_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    # THEN the template holds the custom resource with the app's settings
    assert run.returncode == 0, f"on {floors}:\n{run.stderr[-3000:]}"
    resources = json.loads((app_dir / "cdk.out" / "Floors.template.json").read_text())["Resources"]
    [config] = of_type(resources, RESOURCE_TYPE)
    [queue] = of_type(resources, "AWS::SQS::Queue")
    [orders] = [key for key in of_type(resources, "AWS::Lambda::Function") if "Orders" in key]
    [provider] = set(of_type(resources, "AWS::Lambda::Function")) - {orders}
    assert resources[config]["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": [provider, "Arn"]},
        "ServiceTimeout": str(SERVICE_TIMEOUT_SECONDS),
        "FunctionName": {"Fn::GetAtt": [orders, "Arn"]},
        "MaximumRetryAttempts": 1,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}},
    }
