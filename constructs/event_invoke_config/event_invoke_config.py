"""`LambdaEventInvokeConfig`: a function's asynchronous-invocation settings as a custom resource."""

from __future__ import annotations

from aws_cdk import Annotations, CfnResource, Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from constructs import Construct

from event_invoke_config_provider import properties as p
from event_invoke_config_provider.properties import RESOURCE_TYPE
from event_invoke_config_provider.timing import SERVICE_TIMEOUT_SECONDS

from .arguments import check_type
from .checks import (
    checked_destination,
    checked_event_age,
    checked_qualifier,
    checked_retry_attempts,
)
from .duplicates import DuplicateConfigCheck
from .facts import share_stack_facts, stack_facts
from .identity import references
from .provider import EventInvokeConfigProvider
from .target import FunctionLike, Target, resolve_target

DestinationLike = lambda_.IDestination | str


class LambdaEventInvokeConfig(Construct):
    """Maximum retries, maximum event age and destinations of a function's async invocations.

    Unlike `aws_lambda.EventInvokeConfig`, it is a custom resource, so it can configure a
    function this stack did not create (by name or ARN, in the provider's account and region:
    the stack's), and it waits for the destination grants before it writes the config.

    Parameters
    ----------
    function:
        An `IFunction`, `IVersion` or `IAlias`, or a function name, `name:qualifier`, partial ARN
        or full ARN, of a function in the provider's account and region; another account or
        region fails the synth when the stack's environment is known, and is a warning (left to
        the provider at deploy time) when it is not.
    qualifier:
        A version or alias name. Default: none (the unqualified function).
    retry_attempts:
        0 to 2: a whole number (`1` or `1.0`), or a number token. Default: none, Lambda's
        default of 2 retries.
    max_event_age:
        60 seconds to 6 hours, in whole seconds. Default: none, Lambda's default of 6 hours.
    on_success, on_failure:
        An `aws_lambda.IDestination` or a destination ARN: SQS queue, SNS topic, Lambda
        function or EventBridge bus; an S3 bucket on failure only. Default: none.
    adopt_existing:
        Take over a config that no resource of this stack manages (one set by hand, or by the
        native resource being migrated); template property `AdoptExisting`. It adopts only in
        the deploy that turns it on, and a rollback of that deploy writes the config back.
        Without it, such a Create fails before writing. Default: False.
    service_token:
        The ServiceToken of a provider that already exists, e.g. a shared provider stack's
        export (`Fn.import_value(...)`). This stack then gets no provider and grants nothing:
        the shared provider's own allow-list decides which functions it may configure.
        Default: the stack's own provider (`EventInvokeConfigProvider.of`), which is granted
        exactly the ARNs this config's calls name.
    removal_policy:
        What CloudFormation does with the config when the resource leaves the stack
        (`DeletionPolicy`): `RETAIN` keeps it in Lambda (e.g. to hand it to another stack, which
        adopts it); `DESTROY` deletes it. Also `apply_removal_policy`. Default: none written,
        CloudFormation's default: the config is deleted. A move to another function or
        qualifier always deletes the old config: the resource always has
        `UpdateReplacePolicy: Delete`, whatever policy is applied and however (this argument,
        `apply_removal_policy` on it or its `Resource`, `RemovalPolicies.of(...)`, an Aspect),
        as a raw override, which CDK writes after every removal policy. `Retain` there would
        keep the old config without any resource owning it.

    A wrong type raises `TypeError` naming the argument, a bad value `InvalidPropertyError`; a
    second config of the app for the same function and qualifier (this construct's or a native
    one) fails the synth.

    Example
    -------
    >>> LambdaEventInvokeConfig(self, "Async", function=fn, retry_attempts=0,
    ...                         on_failure=aws_lambda_destinations.SqsDestination(queue))
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: FunctionLike,
        qualifier: str | None = None,
        retry_attempts: int | float | None = None,
        max_event_age: Duration | None = None,
        on_success: DestinationLike | None = None,
        on_failure: DestinationLike | None = None,
        adopt_existing: bool = False,
        service_token: str | None = None,
        removal_policy: RemovalPolicy | None = None,
    ) -> None:
        check_type("scope", scope, (Construct,))
        check_type("construct_id", construct_id, (str,))
        check_type("function", function, (lambda_.IFunction, str))
        check_type("qualifier", qualifier, (str,), optional=True)
        check_type("retry_attempts", retry_attempts, (int, float), optional=True)
        check_type("max_event_age", max_event_age, (Duration,), optional=True)
        check_type("on_success", on_success, (lambda_.IDestination, str), optional=True)
        check_type("on_failure", on_failure, (lambda_.IDestination, str), optional=True)
        check_type("adopt_existing", adopt_existing, (bool,))
        check_type("service_token", service_token, (str,), optional=True)
        check_type("removal_policy", removal_policy, (RemovalPolicy,), optional=True)
        super().__init__(scope, construct_id)
        share_stack_facts(self, scope)
        target = resolve_target(self, function, checked_qualifier(qualifier))
        DuplicateConfigCheck.declare(self, target.identity)
        self._warn_unchecked(target)
        provider = None if service_token is not None else EventInvokeConfigProvider.of(scope)
        properties = _properties(
            target,
            service_token=provider.service_token if provider is not None else service_token,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age,
            destination_config=self._destinations(target, on_success, on_failure),
            adopt_existing=adopt_existing,
        )
        # A plain CfnResource: CustomResource would also write DeletionPolicy "Delete".
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=properties)
        self._set_removal_policies(removal_policy)
        if provider is not None:
            provider.grant(self.resource, target.grant_arns)
        destination_objects = not all(isinstance(d, str | None) for d in (on_success, on_failure))
        self._depend_on_function(function, target, waits_for_grants=destination_objects)

    def _set_removal_policies(self, removal_policy: RemovalPolicy | None) -> None:
        """`UpdateReplacePolicy: Delete` always; `DeletionPolicy` from `removal_policy`.

        A move answers a new physical id: a replacement, whose old config CloudFormation
        deletes in the cleanup unless UpdateReplacePolicy keeps it out of every stack
        ("UpdateReplacePolicy attribute", https://docs.aws.amazon.com/AWSCloudFormation/latest/
        UserGuide/aws-attribute-updatereplacepolicy.html). A raw override is merged after the
        resource's options, so no removal policy applied later, by any means, replaces it.
        """
        self.resource.add_override("UpdateReplacePolicy", "Delete")
        if removal_policy is not None:
            self.apply_removal_policy(removal_policy)

    def _destinations(
        self, target: Target, on_success: DestinationLike | None, on_failure: DestinationLike | None
    ) -> dict[str, dict[str, str]]:
        """The `DestinationConfig` of the destinations given, bound to the function."""
        return {
            key: {p.DESTINATION: self._bind(target, destination, key)}
            for key, destination in ((p.ON_SUCCESS, on_success), (p.ON_FAILURE, on_failure))
            if destination is not None
        }

    def _warn_unchecked(self, target: Target) -> None:
        """Warn, once, of the parts of the target known only at deploy time (an imported
        version or alias with a token ARN has both)."""
        unchecked = target.identity.unchecked()
        if unchecked:
            verb = "are" if len(unchecked) > 1 else "is"
            Annotations.of(self).add_warning_v2(
                "event-invoke-config:duplicate-check-incomplete",
                f"{' and '.join(unchecked)} {verb} known only at deploy time: not checked for "
                "another event invoke config of this app on the same function and qualifier.",
            )

    def _depend_on_function(
        self, function: FunctionLike, target: Target, *, waits_for_grants: bool
    ) -> None:
        """Write the config after the destination grants and the alias or version it names."""
        if waits_for_grants and target.function is not None:
            # Lambda checks at put time that the function's role can reach the destinations:
            # wait for the grants, which land in the role's policy.
            self.resource.node.add_dependency(target.function.role)
        if isinstance(function, str) or function is target.function:
            return
        # An alias or version must exist before its config is written. A version's Qualifier
        # is its `Fn::GetAtt`, which orders it already (a DependsOn would be cfn-lint's W3005).
        if target.qualifier is None or not references(target.qualifier, function):
            self.resource.node.add_dependency(function)

    def apply_removal_policy(self, policy: RemovalPolicy) -> None:
        """What CloudFormation does with the config when the resource leaves the stack.

        As on every aws-cdk-lib L2: `RETAIN` keeps the config in Lambda, `DESTROY` deletes it
        (`DeletionPolicy`). A move still deletes the old config: `UpdateReplacePolicy` stays
        `Delete` (see `removal_policy`). `SNAPSHOT` is refused: a config has none.
        """
        check_type("policy", policy, (RemovalPolicy,))
        if policy == RemovalPolicy.SNAPSHOT:
            raise ValueError(
                f"{self.node.path}: removal policy SNAPSHOT is not supported by an event invoke "
                "config; use RETAIN, RETAIN_ON_UPDATE_OR_DELETE or DESTROY."
            )
        self.resource.apply_removal_policy(policy)

    @property
    def function_arn(self) -> str:
        """The ARN of the configured function, with its qualifier (`:$LATEST` if none)."""
        return self.resource.get_att(p.FUNCTION_ARN_ATTRIBUTE).to_string()

    @property
    def last_modified(self) -> str:
        """When Lambda last wrote the config, as an ISO-8601 timestamp."""
        return self.resource.get_att(p.LAST_MODIFIED_ATTRIBUTE).to_string()

    def _bind(self, target: Target, destination: DestinationLike, key: str) -> str:
        """The destination's ARN; an `IDestination` also grants the function access to it."""
        name = "on_success" if key == p.ON_SUCCESS else "on_failure"
        on_failure = key == p.ON_FAILURE
        if isinstance(destination, str):
            arn = checked_destination(name, destination, on_failure=on_failure)
        else:
            if isinstance(destination, destinations.S3Destination) and not on_failure:
                raise p.InvalidPropertyError(
                    f"{name} cannot be an S3 bucket: S3 destinations are allowed on failure only. "
                    "Pass the bucket as on_failure, or an SQS queue, SNS topic, Lambda function "
                    "or EventBridge bus as on_success."
                )
            kind = (
                lambda_.DestinationType.FAILURE if on_failure else lambda_.DestinationType.SUCCESS
            )
            arn = destination.bind(self, self._grantee(target, name), type=kind).destination
        stack = stack_facts(self).stack
        if stack.resolve(arn) == stack.resolve(target.unqualified_arn):
            raise p.InvalidPropertyError(
                f"{name} cannot be the configured function itself: Lambda refuses a function "
                "as its own destination. Send its results to another function, or to a queue, "
                "topic or bus."
            )
        return arn

    @staticmethod
    def _grantee(target: Target, name: str) -> lambda_.IFunction:
        """The function an `IDestination` grants access to; it needs a known role."""
        if target.function is None or target.function.role is None:
            raise p.InvalidPropertyError(
                f"{name}: an IDestination grants the function's role access, and this "
                "function's role is unknown. Pass the function as an IFunction with its role "
                "(e.g. Function.from_function_attributes(..., role=...)) or the destination as "
                "an ARN string and grant access yourself."
            )
        return target.function


def _properties(
    target: Target,
    *,
    service_token: str | None,
    retry_attempts: int | float | None,
    max_event_age: Duration | None,
    destination_config: dict[str, dict[str, str]],
    adopt_existing: bool,
) -> dict[str, object]:
    """The resource's properties: the checked arguments under their template names."""
    properties: dict[str, object] = {
        p.SERVICE_TOKEN: service_token,
        p.SERVICE_TIMEOUT: str(SERVICE_TIMEOUT_SECONDS),
        p.FUNCTION_NAME: target.function_name,
    }
    if target.qualifier is not None:
        properties[p.QUALIFIER] = target.qualifier
    if retry_attempts is not None:
        properties[p.RETRY_ATTEMPTS] = checked_retry_attempts(retry_attempts)
    if max_event_age is not None:
        properties[p.EVENT_AGE] = checked_event_age(max_event_age)
    if destination_config:
        properties[p.DESTINATION_CONFIG] = destination_config
    if adopt_existing:
        properties[p.ADOPT_EXISTING] = "true"
    return properties
