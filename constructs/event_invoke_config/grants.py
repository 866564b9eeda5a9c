"""The provider's grants: each config's exact ARNs in content-addressed managed policies.

A config goes to one of at most `MAX_BUCKETS` managed policies, chosen by a hash of its ARNs;
a bucket's logical id hashes its content, and its Description carries the grant digest of its
values as CloudFormation resolved them, so any change of a grant is a new policy, never one
shrunk in place, and an old grant outlives the configs that need it. Why, and the
CloudFormation behaviour it rests on: docs/design.md, "Grants and the grant digest".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jsii
from aws_cdk import CfnResource, Fn, IResolveContext, IStringProducer, Lazy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from event_invoke_config_provider.grant_digest import BUCKETS, GRANT_DIGEST_TYPE
from event_invoke_config_provider.properties import SERVICE_TIMEOUT, SERVICE_TOKEN

from .iam_limits import (
    MANAGED_POLICIES_PER_ROLE,
    MANAGED_POLICY_MAX_CHARS,
    policy_length,
    reference_lengths,
)

CONFIG_ACTIONS = (
    "lambda:GetFunctionEventInvokeConfig",
    "lambda:PutFunctionEventInvokeConfig",
    "lambda:DeleteFunctionEventInvokeConfig",
)
# Old and new bucket policies are attached together during an update
# (docs/design.md, "Grants and the grant digest").
MAX_BUCKETS = MANAGED_POLICIES_PER_ROLE // 2
_WILDCARDS = ("*", "?")


class GrantCapacityError(ValueError):
    """Every bucket policy is full: the stack holds more configs than IAM's quotas allow."""


@dataclass
class _Bucket:
    """One managed policy: its resources (token string by resolved form) and reference lengths."""

    policy: iam.CfnManagedPolicy | None = None
    resources: dict[str, str] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)

    def ordered(self) -> list[str]:
        """The granted resources, in the order of their resolved form."""
        return [self.resources[key] for key in sorted(self.resources)]

    def document(self) -> dict[str, Any]:
        """The policy document."""
        return _document(self.ordered())

    def fits(self, resolved: list[str], lengths: dict[str, int]) -> bool:
        """Whether the policy would stay within IAM's limit once deployed, with `resolved` added."""
        keys = sorted({*self.resources, *resolved})
        document = _document([json.loads(key) for key in keys])
        return policy_length(document, {**self.lengths, **lengths}) <= MANAGED_POLICY_MAX_CHARS


def _document(resources: list[Any]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(CONFIG_ACTIONS), "Resource": resources}],
    }


class ConfigGrants(Construct):
    """Lets `role` get, put and delete the event invoke configs it is granted, and no other.

    Parameters
    ----------
    role:
        The provider's role; the bucket policies are attached to it.
    service_token:
        The provider function's ARN: it serves the digest resource that makes a bucket policy
        replaced when its resolved values change.
    service_timeout:
        The digest resource's ServiceTimeout, in seconds.
    buckets:
        How many managed policies to spread the grants over, 1 to 5. Default: 5. Each bucket
        counts twice against the role's 10 managed policies during an update, so lower it by
        one for every two other managed policies the role has (e.g. a VPC access policy).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        role: iam.IRole,
        service_token: str,
        service_timeout: int,
        buckets: int = MAX_BUCKETS,
    ) -> None:
        if isinstance(buckets, bool) or not isinstance(buckets, int):
            raise TypeError(f"buckets must be an int; got {type(buckets).__name__}.")
        if not 1 <= buckets <= MAX_BUCKETS:
            raise ValueError(f"buckets must be from 1 to {MAX_BUCKETS}; got {buckets}.")
        super().__init__(scope, construct_id)
        self._role_name = role.role_name
        self._stack = Stack.of(self)
        self._buckets = [_Bucket() for _ in range(buckets)]
        self._digest_properties = {
            SERVICE_TOKEN: service_token,
            SERVICE_TIMEOUT: str(service_timeout),
        }
        self._digest: CfnResource | None = None

    def grant(self, config: CfnResource, resources: Sequence[str]) -> None:
        """Grant the config actions on exactly `resources`; `config` then waits for the grant.

        `resources` are the ARNs the config's calls name: the function's ARN for an unqualified
        config, only `FUNCTION_ARN:qualifier` for one on a version or alias (Lambda authorizes
        these actions on the function, version or alias ARN named in the call:
        https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
        """
        if not resources or any(
            wildcard in resource for resource in resources for wildcard in _WILDCARDS
        ):
            raise ValueError(
                f"resources for {config.node.path} must be exact ARNs, at least one and without "
                f"wildcards; got {list(resources)!r}."
            )
        resolved = [json.dumps(self._stack.resolve(arn), sort_keys=True) for arn in resources]
        lengths = reference_lengths(self._stack, resources)
        home = _stable_hash("\n".join(sorted(resolved))) % len(self._buckets)
        for step in range(len(self._buckets)):
            bucket = self._buckets[(home + step) % len(self._buckets)]
            if bucket.fits(resolved, lengths):
                break
        else:
            raise GrantCapacityError(
                f"no room to grant {config.node.path}: the provider role's "
                f"{len(self._buckets)} managed policies for configs are full (each at most "
                f"{MANAGED_POLICY_MAX_CHARS:,} characters once deployed). Put further configs "
                "in another stack."
            )
        bucket.resources.update(zip(resolved, resources, strict=True))
        bucket.lengths.update(lengths)
        config.add_resource_dependency(self._policy(bucket))

    def _policy(self, bucket: _Bucket) -> iam.CfnManagedPolicy:
        """The bucket's policy with its current document, created on first use."""
        if self._digest is None:
            self._digest = CfnResource(
                self, "Digest", type=GRANT_DIGEST_TYPE, properties=self._digest_properties
            )
        if bucket.policy is None:
            index = self._buckets.index(bucket)
            name = f"Bucket{index}"
            bucket.policy = iam.CfnManagedPolicy(
                self,
                name,
                policy_document=bucket.document(),
                roles=[self._role_name],
                # Replaced whenever the values it grants resolve differently
                # (docs/design.md, "Grants and the grant digest").
                description=Fn.join(
                    "",
                    [
                        f"Event invoke config grants, bucket {index} of {len(self._buckets)}, "
                        "values ",
                        self._digest.get_att(name).to_string(),
                    ],
                ),
            )
            base = self._stack.resolve(bucket.policy.logical_id)
            bucket.policy.override_logical_id(
                Lazy.uncached_string(
                    _ContentAddressedId(self._stack, base, bucket, self._role_name)
                )
            )
        else:
            bucket.policy.policy_document = bucket.document()
        self._digest.add_property_override(f"{BUCKETS}.{bucket.policy.node.id}", bucket.ordered())
        return bucket.policy


@jsii.implements(IStringProducer)
class _ContentAddressedId:
    """A logical id that changes whenever the policy's resolved content changes."""

    def __init__(self, stack: Stack, base: str, bucket: _Bucket, role_name: str) -> None:
        self._base = base
        self._bucket = bucket
        self._role = json.dumps(stack.resolve(role_name), sort_keys=True)

    def produce(self, context: IResolveContext) -> str:
        # The bucket keys its resources by their resolved form, and its actions are fixed: the
        # resolved content is its sorted keys and the role.
        content = json.dumps([sorted(self._bucket.resources), self._role])
        return f"{self._base}{hashlib.sha256(content.encode()).hexdigest()[:16].upper()}"


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
