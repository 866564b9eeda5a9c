"""The provider's log group, encrypted with the operator's KMS key when one is given.

CloudWatch Logs uses a log group's key as the service principal `logs.REGION.amazonaws.com`,
which the key policy must allow, with the log group's ARN as encryption context
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html, "Step 2:
Set permissions on the KMS key"). The statement names the log groups of the provider's account
and region, not this one: the log group names the key, so naming the log group in the key
policy would be a circular dependency.
"""

from __future__ import annotations

from aws_cdk import Annotations, ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from .checkov import LOGS_WITHOUT_KMS, skip_checkov
from .provider_options import ProviderOptions

# What CloudWatch Logs does with a log group's key (the AWS page above).
LOGS_KEY_ACTIONS = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)
LOGS_ENCRYPTION_CONTEXT = "kms:EncryptionContext:aws:logs:arn"


def provider_log_group(scope: Construct, options: ProviderOptions) -> logs.LogGroup:
    """The log group, with `options`' retention, removal policy and KMS key."""
    key = options.log_kms_key
    log_group = logs.LogGroup(
        scope,
        "Logs",
        retention=options.log_retention,
        removal_policy=options.log_removal_policy,
        encryption_key=key,
    )
    if key is None:
        skip_checkov(log_group, LOGS_WITHOUT_KMS)
    else:
        _let_logs_use(key, log_group)
    return log_group


def logs_key_statement(scope: Construct) -> iam.PolicyStatement:
    """The key policy statement that lets CloudWatch Logs of `scope`'s region use the key for
    the log groups of `scope`'s account and region."""
    stack = Stack.of(scope)
    log_groups = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name="*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return iam.PolicyStatement(
        sid="ProviderLogsUseOfTheKey",
        principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
        actions=list(LOGS_KEY_ACTIONS),
        resources=["*"],
        conditions={"ArnLike": {LOGS_ENCRYPTION_CONTEXT: log_groups}},
    )


def _let_logs_use(key: kms.IKey, log_group: logs.LogGroup) -> None:
    """Add the statement to the key's policy; an imported key's policy is its owner's to set."""
    if not key.add_to_resource_policy(logs_key_statement(log_group)).statement_added:
        Annotations.of(log_group).add_warning_v2(
            "event-invoke-config:importedLogKey",
            "log_kms_key is an imported key, whose policy this app cannot change: it must let "
            "CloudWatch Logs (logs.REGION.amazonaws.com) use it for the provider's log group "
            "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).",
        )
