"""The provider's grant on its SSM parameters: copies of the configs it took over.

GetParameter, PutParameter and DeleteParameter, and nothing else, on the parameters under
`ADOPTED_PARAMETER_PATH` in the provider's account and region, named as IAM reads them (without
the leading slash); release/provider.yaml grants the same ARN. Why the copies exist:
docs/design.md, "Ownership: who holds a config".
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
