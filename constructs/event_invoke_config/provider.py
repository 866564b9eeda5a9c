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
# The configs' ServiceTimeout: a lost answer fails the stack after 5 minutes, not
# CloudFormation's default hour; longer than FUNCTION_TIMEOUT, so the provider answers first.
SERVICE_TIMEOUT_SECONDS = 300
# An event older than this could not be answered before CloudFormation stops waiting.
MAX_EVENT_AGE = Duration.seconds(SERVICE_TIMEOUT_SECONDS - FUNCTION_TIMEOUT.to_seconds())
CONFIG_ACTIONS = (
    "lambda:GetFunctionEventInvokeConfig",
    "lambda:PutFunctionEventInvokeConfig",
    "lambda:DeleteFunctionEventInvokeConfig",
)
# The ownership check reads which resources of the event's stack hold a config, and whether
# that stack is rolling back.
STACK_READ_ACTIONS = (
    "cloudformation:ListStackResources",
    "cloudformation:DescribeStacks",
)


class EventInvokeConfigProvider(Construct):
    """The provider Lambda, its role and its log group; get it with `of(scope)`.

    The role may write only its own log group, call the event-invoke-config actions only on
    the functions registered with `allow_function` (and, where asked, their versions and
    aliases), and read the resource list and status of its own stack (and of the stacks
    registered with `allow_stack_reads`).
    """

    ID = "EventInvokeConfigProvider"

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
        self._stack_reads = iam.PolicyStatement(
            actions=list(STACK_READ_ACTIONS), resources=[Stack.of(self).stack_id]
        )
        self.role.add_to_principal_policy(self._stack_reads)
        self._config_access = iam.PolicyStatement(actions=list(CONFIG_ACTIONS))
        self._allowed: set[str] = set()
        with StagedProviderCode() as code:
            self.function = lambda_.Function(
                self,
                "Handler",
                runtime=RUNTIME,
                architecture=lambda_.Architecture.ARM_64,
                handler=HANDLER,
                code=code,
                memory_size=256,
                timeout=FUNCTION_TIMEOUT,
                role=self.role,
                log_group=self.log_group,
                description="CloudFormation provider for Custom::LambdaEventInvokeConfig",
                # CloudFormation invokes it asynchronously: a retry, or an event run after
                # CloudFormation stopped waiting, would write a config for an answered request.
                retry_attempts=0,
                max_event_age=MAX_EVENT_AGE,
            )
        self.service_token: str = self.function.function_arn
        """The ServiceToken of the custom resources this provider serves."""

    @classmethod
    def of(cls, scope: IConstruct) -> EventInvokeConfigProvider:
        """The provider of `scope`'s stack, created on first use."""
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(cls.ID)
        return existing if isinstance(existing, cls) else cls(stack, cls.ID)

    def allow_stack_reads(self, stack_arn: str) -> None:
        """Let the provider read other stacks: those whose plain templates it serves."""
        self._stack_reads.add_resources(stack_arn)

    def allow_function(self, unqualified_arn: str, *, qualified: bool = False) -> None:
        """Let the provider manage a function's config; `qualified`: its versions' and aliases'."""
        if not self._allowed:
            self.role.add_to_principal_policy(self._config_access)
        arns = [unqualified_arn, f"{unqualified_arn}:*"] if qualified else [unqualified_arn]
        new = [arn for arn in arns if arn not in self._allowed]
        if not new:
            return
        self._allowed.update(new)
        self._config_access.add_resources(*new)
        if qualified:
            # cdk-nag (AwsSolutions-IAM5) flags the `:*`; acknowledge exactly that finding.
            finding = f"Resource::{_as_nag_renders(Stack.of(self).resolve(unqualified_arn))}:*"
            Validations.of(self.role).acknowledge(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[{finding}]",
                    reason="`:*` after one function's ARN covers only that function's versions "
                    "and aliases, whose configs this provider manages; no other function matches.",
                )
            )


def _as_nag_renders(resolved: Any) -> str:
    """A resolved ARN as cdk-nag prints it in finding ids (`<Logical.Arn>`, `<AWS::Region>`).

    Mirrors cdk-nag's `flattenCfnReference` for the intrinsics an ARN resolves to here. It stays
    because cdk-nag 3 acknowledges a finding only by its exact id (no patterns, unlike v2's
    `appliesTo` regex), and acknowledging all of AwsSolutions-IAM5 on the role would also hide
    any wildcard this finding does not justify.
    """
    if isinstance(resolved, str):
        return resolved
    if "Ref" in resolved:
        return f"<{resolved['Ref']}>"
    if "Fn::GetAtt" in resolved:
        return "<{}.{}>".format(*resolved["Fn::GetAtt"])
    return "".join(_as_nag_renders(part) for part in resolved["Fn::Join"][1])
