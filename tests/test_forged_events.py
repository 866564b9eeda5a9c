"""Issue 25: a forged event acts on nothing, in the offline cloud.

The demo stack is deployed for real through the offline engine (the control: its config is
written), and then someone with invoke rights on the provider hands it events for that stack,
now complete, as CloudFormation would have sent them during an operation: a Delete as the
config's owner or as another type, an Update that rewrites the config, a Create that adopts it.
Each is answered FAILED and Lambda's config is exactly as the deploy left it; a real delete of
the stack afterwards still removes it. On 0.2.1 the Delete and the Update acted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from offline_cloud.deployment import LocalCloud, read_config
from offline_cloud.stack_state import Stack
from offline_cloud.template import load_template

pytestmark = pytest.mark.slow
STACK = "EventInvokeConfigDemo"
CONFIG = "WorkerAsync3BE73732"


@pytest.fixture
def deployed(cloud: LocalCloud, cdk_out: Path) -> Stack:
    stack = cloud.engine.create_stack(STACK, load_template(cdk_out, STACK))
    assert stack.status == "CREATE_COMPLETE", stack.events
    return stack


def properties_of(cloud: LocalCloud, logical_id: str) -> dict[str, Any]:
    """The properties CloudFormation sent for `logical_id`'s Create."""
    [properties] = [
        x.event["ResourceProperties"]
        for x in cloud.provider.history
        if x.event["LogicalResourceId"] == logical_id and x.event["RequestType"] == "Create"
    ]
    return dict(properties)


def forgeries(cloud: LocalCloud, stack: Stack) -> dict[str, dict[str, Any]]:
    """Events for the deployed config, as its owner and as a newcomer, each of them one that
    would act if CloudFormation had sent it during an operation."""
    physical_id = str(stack.resources[CONFIG].physical_id)
    declared = properties_of(cloud, CONFIG)
    weakened = {
        k: v for k, v in declared.items() if k not in {"DestinationConfig", "MaximumRetryAttempts"}
    }
    return {
        "Delete as the owner": {
            "request_type": "Delete",
            "logical_id": CONFIG,
            "physical_id": physical_id,
            "properties": declared,
        },
        "Delete as another type": {
            "request_type": "Delete",
            "logical_id": "Anything",
            "physical_id": physical_id,
            "properties": declared,
            "resource_type": "Custom::Anything",
        },
        "Update that rewrites it": {
            "request_type": "Update",
            "logical_id": CONFIG,
            "physical_id": physical_id,
            "properties": {**weakened, "MaximumEventAgeInSeconds": "60"},
            "old_properties": declared,
        },
        "Create that adopts it": {
            "request_type": "Create",
            "logical_id": "Thief",
            "properties": {**weakened, "AdoptExisting": "true", "MaximumRetryAttempts": "0"},
        },
    }


FORGERIES = [
    "Delete as the owner",
    "Delete as another type",
    "Update that rewrites it",
    "Create that adopts it",
]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_event_for_a_complete_stack_changes_nothing(
    cloud: LocalCloud, deployed: Stack, forgery: str
) -> None:
    physical_id = str(deployed.resources[CONFIG].physical_id)
    before = read_config(cloud.lambda_client, physical_id)
    assert before is not None and before["DestinationConfig"], "the deploy wrote the config"
    forged = forgeries(cloud, deployed)[forgery]
    request_type, logical_id = forged.pop("request_type"), forged.pop("logical_id")

    answer = cloud.send(deployed, request_type, logical_id, during=None, **forged)

    assert answer["Status"] == "FAILED"
    assert "nothing was changed" in answer["Reason"]
    assert read_config(cloud.lambda_client, physical_id) == before, "LastModified included"
    assert cloud.engine.delete_stack(STACK).status == "DELETE_COMPLETE"
    assert read_config(cloud.lambda_client, physical_id) is None, "the real Delete still acts"


def test_the_same_update_sent_during_an_operation_acts(cloud: LocalCloud, deployed: Stack) -> None:
    """The control for the forged Update: the event itself is one the provider acts on."""
    physical_id = str(deployed.resources[CONFIG].physical_id)
    forged = forgeries(cloud, deployed)["Update that rewrites it"]
    request_type, logical_id = forged.pop("request_type"), forged.pop("logical_id")

    answer = cloud.send(deployed, request_type, logical_id, during="UPDATE_IN_PROGRESS", **forged)

    assert answer["Status"] == "SUCCESS", answer["Reason"]
    config = read_config(cloud.lambda_client, physical_id)
    assert config is not None
    assert (config["MaximumEventAgeInSeconds"], "DestinationConfig" in config) == (60, False)
