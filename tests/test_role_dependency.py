"""A function's DependsOn loses its role, which its `Role` GetAtt orders, and nothing else."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from event_invoke_config.role_dependency import drop_role_dependency
from tests.support import logical_id, new_function, new_stack


def function_in_a_vpc(*, drop: bool) -> tuple[dict[str, Any], str]:
    """A function in private subnets (CDK orders it after their routes) with a role policy: its
    resource and its role's logical id."""
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, restrict_default_security_group=False)
    private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    function = new_function(stack, vpc=vpc, vpc_subnets=private)
    function.add_to_role_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["*"]))
    if drop:
        drop_role_dependency(function)
    resource = Template.from_stack(stack).to_json()["Resources"][logical_id(function)]
    return resource, logical_id(function.role)  # type: ignore[arg-type]


def test_the_role_leaves_the_depends_on_and_every_other_dependency_stays_in_cdk_s_order() -> None:
    cdk_s, role = function_in_a_vpc(drop=False)
    dropped, _ = function_in_a_vpc(drop=True)

    assert role in cdk_s["DependsOn"] and len(cdk_s["DependsOn"]) > 2
    assert dropped["DependsOn"] == [
        dependency for dependency in cdk_s["DependsOn"] if dependency != role
    ]
    assert dropped["Properties"]["Role"] == {"Fn::GetAtt": [role, "Arn"]}
    assert {**dropped, "DependsOn": cdk_s["DependsOn"]} == cdk_s


def test_a_function_that_depends_on_its_role_alone_has_no_depends_on_left() -> None:
    stack = new_stack()
    function = new_function(stack)

    drop_role_dependency(function)

    assert (
        "DependsOn" not in Template.from_stack(stack).to_json()["Resources"][logical_id(function)]
    )
