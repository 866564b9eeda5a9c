"""The provider's role and its default policy: its own logs, stack reads, copies, VPC access.

The config grants are not here: they are managed policies of their own (grants.py). A
permissions boundary applied with `PermissionsBoundary.of(stack)` reaches this role, as it
reaches every role of the stack.

Upgrading from 0.1.0: 0.1.0 granted the config actions in the role's DefaultPolicy, which this
version names anew (`DEFAULT_POLICY_SUFFIX`), so an upgrade creates the new policy and leaves
the old one to UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, which deletes it in reverse dependency order
of the old template (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/
using-cfn-updating-stacks-update-behaviors.html, .../aws-attribute-dependson.html). A 0.1.0
config does not DependsOn that policy: it names the provider function (`Fn::GetAtt` in its
ServiceToken), which DependsOn the policy and stays. That the cleanup order spans the kept
function, deleting a removed or moved config before the old policy, is assumed, not
documented; offline_cloud/engine.py models it and tests/test_upgrade.py runs the upgrade.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from .adopted_copies import allow_copies
from .nag import managed_policy_id

# The ownership check reads which resources of the event's stack hold a config, and whether
# that stack is rolling back.
STACK_READ_ACTIONS = (
    "cloudformation:ListStackResources",
    "cloudformation:DescribeStacks",
)
VPC_ACCESS_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"
# The role's default policy (logs, stack reads) is the role's logical id and this suffix.
DEFAULT_POLICY_SUFFIX = "Policy"


def provider_role(
    scope: Construct, log_group: logs.ILogGroup
) -> tuple[iam.Role, iam.PolicyStatement]:
    """The role and its statement of stack reads (a shared provider adds the stacks it serves)."""
    role = iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description="Manages the event invoke configs of the functions it is allowed to.",
    )
    log_group.grant_write(role)
    stack_reads = iam.PolicyStatement(
        actions=list(STACK_READ_ACTIONS), resources=[Stack.of(scope).stack_id]
    )
    role.add_to_principal_policy(stack_reads)
    allow_copies(role)
    _rename_default_policy(role)
    return role, stack_reads


def _rename_default_policy(role: iam.Role) -> None:
    """Give the role's default policy a logical id of its own, unlike 0.1.0's.

    0.1.0 kept the config grants in this policy. Under its old id an upgrade would update it
    in place, dropping them in the update phase, before the cleanup phase's Delete of a
    removed or moved config needs them. Under a new id the old policy is a removed
    resource, deleted in the cleanup phase after the old configs (see grants.py).
    """
    policy = cast(iam.CfnPolicy, role.node.find_child("DefaultPolicy").node.default_child)
    role_id = Stack.of(role).resolve(cast(iam.CfnRole, role.node.default_child).logical_id)
    policy.override_logical_id(f"{role_id}{DEFAULT_POLICY_SUFFIX}")


def allow_vpc_access(role: iam.Role) -> None:
    """ENI access for a provider in a VPC, through the policy Lambda's docs name."""
    policy = iam.ManagedPolicy.from_aws_managed_policy_name(VPC_ACCESS_POLICY)
    role.add_managed_policy(policy)
    Validations.of(role).acknowledge(
        Acknowledgment(
            id=managed_policy_id(role, policy),
            reason="A function in a VPC needs to create, describe and delete its network "
            "interfaces; AWS keeps this policy to exactly what Lambda needs for that.",
        )
    )
