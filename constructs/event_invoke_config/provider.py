"""The provider: one Lambda function per stack that serves every config in that stack."""

from __future__ import annotations

import weakref
from typing import Any

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from event_invoke_config_provider.properties import InvalidPropertyError

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
    "lambda:PutFunctionEventInvokeConfig",
    "lambda:DeleteFunctionEventInvokeConfig",
)


# Per app (keyed by its root): each config's place, function and qualifier -> its construct.
_CLAIMS: weakref.WeakKeyDictionary[IConstruct, dict[object, Construct]] = (
    weakref.WeakKeyDictionary()
)
# Per scope a config was declared in: the provider of that scope's stack (spares jsii calls).
_BY_SCOPE: weakref.WeakKeyDictionary[IConstruct, EventInvokeConfigProvider] = (
    weakref.WeakKeyDictionary()
)


class EventInvokeConfigProvider(Construct):
    """The provider Lambda, its role and its log group; get it with `of(scope)`.

    The role may write only its own log group and call the event-invoke-config actions only on
    the functions registered with `allow_function` (and, where asked, their versions and
    aliases).
    """

    ID = "EventInvokeConfigProvider"

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._claims = _CLAIMS.setdefault(self.node.root, {})
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
        provider = _BY_SCOPE.get(scope)
        if provider is None:
            stack = Stack.of(scope)
            existing = stack.node.try_find_child(cls.ID)
            provider = existing if isinstance(existing, cls) else cls(stack, cls.ID)
            _BY_SCOPE[scope] = provider
        return provider

    def claim(self, config_key: object | None, config: Construct) -> None:
        """Refuse a second config for the same function and qualifier in one app."""
        if config_key is None:
            return
        owner = self._claims.setdefault(config_key, config)
        if owner is not config:
            raise InvalidPropertyError(
                f"function already has an event invoke config for this qualifier at "
                f"{owner.node.path}: Lambda keeps one per function and qualifier, so the two "
                "would overwrite each other."
            )

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
    """A resolved ARN as cdk-nag prints it in finding ids (`<Logical.Arn>`, `<AWS::Region>`)."""
    if isinstance(resolved, str):
        return resolved
    if "Ref" in resolved:
        return f"<{resolved['Ref']}>"
    if "Fn::GetAtt" in resolved:
        return "<{}.{}>".format(*resolved["Fn::GetAtt"])
    return "".join(_as_nag_renders(part) for part in resolved["Fn::Join"][1])
