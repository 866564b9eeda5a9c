"""The provider: one Lambda function per stack that serves every config in that stack."""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from .asset import HANDLER, StagedProviderCode

# The newest Python runtime aws-cdk-lib offers (a test fails when a newer one appears).
RUNTIME = lambda_.Runtime.PYTHON_3_14
# Covers the handler's bounded retries (IAM propagation can take about two minutes).
FUNCTION_TIMEOUT = Duration.minutes(3)
CONFIG_ACTIONS = (
    "lambda:PutFunctionEventInvokeConfig",
    "lambda:DeleteFunctionEventInvokeConfig",
)


class EventInvokeConfigProvider(Construct):
    """The provider Lambda, its role and its log group; get it with `of(scope)`.

    The role may write only its own log group and call the event-invoke-config actions only on
    the functions registered with `allow_function` (and their versions and aliases).
    """

    ID = "LambdaEventInvokeConfigProvider"

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Manages the event invoke configs of the functions it is allowed to.",
        )
        self.log_group.grant_write(self.role)
        self._config_access = iam.PolicyStatement(actions=list(CONFIG_ACTIONS))
        self._allowed: set[str] = set()
        with StagedProviderCode() as code:
            self.function = lambda_.Function(
                self,
                "Function",
                runtime=RUNTIME,
                architecture=lambda_.Architecture.ARM_64,
                handler=HANDLER,
                code=code,
                memory_size=256,
                timeout=FUNCTION_TIMEOUT,
                role=self.role,
                log_group=self.log_group,
                description="CloudFormation provider for Custom::LambdaEventInvokeConfig",
            )

    @classmethod
    def of(cls, scope: IConstruct) -> EventInvokeConfigProvider:
        """The stack's provider, created on first use."""
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(cls.ID)
        if isinstance(existing, EventInvokeConfigProvider):
            return existing
        return cls(stack, cls.ID)

    @property
    def service_token(self) -> str:
        """The ServiceToken of the custom resources this provider serves."""
        return self.function.function_arn

    def allow_function(self, unqualified_arn: str) -> None:
        """Let the provider manage the configs of a function, its versions and its aliases."""
        if not self._allowed:
            self.role.add_to_principal_policy(self._config_access)
        for arn in (unqualified_arn, f"{unqualified_arn}:*"):
            if arn not in self._allowed:
                self._allowed.add(arn)
                self._config_access.add_resources(arn)
        # cdk-nag (AwsSolutions-IAM5) flags the `:*`; acknowledge exactly that finding.
        finding = f"Resource::{_as_nag_renders(Stack.of(self).resolve(unqualified_arn))}:*"
        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[{finding}]",
                reason="`:*` after one function's ARN covers only that function's versions and "
                "aliases, whose configs this provider manages; no other function matches.",
            )
        )


def _as_nag_renders(resolved: Any) -> str:
    """A resolved ARN as cdk-nag prints it in finding ids (`<Logical.Arn>`, `<AWS::Region>`)."""
    if isinstance(resolved, str):
        return resolved
    if "Ref" in resolved:
        return f"<{resolved['Ref']}>"
    if "Fn::GetAtt" in resolved:
        return "<{}.{}>".format(*resolved["Fn::GetAtt"])
    return "".join(_as_nag_renders(part) for part in resolved["Fn::Join"][1])
