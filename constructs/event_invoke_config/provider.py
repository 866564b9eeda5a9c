"""The provider: one Lambda function per stack that serves every config in that stack.

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

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, cast
from weakref import WeakKeyDictionary

from aws_cdk import Acknowledgment, CfnResource, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from event_invoke_config_provider.properties import RESOURCE_TYPE, SHARED_PROVIDER_VARIABLE
from event_invoke_config_provider.timing import (
    FUNCTION_TIMEOUT_SECONDS,
    MAX_EVENT_AGE_SECONDS,
    SERVICE_TIMEOUT_SECONDS,
)

from .adopted_copies import allow_copies
from .allow_list import SharedAccess
from .arguments import check_type
from .asset import HANDLER, provider_code
from .facts import stack_facts
from .grants import CONFIG_ACTIONS, MAX_BUCKETS, ConfigGrants
from .nag import managed_policy_id

# The newest Python runtime aws-cdk-lib offers (a test fails when a newer one appears).
RUNTIME = lambda_.Runtime.PYTHON_3_14
# The timing contract (handler timing.py): the function's timeout, and its event age limit.
FUNCTION_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS)
MAX_EVENT_AGE = Duration.seconds(MAX_EVENT_AGE_SECONDS)
# The ownership check reads which resources of the event's stack hold a config, and whether
# that stack is rolling back.
STACK_READ_ACTIONS = (
    "cloudformation:ListStackResources",
    "cloudformation:DescribeStacks",
)
DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH
DEFAULT_LOG_REMOVAL_POLICY = RemovalPolicy.RETAIN
DEFAULT_MEMORY_SIZE = 256
MEMORY_SIZE_RANGE = range(128, 10_240 + 1)
VPC_ACCESS_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"
# The role's default policy (logs, stack reads) is the role's logical id and this suffix.
DEFAULT_POLICY_SUFFIX = "Policy"
# checkov's findings on the provider, each skipped with its reason (release/provider.yaml says
# the same): (id, comment), as checkov reads them from a resource's Metadata.
NO_DLQ = (
    "CKV_AWS_116",
    "No dead-letter queue: CloudFormation invokes the provider asynchronously with retries "
    "disabled, and a failed or lost event already fails its stack operation after the "
    "resource's ServiceTimeout; nothing is left to replay.",
)
NO_RESERVED_CONCURRENCY = (
    "CKV_AWS_115",
    "No reserved concurrency: the provider runs once per resource operation, and reserving "
    "would take from the account's pool; Lambda throttling is retried.",
)
NO_VPC = (
    "CKV_AWS_117",
    "No VPC unless ProviderOptions.vpc: the provider calls only the Lambda, CloudFormation, SSM "
    "and S3 (pre-signed response) endpoints and reaches no private resource.",
)
PLAIN_VARIABLES = (
    "CKV_AWS_173",
    "Environment variables not encrypted with a key of ours: the only one a shared provider "
    "gets is its stack's name, no secret; Lambda encrypts them at rest with its own key.",
)
LOGS_WITHOUT_KMS = (
    "CKV_AWS_158",
    "CloudWatch Logs encrypts the provider's events with its own keys; they hold requests and "
    "reasons, never credentials.",
)

__all__ = [
    "CONFIG_ACTIONS",  # from grants.py: the actions the provider calls on configs
    "DEFAULT_LOG_REMOVAL_POLICY",
    "DEFAULT_LOG_RETENTION",
    "DEFAULT_MEMORY_SIZE",
    "FUNCTION_TIMEOUT",
    "MAX_EVENT_AGE",
    "RUNTIME",
    "SERVICE_TIMEOUT_SECONDS",
    "STACK_READ_ACTIONS",
    "VPC_ACCESS_POLICY",
    "EventInvokeConfigProvider",
    "ProviderOptions",
]


@dataclass(frozen=True)
class ProviderOptions:
    """The provider's options; see `EventInvokeConfigProvider`. None stands for the default."""

    log_retention: logs.RetentionDays = DEFAULT_LOG_RETENTION
    log_removal_policy: RemovalPolicy = DEFAULT_LOG_REMOVAL_POLICY
    memory_size: int | float = DEFAULT_MEMORY_SIZE
    vpc: ec2.IVpc | None = None
    vpc_subnets: ec2.SubnetSelection | None = None

    def __post_init__(self) -> None:
        check_type("log_retention", self.log_retention, (logs.RetentionDays,), optional=True)
        check_type("log_removal_policy", self.log_removal_policy, (RemovalPolicy,), optional=True)
        check_type("memory_size", self.memory_size, (int, float), optional=True)
        check_type("vpc", self.vpc, (ec2.IVpc,), optional=True)
        check_type("vpc_subnets", self.vpc_subnets, (ec2.SubnetSelection,), optional=True)
        for option in fields(self):
            if getattr(self, option.name) is None:
                object.__setattr__(self, option.name, option.default)
        memory = self.memory_size
        # A number token is a finite float; an int is never one.
        if not (
            isinstance(memory, float) and math.isfinite(memory) and Token.is_unresolved(memory)
        ):
            if not float(memory).is_integer() or int(memory) not in MEMORY_SIZE_RANGE:
                raise ValueError(
                    f"memory_size must be a whole number from 128 to 10240 (MB); got {memory}."
                )
            object.__setattr__(self, "memory_size", int(memory))
        if self.vpc_subnets is not None and self.vpc is None:
            raise ValueError("vpc_subnets needs vpc: give the VPC the subnets belong to.")


