"""The provider: one Lambda function per stack that serves every config in that stack.

Its options are in provider_options.py, its log group in provider_logs.py, its role in
provider_role.py and its config grants in grants.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from aws_cdk import CfnResource, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct

from event_invoke_config_provider.adoption import ALLOW_ADOPTION_VARIABLE
from event_invoke_config_provider.properties import RESOURCE_TYPE, SHARED_PROVIDER_VARIABLE
from event_invoke_config_provider.timing import (
    FUNCTION_TIMEOUT_SECONDS,
    MAX_EVENT_AGE_SECONDS,
    SERVICE_TIMEOUT_SECONDS,
)

from .allow_list import SharedAccess
from .arguments import check_type
from .asset import HANDLER, provider_code
from .checkov import NO_DLQ, NO_RESERVED_CONCURRENCY, NO_VPC, PLAIN_VARIABLES, skip_checkov
from .facts import stack_facts
from .grants import CONFIG_ACTIONS, MAX_BUCKETS, ConfigGrants
from .provider_logs import provider_log_group
from .provider_options import (
    DEFAULT_LOG_REMOVAL_POLICY,
    DEFAULT_LOG_RETENTION,
    DEFAULT_MEMORY_SIZE,
    ProviderOptions,
)
from .provider_role import STACK_READ_ACTIONS, VPC_ACCESS_POLICY, allow_vpc_access, provider_role
from .role_dependency import drop_role_dependency

# The newest Python runtime aws-cdk-lib offers (a test fails when a newer one appears).
RUNTIME = lambda_.Runtime.PYTHON_3_14
# The timing contract (handler timing.py): the function's timeout, and its event age limit.
FUNCTION_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS)
MAX_EVENT_AGE = Duration.seconds(MAX_EVENT_AGE_SECONDS)

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
    "skip_checkov",
]


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
    log_kms_key:
        A KMS key for the log group; its policy gets a statement that lets CloudWatch Logs use
        it (an imported key's owner must add it). Default: CloudWatch Logs' own encryption.
    allow_adoption:
        Whether a config may adopt (`AdoptExisting`) a config no resource of its stack holds.
        Default: yes while the provider serves its own stack only, no once it is shared
        (`allow_function_names`): a served stack could otherwise take another's config.

    A permissions boundary reaches the role with `PermissionsBoundary.of(stack).apply(policy)`.

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
        self.log_group = provider_log_group(self, self.options)
        self.role, stack_reads = provider_role(self, self.log_group)
        buckets = MAX_BUCKETS
        if self.options.vpc is not None:
            allow_vpc_access(self.role)
            # The VPC policy takes one of the role's 10 managed policies; each bucket takes two
            # at the peak of an update (see grants.py).
            buckets -= 1
        self.function = self._function()
        if self.options.allow_adoption is False:
            self._set_adoption()
        self.service_token: str = self.function.function_arn
        """The ServiceToken of the custom resources this provider serves."""
        self._shared = SharedAccess(self, self.role, stack_reads)
        self.node.add_validation(self._shared)
        self._grants = ConfigGrants(
            self,
            "Grants",
            role=self.role,
            service_token=self.service_token,
            service_timeout=SERVICE_TIMEOUT_SECONDS,
            buckets=buckets,
        )

    def _function(self) -> lambda_.Function:
        """The provider function, never retried nor run late."""
        vpc = self.options.vpc
        function = lambda_.Function(
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
        skip_checkov(function, NO_DLQ, NO_RESERVED_CONCURRENCY, *([NO_VPC] if vpc is None else []))
        drop_role_dependency(function)
        return function

    def _set_adoption(self) -> None:
        """Tell the function whether it may adopt (handler adoption.py)."""
        allowed = "true" if self.options.allow_adoption else "false"
        self.function.add_environment(ALLOW_ADOPTION_VARIABLE, allowed)
        skip_checkov(self.function, PLAIN_VARIABLES)

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
        acknowledge. The provider then adopts no config unless `allow_adoption=True` was given.
        Returns the names.

        Example
        -------
        >>> provider = EventInvokeConfigProvider.of(stack)
        >>> provider.allow_function_names(["orders-*", "billing"])
        >>> provider.allow_stack_reads(stack.format_arn(
        ...     service="cloudformation", resource="stack", resource_name="*"))
        """
        # Its grants now come from this allow-list: the provider's reasons name it.
        self.function.add_environment(SHARED_PROVIDER_VARIABLE, Stack.of(self).stack_name)
        self._set_adoption()
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


# The provider of each stack, found without a read of the construct tree.
_PROVIDERS: WeakKeyDictionary[Stack, EventInvokeConfigProvider] = WeakKeyDictionary()
