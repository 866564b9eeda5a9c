"""The offline Lambda runtime reuses execution environments as Lambda does, one event at a time."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from offline_cloud import cfn_events
from offline_cloud.deployment import LocalCloud
from offline_cloud.lambda_runtime import Invocation, LambdaRuntime, ProviderAsset
from offline_cloud.lambda_sdk import sdk_path
from offline_cloud.local_cloud import ResponseCollector

pytestmark = pytest.mark.slow  # runs subprocesses (the fast tier runs none)

# Counts its invocations per environment; sleeps as long as the event asks.
PROBE = """
import os, time
import crhelper

invocations = 0

def handler(event, context):
    global invocations
    invocations += 1
    print(f"pid {os.getpid()} invocation {invocations}", flush=True)
    time.sleep(float(event["ResourceProperties"]["Sleep"]))
"""
TIMEOUT_SECONDS = 2
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/probe/1"
ENV = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture
def asset(tmp_path: Path) -> ProviderAsset:
    """A function that reports its environment's process and invocation count."""
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "__init__.py").write_text("")
    (tmp_path / "probe" / "index.py").write_text(PROBE)
    (tmp_path / "crhelper").mkdir()
    (tmp_path / "crhelper" / "__init__.py").write_text("")  # the bootstrap wants it from the asset
    return ProviderAsset(tmp_path, "probe.index.handler", TIMEOUT_SECONDS)


@pytest.fixture
def runtime() -> Iterator[LambdaRuntime]:
    runtime = LambdaRuntime(sdk_path())
    yield runtime
    runtime.close()


def sleeping(seconds: int) -> dict[str, Any]:
    """An event that keeps the probe busy for `seconds`."""
    return {"ResourceProperties": {"Sleep": str(seconds)}}


def finished(invocation: Invocation) -> Invocation:
    assert invocation.wait(until=time.monotonic() + 30), "the invocation did not end"
    return invocation


def test_events_in_a_row_run_in_one_warm_environment(
    asset: ProviderAsset, runtime: LambdaRuntime
) -> None:
    # WHEN two events are sent one after the other
    first = finished(runtime.invoke(asset, sleeping(0), ENV))
    second = finished(runtime.invoke(asset, sleeping(0), ENV))
    # THEN the second runs in the first's process, its module state kept; each has its own logs
    assert second.pid == first.pid
    assert first.logs == f"pid {first.pid} invocation 1\n"
    assert second.logs == f"pid {first.pid} invocation 2\n"


def test_other_environment_variables_get_an_environment_of_their_own(
    asset: ProviderAsset, runtime: LambdaRuntime
) -> None:
    first = finished(runtime.invoke(asset, sleeping(0), ENV))
    other = finished(runtime.invoke(asset, sleeping(0), {**ENV, "AWS_ACCESS_KEY_ID": "other"}))
    assert other.pid != first.pid
    assert other.logs == f"pid {other.pid} invocation 1\n"


def test_an_event_sent_while_the_environment_is_busy_gets_a_cold_one(
    asset: ProviderAsset, runtime: LambdaRuntime
) -> None:
    finished(runtime.invoke(asset, sleeping(0), ENV))
    busy = runtime.invoke(asset, sleeping(1), ENV)
    meanwhile = finished(runtime.invoke(asset, sleeping(0), ENV))
    assert meanwhile.pid != busy.pid
    assert meanwhile.logs == f"pid {meanwhile.pid} invocation 1\n"
    assert finished(busy).logs == f"pid {busy.pid} invocation 2\n"


def test_an_invocation_that_times_out_is_killed_and_the_next_event_gets_a_new_environment(
    asset: ProviderAsset, runtime: LambdaRuntime
) -> None:
    # GIVEN a warm environment
    warm = finished(runtime.invoke(asset, sleeping(0), ENV))
    # WHEN its next invocation outlasts the function's timeout
    started = time.monotonic()
    timed_out = finished(runtime.invoke(asset, sleeping(60), ENV))
    # THEN it is killed at the timeout, its logs kept, and its environment is gone
    assert TIMEOUT_SECONDS <= time.monotonic() - started < 10
    assert (timed_out.pid, timed_out.logs) == (warm.pid, f"pid {warm.pid} invocation 2\n")
    assert warm.pid not in [process.pid for process in runtime.processes]
    after = finished(runtime.invoke(asset, sleeping(0), ENV))
    assert after.pid != warm.pid
    assert after.logs == f"pid {after.pid} invocation 1\n"


def test_an_environment_whose_process_died_is_not_reused(
    asset: ProviderAsset, runtime: LambdaRuntime
) -> None:
    crashed = finished(runtime.invoke(asset, sleeping(0), ENV))
    [process] = runtime.processes
    process.kill()
    process.wait()
    after = finished(runtime.invoke(asset, sleeping(0), ENV))
    assert after.pid != crashed.pid
    assert after.logs == f"pid {after.pid} invocation 1\n"


def test_closing_the_runtime_ends_every_environment_idle_or_busy(asset: ProviderAsset) -> None:
    # GIVEN an idle warm environment and a busy one
    runtime = LambdaRuntime(sdk_path())
    idle = runtime.invoke(asset, sleeping(0), ENV)
    busy = runtime.invoke(asset, sleeping(60), ENV)
    finished(idle)
    processes = runtime.processes
    assert len(processes) == 2
    # WHEN the runtime closes
    runtime.close()
    # THEN no process is left, and the busy invocation ends
    assert all(process.poll() is not None for process in processes)
    assert runtime.processes == []
    assert busy.wait(until=time.monotonic())


def test_a_local_cloud_reuses_its_environments_and_ends_them_when_it_closes(
    asset: ProviderAsset, moto_endpoint: str, collector: ResponseCollector
) -> None:
    # GIVEN a local cloud serving custom resources with the probe
    with LocalCloud(asset, moto_endpoint=moto_endpoint, collector=collector) as cloud:
        # WHEN it sends two events
        for _ in range(2):
            cloud.provider.send(
                cfn_events.unsent(
                    "Create", stack_id=STACK_ID, logical_id="Probe", properties={"Sleep": "0"}
                )
            )
        processes = cloud.provider.runtime.processes
    # THEN one environment took both, and it is gone once the cloud is closed
    first, second = (exchange.invocation for exchange in cloud.provider.history)
    assert first is not None and second is not None
    assert first.pid == second.pid
    assert [process.pid for process in processes] == [first.pid]
    assert processes[0].poll() is not None
