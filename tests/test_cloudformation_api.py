"""The offline CloudFormation API (offline_cloud/cloudformation_api.py) decides as CloudFormation
documents it: parameters, capabilities, empty change sets, stack sets' instances and removal."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from offline_cloud.cloudformation_api import NO_CHANGES, CloudFormationApi
from offline_cloud.fake_aws import ACCOUNT, REGION
from offline_cloud.query_protocol import parse

UNIT = "ou-test-11111111"
# Two parameters with Defaults, written into an SSM parameter named per test.
TEMPLATE = """
Parameters:
  Name: {Type: String}
  First: {Type: String, Default: first-default}
  Second: {Type: String, Default: second-default}
Resources:
  Value:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Ref Name
      Type: String
      Value: !Sub ${First}/${Second}
"""
ROLE = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
"""


@pytest.fixture
def api(moto_endpoint: str) -> Iterator[tuple[CloudFormationApi, Any]]:
    """The API with an organization of one unit, and a boto3 client of it."""
    offline = CloudFormationApi(moto_endpoint, {UNIT: [ACCOUNT]})
    with offline as url:
        yield offline, boto3.client("cloudformation", endpoint_url=url, region_name=REGION)


def ssm_value(moto_endpoint: str, name: str, region: str = REGION) -> str:
    ssm = boto3.client("ssm", endpoint_url=moto_endpoint, region_name=region)
    return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])


def change(client: Any, kind: str, parameters: list[dict[str, Any]], **extra: Any) -> Any:
    """A change set for the stack `values`; returns DescribeChangeSet's answer."""
    created = client.create_change_set(
        StackName="values",
        ChangeSetName=f"c{uuid.uuid4().hex}",
        ChangeSetType=kind,
        TemplateBody=extra.pop("template", TEMPLATE),
        Parameters=parameters,
        **extra,
    )
    return client.describe_change_set(ChangeSetName=created["Id"])


def test_the_query_protocol_nests_members_in_order() -> None:
    body = (
        "Action=X&Regions.member.2=b&Regions.member.1=a&Regions.member.10=c&"
        "Parameters.member.1.ParameterKey=K&Parameters.member.1.UsePreviousValue=true&"
        "DeploymentTargets.OrganizationalUnitIds.member.1=ou-1&AutoDeployment.Enabled=false"
    )

    assert parse(body) == {
        "Action": "X",
        "Regions": ["a", "b", "c"],
        "Parameters": [{"ParameterKey": "K", "UsePreviousValue": "true"}],
        "DeploymentTargets": {"OrganizationalUnitIds": ["ou-1"]},
        "AutoDeployment": {"Enabled": "false"},
    }