class EventInvokeConfigProvider(Construct):
    """The provider Lambda, its role and its log group; get it with `of(scope)`.

    The role may write only its own log group, call the event-invoke-config actions only on
    the ARNs its configs name (`grant`) or the function names it is given
    (`allow_function_names`), read the resource list and status of its own stack (and of
    the stacks registered with `allow_stack_reads`), and keep copies of the configs it took
    over in its SSM parameters (adopted_copies.py).

    Options (`ProviderOptions`, or keyword arguments of `of`)
    ---------------------------------------------------------
    log_retention:
        How long the provider's logs are kept. Default: one month.
    log_removal_policy:
        What happens to the log group when the provider leaves the stack. Default: RETAIN.
    memory_size:
        The provider function's memory, 128 to 10,240 MB. Default: 256.
    vpc:
        A VPC to run the provider in; it must reach the Lambda, CloudFormation, SSM and S3
        (the answer's pre-signed URL) endpoints, through a NAT gateway or VPC endpoints. The role
        then gets the AWS managed policy AWSLambdaVPCAccessExecutionRole. Default: no VPC.
    vpc_subnets:
        Where in `vpc` to place the provider; needs `vpc`. Default: the VPC's private subnets.

    The options are set once per stack: create the provider with them
    (`EventInvokeConfigProvider.of(stack, memory_size=512)`) before the stack's first config.
    `of` refuses options that differ from those of the provider the stack has.
    """

    ID = "EventInvokeConfigProvider"

    def __init__(
        self, scope: Construct, construct_id: str, options: ProviderOptions | None = None
    ) -> None:
        check_type("options", options, (ProviderOptions,), optional=True)
        super().__init__(scope, construct_id)
        self.options = options or ProviderOptions()
        """The options in effect, defaults included."""
        vpc = self.options.vpc
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=self.options.log_retention,
            removal_policy=self.options.log_removal_policy,
        )
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
        allow_copies(self.role)
        self._rename_default_policy()
        buckets = MAX_BUCKETS
        if vpc is not None:
            self._allow_vpc_access()
            # The VPC policy takes one of the role's 10 managed policies; each bucket takes two
            # at the peak of an update (see grants.py).
            buckets -= 1
        self.function = lambda_.Function(
            self,
            "Handler",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=HANDLER,
            code=provider_code(self),
            memory_size=self.options.memory_size,
            timeout=FUNCTION_TIMEOUT,
            role=self.role,
            log_group=self.log_group,
            vpc=vpc,
            vpc_subnets=self.options.vpc_subnets,
            description=f"CloudFormation provider for {RESOURCE_TYPE}",
            # CloudFormation invokes it asynchronously: a retry, or an event run after
            # CloudFormation stopped waiting, would write a config for an answered request.
            retry_attempts=0,
            max_event_age=MAX_EVENT_AGE,
        )
        skip_checkov(
            self.function, NO_DLQ, NO_RESERVED_CONCURRENCY, *([NO_VPC] if vpc is None else [])
        )
        skip_checkov(self.log_group, LOGS_WITHOUT_KMS)
        self.service_token: str = self.function.function_arn
        """The ServiceToken of the custom resources this provider serves."""
        self._shared = SharedAccess(self, self.role, self._stack_reads)
        self.node.add_validation(self._shared)
        self._grants = ConfigGrants(
            self,
            "Grants",
            role=self.role,
            service_token=self.service_token,
            service_timeout=SERVICE_TIMEOUT_SECONDS,
            buckets=buckets,
        )

    @classmethod
    def of(cls, scope: IConstruct, **options: Any) -> EventInvokeConfigProvider:
        """The provider of `scope`'s stack, created with `options` on first use.

        `options` are `ProviderOptions` fields; None stands for the default. Options given to a
        stack that has its provider already must be the ones it has: anything else raises
        `ValueError` rather than being ignored.
        """
        asked = ProviderOptions(**options)
        given = [name for name, value in options.items() if value is not None]
        stack = stack_facts(scope).stack
        existing = _PROVIDERS.get(stack)
        if existing is None:
            found = stack.node.try_find_child(cls.ID)
            existing = found if isinstance(found, cls) else cls(stack, cls.ID, asked)
            _PROVIDERS[stack] = existing
        conflicts = [
            f"{name}={getattr(asked, name)!r} (it has {getattr(existing.options, name)!r})"
            for name in given
            if getattr(asked, name) != getattr(existing.options, name)
        ]
        if conflicts:
            raise ValueError(
                f"{existing.node.path} exists with other options than "
                f"{', '.join(conflicts)}: a stack has one provider. Give its options once, in "
                "EventInvokeConfigProvider.of(stack, ...) before the stack's first config."
            )
        return existing

    def grant(self, config: CfnResource, arns: Sequence[str]) -> None:
        """Let the provider serve `config`, which calls Lambda on exactly `arns`.

        The grant is a content-addressed managed policy that `config` depends on, so it
        outlives the config through every update and deletion (see grants.py).
        """
        self._grants.grant(config, arns)

    def allow_function_names(self, names: object) -> list[str]:
        """Let the provider manage the configs of functions named `names`, and their qualifiers.

        For a shared provider, which serves other stacks: call `allow_stack_reads` too, or the
        synth fails. `names`: function names or IAM name patterns (`orders-*`), a list, a JSON
        list string or names separated by commas; a name that starts with a wildcard is refused
        (`AllowListError`). An exact name is granted with its versions and aliases (`name:*`),
        a wildcard this method adds and acknowledges for cdk-nag; patterns are yours to
        acknowledge. Returns the names.

        Example
        -------
        >>> provider = EventInvokeConfigProvider.of(stack)
        >>> provider.allow_function_names(["orders-*", "billing"])
        >>> provider.allow_stack_reads(stack.format_arn(
        ...     service="cloudformation", resource="stack", resource_name="*"))
        """
        # Its grants now come from this allow-list: the provider's reasons name it.
        self.function.add_environment(SHARED_PROVIDER_VARIABLE, Stack.of(self).stack_name)
        skip_checkov(self.function, PLAIN_VARIABLES)
        return self._shared.allow_function_names(names)

    def allow_stack_reads(self, stack_arn: str) -> None:
        """Let the provider read the stacks it serves (`ListStackResources`, `DescribeStacks`).

        Before it writes or deletes, the provider reads the resources and status of the stack
        that sent the event (who owns a config). Its own stack is always allowed; a shared
        provider needs the stacks it serves, e.g. every stack of its account and region:
        `stack.format_arn(service="cloudformation", resource="stack", resource_name="*")`, or
        one stack's ARN pattern (`.../stack/orders-*`). Call it once per ARN.
        """
        check_type("stack_arn", stack_arn, (str,))
        self._shared.allow_stack_reads(stack_arn)

    def _rename_default_policy(self) -> None:
        """Give the role's default policy a logical id of its own, unlike 0.1.0's.

        0.1.0 kept the config grants in this policy. Under its old id an upgrade would update it
        in place, dropping them in the update phase, before the cleanup phase's Delete of a
        removed or moved config needs them. Under a new id the old policy is a removed
        resource, deleted in the cleanup phase after the old configs (see grants.py).
        """
        policy = cast(iam.CfnPolicy, self.role.node.find_child("DefaultPolicy").node.default_child)
        role_id = Stack.of(self).resolve(cast(iam.CfnRole, self.role.node.default_child).logical_id)
        policy.override_logical_id(f"{role_id}{DEFAULT_POLICY_SUFFIX}")

    def _allow_vpc_access(self) -> None:
        """ENI access for a provider in a VPC, through the policy Lambda's docs name."""
        policy = iam.ManagedPolicy.from_aws_managed_policy_name(VPC_ACCESS_POLICY)
        self.role.add_managed_policy(policy)
        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id=managed_policy_id(self.role, policy),
                reason="A function in a VPC needs to create, describe and delete its network "
                "interfaces; AWS keeps this policy to exactly what Lambda needs for that.",
            )
        )


# The provider of each stack, found without a read of the construct tree.
_PROVIDERS: WeakKeyDictionary[Stack, EventInvokeConfigProvider] = WeakKeyDictionary()


def skip_checkov(construct: IConstruct, *findings: tuple[str, str]) -> None:
    """Skip checkov's `findings` (id, reason) on `construct`'s CloudFormation resource."""
    resource = cast(CfnResource, construct.node.default_child)
    skips = (resource.get_metadata("checkov") or {}).get("skip", [])
    skips += [{"id": finding, "comment": comment} for finding, comment in findings]
    resource.add_metadata("checkov", {"skip": skips})
