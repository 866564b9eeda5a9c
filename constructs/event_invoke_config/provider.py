"""The provider: one Lambda function per stack that serves every config in that stack."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Acknowledgment, CfnResource, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from .allow_list import function_arns, parse_function_names
from .arguments import check_type
from .asset import HANDLER, StagedProviderCode
from .grants import CONFIG_ACTIONS, MAX_BUCKETS, ConfigGrants

# The newest Python runtime aws-cdk-lib offers (a test fails when a newer one appears).
RUNTIME = lambda_.Runtime.PYTHON_3_14
# Covers the handler's bounded retries (IAM propagation can take about two minutes).
FUNCTION_TIMEOUT = Duration.minutes(3)
# The configs' ServiceTimeout: a lost answer fails the stack after 5 minutes, not
# CloudFormation's default hour; longer than FUNCTION_TIMEOUT, so the provider answers first.
SERVICE_TIMEOUT_SECONDS = 300
# An event older than this could not be answered before CloudFormation stops waiting.
MAX_EVENT_AGE = Duration.seconds(SERVICE_TIMEOUT_SECONDS - FUNCTION_TIMEOUT.to_seconds())
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
]


class EventInvokeConfigProvider(Construct):
    """The provider Lambda, its role and its log group; get it with `of(scope)`.

    The role may write only its own log group, call the event-invoke-config actions only on
    the ARNs its configs name (`grant`) or the function names it is given
    (`allow_function_names`), and read the resource list and status of its own stack (and of
    the stacks registered with `allow_stack_reads`).

    Parameters
    ----------
    log_retention:
        How long the provider's logs are kept. Default: one month.
    log_removal_policy:
        What happens to the log group when the provider leaves the stack. Default: RETAIN.
    memory_size:
        The provider function's memory, 128 to 10,240 MB. Default: 256.
    vpc:
        A VPC to run the provider in; it must reach the Lambda, CloudFormation and S3 (the
        answer's pre-signed URL) endpoints, through a NAT gateway or VPC endpoints. The role
        then gets the AWS managed policy AWSLambdaVPCAccessExecutionRole. Default: no VPC.
    vpc_subnets:
        Where in `vpc` to place the provider; needs `vpc`. Default: the VPC's private subnets.

    The options are set once per stack: create the provider with them
    (`EventInvokeConfigProvider.of(stack, memory_size=512)`) before the stack's first config.
    `of` refuses options that differ from those of the provider the stack has.
    """

    ID = "EventInvokeConfigProvider"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        log_retention: logs.RetentionDays | None = None,
        log_removal_policy: RemovalPolicy | None = None,
        memory_size: int | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
    ) -> None:
        _check_options(log_retention, log_removal_policy, memory_size, vpc, vpc_subnets)
        super().__init__(scope, construct_id)
        retention = log_retention or DEFAULT_LOG_RETENTION
        removal_policy = log_removal_policy or DEFAULT_LOG_REMOVAL_POLICY
        memory = DEFAULT_MEMORY_SIZE if memory_size is None else memory_size
        self.options: dict[str, object] = {
            "log_retention": retention,
            "log_removal_policy": removal_policy,
            "memory_size": memory,
            "vpc": vpc,
            "vpc_subnets": vpc_subnets,
        }
        """The options in effect, defaults included."""
        self.log_group = logs.LogGroup(
            self, "Logs", retention=retention, removal_policy=removal_policy
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
        buckets = MAX_BUCKETS
        if vpc is not None:
            self._allow_vpc_access()
            # The VPC policy takes one of the role's 10 managed policies; each bucket takes two
            # at the peak of an update (see grants.py).
            buckets -= 1
        self._grants = ConfigGrants(self, "Grants", role=self.role, buckets=buckets)
        with StagedProviderCode() as code:
            self.function = lambda_.Function(
                self,
                "Handler",
                runtime=RUNTIME,
                architecture=lambda_.Architecture.ARM_64,
                handler=HANDLER,
                code=code,
                memory_size=memory,
                timeout=FUNCTION_TIMEOUT,
                role=self.role,
                log_group=self.log_group,
                vpc=vpc,
                vpc_subnets=vpc_subnets,
                description="CloudFormation provider for Custom::LambdaEventInvokeConfig",
                # CloudFormation invokes it asynchronously: a retry, or an event run after
                # CloudFormation stopped waiting, would write a config for an answered request.
                retry_attempts=0,
                max_event_age=MAX_EVENT_AGE,
            )
        self.service_token: str = self.function.function_arn
        """The ServiceToken of the custom resources this provider serves."""

    @classmethod
    def of(
        cls,
        scope: IConstruct,
        *,
        log_retention: logs.RetentionDays | None = None,
        log_removal_policy: RemovalPolicy | None = None,
        memory_size: int | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
    ) -> EventInvokeConfigProvider:
        """The provider of `scope`'s stack, created with the options given on first use.

        Options given to a stack that has its provider already must be the ones it has:
        anything else raises `ValueError` rather than being ignored.
        """
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(cls.ID)
        if not isinstance(existing, cls):
            return cls(
                stack,
                cls.ID,
                log_retention=log_retention,
                log_removal_policy=log_removal_policy,
                memory_size=memory_size,
                vpc=vpc,
                vpc_subnets=vpc_subnets,
            )
        asked = {
            "log_retention": log_retention,
            "log_removal_policy": log_removal_policy,
            "memory_size": memory_size,
            "vpc": vpc,
            "vpc_subnets": vpc_subnets,
        }
        conflicts = [
            f"{name}={value!r} (it has {existing.options[name]!r})"
            for name, value in asked.items()
            if value is not None and value != existing.options[name]
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

        For a provider that serves other stacks. `names`: function names or IAM name patterns
        (`orders-*`), as `allow_list.parse_function_names` reads them; a name that starts with
        a wildcard is refused. Returns the names.
        """
        parsed = parse_function_names(names)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(CONFIG_ACTIONS), resources=function_arns(self, parsed))
        )
        return parsed

    def allow_stack_reads(self, stack_arn: str) -> None:
        """Let the provider read other stacks: those whose plain templates it serves."""
        self._stack_reads.add_resources(stack_arn)

    def _allow_vpc_access(self) -> None:
        """ENI access for a provider in a VPC, through the policy Lambda's docs name."""
        policy = iam.ManagedPolicy.from_aws_managed_policy_name(VPC_ACCESS_POLICY)
        self.role.add_managed_policy(policy)
        finding = f"Policy::arn:<AWS::Partition>:iam::aws:policy/{VPC_ACCESS_POLICY}"
        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM4[{finding}]",
                reason="A function in a VPC needs to create, describe and delete its network "
                "interfaces; AWS keeps this policy to exactly what Lambda needs for that.",
            )
        )


def _check_options(
    log_retention: object,
    log_removal_policy: object,
    memory_size: object,
    vpc: object,
    vpc_subnets: object,
) -> None:
    check_type("log_retention", log_retention, (logs.RetentionDays,), optional=True)
    check_type("log_removal_policy", log_removal_policy, (RemovalPolicy,), optional=True)
    check_type("memory_size", memory_size, (int,), optional=True)
    check_type("vpc", vpc, (ec2.IVpc,), optional=True)
    check_type("vpc_subnets", vpc_subnets, (ec2.SubnetSelection,), optional=True)
    if (
        isinstance(memory_size, int)
        and not Token.is_unresolved(memory_size)
        and memory_size not in MEMORY_SIZE_RANGE
    ):
        raise ValueError(f"memory_size must be from 128 to 10240 (MB); got {memory_size}.")
    if vpc_subnets is not None and vpc is None:
        raise ValueError("vpc_subnets needs vpc: give the VPC the subnets belong to.")