def test_an_update_keeps_what_it_names_as_previous_and_defaults_what_it_leaves_out(
    api: tuple[CloudFormationApi, Any], moto_endpoint: str
) -> None:
    # GIVEN a stack created with values for both parameters
    _offline, client = api
    name = f"/test/{uuid.uuid4().hex}"
    given = [{"ParameterKey": "Name", "ParameterValue": name}]
    values = [
        {"ParameterKey": "First", "ParameterValue": "one"},
        {"ParameterKey": "Second", "ParameterValue": "two"},
    ]
    created = change(client, "CREATE", given + values)
    client.execute_change_set(ChangeSetName=created["ChangeSetId"])
    assert ssm_value(moto_endpoint, name) == "one/two"
    # WHEN an update names First as previous and leaves Second out
    previous = [{"ParameterKey": key, "UsePreviousValue": True} for key in ("Name", "First")]
    updated = change(client, "UPDATE", previous)
    client.execute_change_set(ChangeSetName=updated["ChangeSetId"])
    # THEN First keeps its value and Second takes its Default ("Parameter", API Reference)
    assert ssm_value(moto_endpoint, name) == "one/second-default"
    [stack] = client.describe_stacks(StackName="values")["Stacks"]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "Name": name,
        "First": "one",
        "Second": "second-default",
    }
    # and the same again is no change: the change set fails as the CLI's deploy expects
    again = change(client, "UPDATE", previous)
    assert (again["Status"], again["StatusReason"]) == ("FAILED", NO_CHANGES)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ([{"ParameterKey": "Other", "ParameterValue": "x"}], "Parameters: [Other] do not exist"),
        ([], "Parameters: [Name] must have values"),
        ([{"ParameterKey": "Name", "UsePreviousValue": True}], "Cannot specify usePreviousValue"),
    ],
)
def test_a_new_stack_refuses_unknown_missing_and_previous_values(
    api: tuple[CloudFormationApi, Any], parameters: list[dict[str, Any]], message: str
) -> None:
    _offline, client = api
    with pytest.raises(ClientError, match="ValidationError") as refused:
        change(client, "CREATE", parameters)

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("properties", "acknowledged", "needed"),
    [("", [], "CAPABILITY_IAM"), ("      RoleName: named\n", ["CAPABILITY_IAM"], "NAMED_IAM")],
)
def test_iam_resources_need_their_capability(
    api: tuple[CloudFormationApi, Any], properties: str, acknowledged: list[str], needed: str
) -> None:
    _offline, client = api
    template = ROLE + properties
    with pytest.raises(ClientError, match=f"InsufficientCapabilities.*{needed}"):
        change(client, "CREATE", [], template=template, Capabilities=acknowledged)
    with pytest.raises(ClientError, match=f"InsufficientCapabilities.*{needed}"):
        client.create_stack_set(
            StackSetName=f"s{uuid.uuid4().hex[:8]}",
            TemplateBody=template,
            PermissionModel="SERVICE_MANAGED",
            Capabilities=acknowledged,
        )


def test_a_stack_set_names_its_stacks_updates_them_and_is_removed_only_empty(
    api: tuple[CloudFormationApi, Any], moto_endpoint: str
) -> None:
    # GIVEN a stack set with instances in the unit's account, in two regions
    offline, client = api
    name, regions = f"/test/{uuid.uuid4().hex}", ["eu-west-1", "us-west-2"]
    client.create_stack_set(
        StackSetName="values",
        TemplateBody=TEMPLATE,
        PermissionModel="SERVICE_MANAGED",
        Parameters=[
            {"ParameterKey": "Name", "ParameterValue": name},
            {"ParameterKey": "Second", "ParameterValue": "two"},
        ],
    )
    targets: dict[str, Any] = {"DeploymentTargets": {"OrganizationalUnitIds": [UNIT]}}
    created = client.create_stack_instances(StackSetName="values", Regions=regions, **targets)
    operation = client.describe_stack_set_operation(
        StackSetName="values", OperationId=created["OperationId"]
    )["StackSetOperation"]
    assert (operation["Action"], operation["Status"]) == ("CREATE", "SUCCEEDED")
    instances = offline.stack_sets.stack_set("values").instances
    assert sorted(instances) == [(ACCOUNT, region) for region in regions]
    assert all(i.stack_name.startswith("StackSet-values-") for i in instances.values())
    values = [ssm_value(moto_endpoint, name, region) for region in regions]
    assert values == ["first-default/two"] * 2
    # WHEN it is updated naming Name as previous, First anew, and Second left out
    client.update_stack_set(
        StackSetName="values",
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": "Name", "UsePreviousValue": True},
            {"ParameterKey": "First", "ParameterValue": "one"},
        ],
    )
    # THEN every instance's stack has the new values, Second its Default
    values = [ssm_value(moto_endpoint, name, region) for region in regions]
    assert values == ["one/second-default"] * 2
    # and the stack set cannot go before its instances
    with pytest.raises(ClientError, match="StackSetNotEmptyException"):
        client.delete_stack_set(StackSetName="values")
    client.delete_stack_instances(
        StackSetName="values", Regions=regions, RetainStacks=False, **targets
    )
    client.delete_stack_set(StackSetName="values")
    assert offline.stack_sets.stack_sets == {}
