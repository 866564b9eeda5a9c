"""`make integ`: the demo stack on real AWS: deploy, read back, update, read back, destroy.

After the first deploy the drift report finds everything in sync; a retry count changed by hand
is then its one MODIFIED config, and the update that follows writes the whole config back.

The updates change a setting (the worker's retries), then a grant: the alias config leaves the
stack, so its cleanup Delete needs the grant the update replaced. The run checks that no
resource ended DELETE_FAILED (DescribeStackEvents) and that Lambda holds no config on the alias.

Opt-in. It uses the credentials and region of the environment (AWS_PROFILE, AWS_REGION, ...)
and does nothing, exiting 0, when there are none. The stack is destroyed at the end whatever
happened before, so a failed run leaves nothing behind but what CloudFormation retained.
Instance-metadata credentials are not probed unless AWS_EC2_METADATA_DISABLED=false is set.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import boto3

from app import LIVE_CONFIG_CONTEXT, WORKER_RETRIES_CONTEXT
from event_invoke_config import drift
from offline_cloud.arns import config_target

ROOT = Path(__file__).resolve().parent.parent
CDK = str(ROOT / "node_modules" / ".bin" / "cdk")
STACK = "EventInvokeConfigDemo"
EXPECTED_OUTPUTS = {"WorkerConfigArn": "worker", "LiveConfigArn": "live alias"}


def _cdk(*args: str, env: dict[str, str]) -> None:
    print("$ cdk " + " ".join(args), flush=True)
    subprocess.run([CDK, *args], cwd=ROOT, env=env, check=True)


def _deploy(retries: int, env: dict[str, str], live_config: bool = True) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        outputs_file = Path(folder) / "outputs.json"
        _cdk(
            "deploy", STACK, "--require-approval", "never",
            "--context", f"{WORKER_RETRIES_CONTEXT}={retries}",
            "--context", f"{LIVE_CONFIG_CONTEXT}={str(live_config).lower()}",
            "--outputs-file", str(outputs_file),
            env=env,
        )  # fmt: skip
        outputs: dict[str, str] = json.loads(outputs_file.read_text())[STACK]
        return outputs


def _target(config_arn: str) -> dict[str, str]:
    """The API arguments that address the config a `FunctionArn` attribute names."""
    target = config_target(config_arn)
    assert target is not None, f"not a qualified function ARN: {config_arn}"
    return target


def _read_back(lambda_client: Any, outputs: dict[str, str]) -> dict[str, Any]:
    configs = {}
    for output, label in EXPECTED_OUTPUTS.items():
        if output not in outputs:
            continue
        config = lambda_client.get_function_event_invoke_config(**_target(outputs[output]))
        config.pop("ResponseMetadata")
        print(f"  {label}: {json.dumps(config, default=str)}")
        configs[label] = config
    return configs


def _assert_no_delete_failed(cloudformation: Any, since: datetime.datetime) -> None:
    """No event of the stack since `since` is DELETE_FAILED."""
    pages = cloudformation.get_paginator("describe_stack_events").paginate(StackName=STACK)
    events = [e for page in pages for e in page["StackEvents"] if e["Timestamp"] >= since]
    failed = [e for e in events if e["ResourceStatus"] == "DELETE_FAILED"]
    assert not failed, [(e["LogicalResourceId"], e.get("ResourceStatusReason")) for e in failed]


def _assert_no_config(lambda_client: Any, config_arn: str) -> None:
    """Lambda holds no config on the function and qualifier of `config_arn`."""
    try:
        lambda_client.get_function_event_invoke_config(**_target(config_arn))
    except lambda_client.exceptions.ResourceNotFoundException:
        print(f"  no config left on {config_arn}")
        return
    raise AssertionError(f"Lambda still holds the removed config on {config_arn}")


def _assert_drift(session: Any, modified: str | None) -> None:
    """The drift report finds the `modified` config alone MODIFIED, or everything in sync."""
    findings = drift.report(session, STACK)
    drifted = [(f.PhysicalResourceId, f.Status) for f in findings if f.Status != "IN_SYNC"]
    assert drifted == ([] if modified is None else [(modified, "MODIFIED")]), drifted


def main() -> int:
    """Run the real-AWS round trip; the exit code for `make integ`."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    session = boto3.Session()
    if session.get_credentials() is None:
        print("No AWS credentials in the environment: skipping the real-AWS run (nothing done).")
        return 0
    if session.region_name is None:
        print("Set AWS_REGION (or a profile region): the run needs a region to deploy to.")
        return 2
    account = session.client("sts").get_caller_identity()["Account"]
    region = session.region_name
    try:
        session.client("cloudformation").describe_stacks(StackName="CDKToolkit")
    except session.client("cloudformation").exceptions.ClientError:
        print(f"The account is not bootstrapped: run `npx cdk bootstrap aws://{account}/{region}`.")
        return 2
    env = {**os.environ, "CDK_DEFAULT_ACCOUNT": account, "CDK_DEFAULT_REGION": region}
    lambda_client = session.client("lambda")
    print(f"Deploying {STACK} to {account}/{region}")
    try:
        outputs = _deploy(retries=0, env=env)
        configs = _read_back(lambda_client, outputs)
        assert configs["worker"]["MaximumRetryAttempts"] == 0, configs
        _assert_drift(session, None)
        print("Changing the worker's retries by hand: the drift report shows it MODIFIED")
        lambda_client.put_function_event_invoke_config(
            **_target(outputs["WorkerConfigArn"]), MaximumRetryAttempts=1
        )
        _assert_drift(session, outputs["WorkerConfigArn"])
        print("Updating: worker retries 0 -> 2")
        configs = _read_back(lambda_client, _deploy(retries=2, env=env))
        assert configs["worker"]["MaximumRetryAttempts"] == 2, configs
        _assert_drift(session, None)  # the update wrote the whole config back
        print("Updating: the alias config leaves the stack (its grant changes)")
        since = datetime.datetime.now(datetime.UTC)
        remaining = _deploy(retries=2, env=env, live_config=False)
        assert "LiveConfigArn" not in remaining, "app.py must read LIVE_CONFIG_CONTEXT"
        _assert_no_delete_failed(session.client("cloudformation"), since)
        _assert_no_config(lambda_client, outputs["LiveConfigArn"])
    finally:
        _cdk("destroy", STACK, "--force", env=env)
    print("Integration run complete: deployed, read back, updated twice, destroyed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
