"""Issue 14, item 5d: configs of a stack switched to a shared provider with `service_token=`.

CloudFormation refuses to change an existing custom resource's ServiceToken, so the switch is a
new construct id: the new resource, served by the shared provider, takes the config over from
the old one of the same stack, whose Delete (by the stack's own provider) leaves it. Deployed
through the offline engine with IAM enforced on every call of both providers.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import aws_cdk as cdk
import pytest

from event_invoke_config import RESOURCE_TYPE, LambdaEventInvokeConfig
from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.engine_resources import SERVICE_TOKEN_CHANGE
from offline_cloud.stack_state import Stack
from offline_cloud.template import Template, load_template
from tests.support import new_function

pytestmark = pytest.mark.slow
SHARED = cdk.Fn.import_value("LambdaEventInvokeConfigServiceToken")
CUSTOM = "Custom::LambdaEventInvokeConfig"


def synth(folder: Path, function_name: str, construct_id: str, *, shared: bool) -> Template:
    """A stack with one function (allowed by the shared provider: `async-*`) and its config."""
    app = cdk.App(outdir=str(folder))
    stack = cdk.Stack(app, "Consumer")
    fn = new_function(stack, "Fn", function_name=function_name)
    token = SHARED if shared else None
    LambdaEventInvokeConfig(stack, construct_id, function=fn, retry_attempts=0, service_token=token)
    template: Template = app.synth().get_stack_by_name("Consumer").template
    return template


def the_config(cloud: LocalCloud, stack: Stack) -> tuple[str, int | None]:
    """The logical id of the stack's one config and the retries Lambda holds for it."""
    [(logical_id, resource)] = [(k, r) for k, r in stack.resources.items() if r.type == CUSTOM]
    held = read_config(cloud.lambda_client, str(resource.physical_id))
    return logical_id, None if held is None else held["MaximumRetryAttempts"]


@pytest.fixture
def consumer(cloud: LocalCloud, cdk_out: Path, tmp_path: Path) -> tuple[str, Stack]:
    """The shared provider deployed, and a stack whose config its own provider serves."""
    shared = load_template(cdk_out, "EventInvokeConfigProvider")
    assert cloud.engine.create_stack("Shared", shared).status == "CREATE_COMPLETE"
    name = f"async-{uuid.uuid4().hex[:10]}"
    stack = cloud.engine.create_stack(
        "consumer", synth(tmp_path / "v1", name, "Async", shared=False)
    )
    assert stack.status == "CREATE_COMPLETE", stack.events
    return name, stack


def test_the_same_construct_id_with_a_service_token_is_refused_by_cloudformation(
    cloud: LocalCloud, tmp_path: Path, consumer: tuple[str, Stack]
) -> None:
    name, stack = consumer
    before = the_config(cloud, stack)

    switched = synth(tmp_path / "v2", name, "Async", shared=True)
    stack = cloud.engine.update_stack("consumer", switched)

    assert stack.status == "UPDATE_ROLLBACK_COMPLETE"
    assert SERVICE_TOKEN_CHANGE in stack.reasons("UPDATE_FAILED")
    assert the_config(cloud, stack) == before == (before[0], 0)


def test_a_new_construct_id_switches_to_the_shared_provider_in_one_deploy(
    cloud: LocalCloud, tmp_path: Path, consumer: tuple[str, Stack]
) -> None:
    name, stack = consumer
    own_role = {exchange.role for exchange in cloud.provider.history[-1:]}

    stack = cloud.engine.update_stack(
        "consumer", synth(tmp_path / "v2", name, "AsyncShared", shared=True)
    )

    assert stack.status == "UPDATE_COMPLETE", [e for e in stack.events if e.reason]
    assert stack.reasons("DELETE_FAILED") == []
    logical_id, retries = the_config(cloud, stack)
    assert logical_id.startswith("AsyncShared") and retries == 0, "kept, with its settings"
    assert not any(
        r.type == "AWS::Lambda::Function" and "Provider" in k for k, r in stack.resources.items()
    )
    create, delete = [
        exchange
        for exchange in cloud.provider.history
        if exchange.event["ResourceType"] == RESOURCE_TYPE  # not the grants' digest
    ][-2:]
    assert (create.event["RequestType"], delete.event["RequestType"]) == ("Create", "Delete")
    assert None not in own_role and create.role not in own_role, "each served by its provider"
    assert delete.role in own_role
    assert cloud.denied_calls == []
    physical_id = str(stack.resources[logical_id].physical_id)
    assert cloud.engine.delete_stack("consumer").status == "DELETE_COMPLETE"
    assert read_config(cloud.lambda_client, physical_id) is None, "nothing leaked"
