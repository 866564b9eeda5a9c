"""The provider's grant on its SSM parameters: copies of the configs it took over.

When it takes over a config that another owner set, the provider keeps a copy of it in an SSM
parameter under `ADOPTED_PARAMETER_PATH`, in its own account and region, so that a rollback can
restore it (the README's "Who owns a config"). It calls GetParameter, PutParameter (a String,
overwritten) and DeleteParameter there and nothing else, so its role gets exactly these actions
on that path. A parameter's ARN names it without its leading slash,
`arn:PARTITION:ssm:REGION:ACCOUNT:parameter/event-invoke-config/adopted/...` (resource type
`parameter`, https://docs.aws.amazon.com/service-authorization/latest/reference/
list_awssystemsmanager.html); release/provider.yaml grants the same ARN.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from event_invoke_config_provider.properties import ADOPTED_PARAMETER_PATH

from .nag import wildcard_resource_id

COPY_ACTIONS = ("ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter")


def copies_arn(scope: IConstruct) -> str:
    """The ARN pattern of every parameter under the path, in `scope`'s account and region."""
    return Stack.of(scope).format_arn(
        service="ssm",
        resource="parameter",
        resource_name=f"{ADOPTED_PARAMETER_PATH.lstrip('/')}*",
    )


def allow_copies(role: iam.Role) -> None:
    """Grant `role` the copy actions under the path, and acknowledge the path's wildcard."""
    arn = copies_arn(role)
    role.add_to_principal_policy(iam.PolicyStatement(actions=list(COPY_ACTIONS), resources=[arn]))
    Validations.of(role).acknowledge(
        Acknowledgment(
            id=wildcard_resource_id(role, arn),
            reason="The provider's own SSM parameters: one copy per config it took over, named "
            "for that config, so the names are known only at deploy; only this path, only in "
            "its account and region, only get, put and delete.",
        )
    )
