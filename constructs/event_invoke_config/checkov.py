"""checkov's findings on the provider, each skipped with its reason, and the skip itself.

release/provider.yaml gives the same reasons. A finding is (id, comment), as checkov reads
them from a resource's `Metadata`.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import CfnResource
from constructs import IConstruct

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
    "Environment variables not encrypted with a key of ours: a provider gets at most its "
    "stack's name and its adoption switch, no secret; Lambda encrypts them at rest with its key.",
)
LOGS_WITHOUT_KMS = (
    "CKV_AWS_158",
    "No log KMS key given (ProviderOptions.log_kms_key): CloudWatch Logs encrypts the "
    "provider's events with its own keys; they hold requests and reasons, never credentials.",
)


def skip_checkov(construct: IConstruct, *findings: tuple[str, str]) -> None:
    """Skip checkov's `findings` (id, reason) on `construct`'s CloudFormation resource, once."""
    resource = cast(CfnResource, construct.node.default_child)
    skips = (resource.get_metadata("checkov") or {}).get("skip", [])
    skipped = {skip["id"] for skip in skips}
    skips += [{"id": id_, "comment": comment} for id_, comment in findings if id_ not in skipped]
    resource.add_metadata("checkov", {"skip": skips})
