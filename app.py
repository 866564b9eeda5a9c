#!/usr/bin/env python3
"""Demo app: a stack that configures a function's async invocation, and a provider-only stack.

`EventInvokeConfigDemo` declares a function, an SQS queue for failures, an SNS topic and the
default EventBridge bus for successes, a config on the unqualified function and one on an
alias. `EventInvokeConfigProvider` holds only the provider and exports its ServiceToken for
plain CloudFormation templates (see examples/).
"""

from __future__ import annotations

import sys

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from event_invoke_config import EventInvokeConfigProvider, LambdaEventInvokeConfig
from event_invoke_config.allow_list import CONTEXT_KEY, AllowListError, function_arns
from event_invoke_config.nag import managed_policy_id, wildcard_resource_id
from event_invoke_config.provider import skip_checkov
from event_invoke_config.role_dependency import drop_role_dependency

DEMO_HANDLER = "def handler(event, context):\n    return {'received': event}\n"
# The provider stack's export name: set another to run two providers in one account and region.
EXPORT_NAME_CONTEXT = "eventInvokeConfigProvider:exportName"
SERVICE_TOKEN_EXPORT = "LambdaEventInvokeConfigServiceToken"
# `make integ` changes it to show an update on real AWS.
WORKER_RETRIES_CONTEXT = "eventInvokeConfigDemo:workerRetryAttempts"
# `make integ` sets it to "false" to show a config removed (and its grant outliving it).
LIVE_CONFIG_CONTEXT = "eventInvokeConfigDemo:liveConfig"


class DemoStack(cdk.Stack):
    """A function with one config on its unqualified ARN and one on its `live` alias."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        worker = lambda_.Function(
            self,
            "Worker",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline(DEMO_HANDLER),
        )
        drop_role_dependency(worker)  # its Role GetAtt orders it: no DependsOn (cfn-lint W3005)
        live = lambda_.Alias(self, "Live", alias_name="live", version=worker.current_version)
        basic = iam.ManagedPolicy.from_aws_managed_policy_name(
            "service-role/AWSLambdaBasicExecutionRole"
        )
        cdk.Validations.of(worker.role).acknowledge(  # type: ignore[arg-type]
            cdk.Acknowledgment(
                id=managed_policy_id(self, basic),
                reason="The demo worker only writes its own logs; the AWS-managed basic "
                "execution role grants just that.",
            )
        )
        skip_checkov(
            worker,
            ("CKV_AWS_116", "Its failed events go to the config's on-failure queue, not a DLQ."),
            ("CKV_AWS_115", "A demo function: no concurrency to reserve."),
            ("CKV_AWS_117", "A demo function that reaches nothing private: no VPC."),
        )
        failures = sqs.Queue(
            self,
            "Failures",
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.KMS_MANAGED,
            retention_period=cdk.Duration.days(4),  # SQS's default, written out (cfn-lint I3013)
        )
        cdk.Validations.of(failures).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="This queue is the on-failure destination, where failed events are kept; "
                "a DLQ behind it would hold only messages that failed to leave a DLQ.",
            )
        )
        successes = sns.Topic(self, "Successes", enforce_ssl=True)
        skip_checkov(
            successes,
            ("CKV_AWS_26", "The demo's success records carry no data; SSE-KMS would need a key "
             "policy for Lambda's destination delivery."),
        )  # fmt: skip
        bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")

        unqualified = LambdaEventInvokeConfig(
            self,
            "WorkerAsync",
            function=worker,
            retry_attempts=int(self.node.try_get_context(WORKER_RETRIES_CONTEXT) or 0),
            max_event_age=cdk.Duration.hours(1),
            on_success=destinations.SnsDestination(successes),
            on_failure=destinations.SqsDestination(failures),
        )
        cdk.CfnOutput(self, "WorkerConfigArn", value=unqualified.function_arn)
        if self.node.try_get_context(LIVE_CONFIG_CONTEXT) in (None, True, "true"):
            aliased = LambdaEventInvokeConfig(
                self,
                "LiveAsync",
                function=live,
                retry_attempts=1,
                max_event_age=cdk.Duration.minutes(30),
                on_success=destinations.EventBridgeDestination(bus),
                on_failure=destinations.SqsDestination(failures),
            )
            cdk.CfnOutput(self, "LiveConfigArn", value=aliased.function_arn)


class ProviderStack(cdk.Stack):
    """Only the provider, exported for plain CloudFormation templates in this account/region.

    The provider may manage only the functions named in `function_names` (a list, a JSON list
    string or names separated by commas; IAM name patterns such as `orders-*` are allowed, a
    name starting with a wildcard is not), never every function of the account. It reads the
    resource lists of the stacks it serves, which can be any stack of this account and region.
    Its ServiceToken is exported as the context value `eventInvokeConfigProvider:exportName`,
    default `LambdaEventInvokeConfigServiceToken`.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, function_names: object, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        provider = EventInvokeConfigProvider.of(self)
        for name in provider.allow_function_names(function_names):
            # The library acknowledges the `name:*` it adds; a pattern the operator gave is
            # this app's to acknowledge (cdk-nag's AwsSolutions-IAM5).
            if "*" in name:
                function_arn = function_arns(self, [name])[0]
                cdk.Validations.of(provider.role).acknowledge(
                    cdk.Acknowledgment(
                        id=wildcard_resource_id(provider.role, function_arn),
                        reason="The operator names the functions the shared provider may "
                        "configure (cdk.json); a pattern there is a deliberate grant.",
                    )
                )
        stacks = self.format_arn(service="cloudformation", resource="stack", resource_name="*")
        provider.allow_stack_reads(stacks)
        cdk.Validations.of(provider.role).acknowledge(
            cdk.Acknowledgment(
                id=wildcard_resource_id(provider.role, stacks),
                reason="Read-only (ListStackResources, DescribeStacks): the provider reads the "
                "resource list and status of the stack that sent each event, to tell which "
                "resource holds a config; the stacks it serves are any of this account and region.",
            )
        )
        export_name = self.node.try_get_context(EXPORT_NAME_CONTEXT) or SERVICE_TOKEN_EXPORT
        if not isinstance(export_name, str):
            raise TypeError(f"{EXPORT_NAME_CONTEXT} must be a string; got {export_name!r}.")
        cdk.CfnOutput(self, "ServiceToken", value=provider.service_token, export_name=export_name)


def build_app(app: cdk.App) -> cdk.App:
    """Add the demo stack and the provider stack to `app` (context as in cdk.json)."""
    DemoStack(app, "EventInvokeConfigDemo")
    function_names = app.node.try_get_context(CONTEXT_KEY)
    if function_names is None:
        raise AllowListError("is not set; set it in cdk.json or with `cdk synth -c`.")
    ProviderStack(app, "EventInvokeConfigProvider", function_names=function_names)
    return app


if __name__ == "__main__":
    try:
        build_app(cdk.App()).synth()
    except AllowListError as error:
        sys.exit(f"Error: {error}")
