"""The typed view of CloudFormation's request: each field read by name, absent ones empty."""

from __future__ import annotations

import json

from event_invoke_config_provider.event import CustomResourceEvent
from tests.support import EVENTS, ORDERS_ARN


def test_a_create_reads_every_field_and_has_no_physical_id_nor_old_properties() -> None:
    fixture = json.loads((EVENTS / "create.json").read_text())

    create = CustomResourceEvent(fixture)

    assert create.request_type == "Create"
    assert create.request_id == fixture["RequestId"]
    assert create.response_url == fixture["ResponseURL"]
    assert create.service_token == fixture["ServiceToken"]
    assert create.stack_id == fixture["StackId"]
    assert create.logical_resource_id == "Async"
    assert create.resource_type == "Custom::LambdaEventInvokeConfig"
    assert create.resource_properties == fixture["ResourceProperties"]
    assert create.physical_resource_id == ""
    assert create.old_resource_properties == {}


def test_an_update_reads_its_physical_id_and_old_properties() -> None:
    old = {"FunctionName": "orders"}
    fixture = {
        **json.loads((EVENTS / "create.json").read_text()),
        "RequestType": "Update",
        "PhysicalResourceId": f"{ORDERS_ARN}:$LATEST",
        "OldResourceProperties": old,
    }

    update = CustomResourceEvent(fixture)

    assert update.request_type == "Update"
    assert update.physical_resource_id == f"{ORDERS_ARN}:$LATEST"
    assert update.old_resource_properties == old


def test_a_request_without_properties_reads_them_as_empty() -> None:
    fixture = json.loads((EVENTS / "create.json").read_text())
    del fixture["ResourceProperties"]

    assert CustomResourceEvent(fixture).resource_properties == {}
