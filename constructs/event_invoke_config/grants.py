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

from aws_cdk import CfnResource, Fn, Lazy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from event_invoke_config_provider.grant_digest import (
    BUCKETS,
    DIGEST_LENGTH,
    GRANT_DIGEST_TYPE,
)
from event_invoke_config_provider.properties import SERVICE_TIMEOUT, SERVICE_TOKEN

from .at_synth import AtSynth, on_synth
from .deploy_time_names import DeployTimeNames, prints_as_one_line
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


@dataclass(eq=False)
class _Bucket:
    """One managed policy: its resources (token string by resolved form) and the characters they
    take in the policy once deployed, kept as grants arrive (`iam_limits.policy_length`).

    Literal ARNs and references share a statement. A name or ARN known only at deploy time
    (taken apart by `Fn::Select`/`Fn::Split`, or read back from the digest) has a statement of
    its own, which stays the same as other configs come and go, so the diff does not show it
    again: it compares statements, and shows a changed one whole.
    """

    policy: iam.CfnManagedPolicy | None = None
    base_id: str = ""
    resources: dict[str, str] = field(default_factory=dict)
    written: dict[str, Any] = field(default_factory=dict)
    alone: set[str] = field(default_factory=set)
    resources_length: int = 0

    def ordered(self) -> list[str]:
        """The granted resources, in the order of their resolved form."""
        return [self.resources[key] for key in sorted(self.resources)]

    def document(self) -> dict[str, Any]:
        """The policy document."""
        keys = sorted(self.resources)
        grouped = [self.written[key] for key in keys if key not in self.alone]
        statements = [_statement(grouped)] if grouped else []
        statements += [_statement([self.written[key]]) for key in keys if key in self.alone]
        return _document(statements)

    def fits(self, lengths: dict[str, int], alone: set[str]) -> bool:
        """Whether the policy would stay within IAM's limit once deployed, with the resources
        `lengths` holds (each one's length by its resolved form) added, those in `alone` in
        statements of their own."""
        added = {key: length for key, length in lengths.items() if key not in self.resources}
        count = len(self.resources) + len(added)
        statements = len(self.alone) + len(alone.intersection(added))
        length = (
            _EMPTY_POLICY_LENGTH
            + self.resources_length
            + sum(added.values())
            + max(count - 1, 0)
            + statements * _STATEMENT_OVERHEAD
        )
        return length <= MANAGED_POLICY_MAX_CHARS

    def add(
        self,
        resources: dict[str, str],
        written: dict[str, Any],
        lengths: dict[str, int],
        alone: set[str],
    ) -> bool:
        """Grant `resources` (token string by resolved form), each written in the policy as in
        `written` and of length `lengths[key]`, those in `alone` in statements of their own;
        whether any was new."""
        added = {key: resource for key, resource in resources.items() if key not in self.resources}
        self.resources.update(added)
        self.written.update({key: written[key] for key in added})
        self.alone.update(alone.intersection(added))
        self.resources_length += sum(lengths[key] for key in added)
        return bool(added)

    def content_id(self, role: str) -> str:
        """A logical id that changes whenever the policy's resolved content changes.

        The bucket keys its resources by their resolved form, and its actions are fixed: the
        resolved content is its sorted keys and the role (`role`, resolved, as JSON).
        """
        content = json.dumps([sorted(self.resources), role])
        return f"{self.base_id}{hashlib.sha256(content.encode()).hexdigest()[:16].upper()}"


def _statement(resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(CONFIG_ACTIONS), "Resource": resource}


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


# A policy's length is at most this plus its resources' lengths, the commas between them, and
# `_STATEMENT_OVERHEAD` for each resource in a statement of its own (the shared statement is
# counted even when it has no resource left).
_EMPTY_POLICY_LENGTH = policy_length(_document([_statement([])]), {})
_STATEMENT_OVERHEAD = policy_length(_statement([""]), {}) - len('""') + len(",")


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
        self._role = json.dumps(self._stack.resolve(self._role_name), sort_keys=True)
        self._buckets = [_Bucket() for _ in range(buckets)]
        self._digest_properties = {
            SERVICE_TOKEN: service_token,
            SERVICE_TIMEOUT: str(service_timeout),
        }
        self._deploy_time_names: DeployTimeNames | None = None
        # Until the app synthesizes, a grant leaves its bucket's logical id to `name_buckets`:
        # one override per bucket, not one per grant (each a round trip to jsii's Node process).
        self._named = False
        on_synth(self, self.name_buckets)

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
        resolved = [(arn, self._stack.resolve(arn)) for arn in resources]
        references = reference_lengths(self._stack, resolved)
        keys, lengths, granted, written, alone = [], {}, {}, {}, set()
        for arn, value in resolved:
            key = json.dumps(value, sort_keys=True)
            keys.append(key)
            granted[key], written[key] = arn, value
            if not prints_as_one_line(value):
                alone.add(key)
                read_back = self._names().read_from_digest(value)
                if read_back is not None:
                    written[key], longest = read_back
                    references = {**references, **longest}
            lengths[key] = policy_length(written[key], references)
        home = _stable_hash("\n".join(sorted(keys))) % len(self._buckets)
        for step in range(len(self._buckets)):
            bucket = self._buckets[(home + step) % len(self._buckets)]
            if bucket.fits(lengths, alone):
                break
        else:
            raise GrantCapacityError(
                f"no room to grant {config.node.path}: the provider role's "
                f"{len(self._buckets)} managed policies for configs are full (each at most "
                f"{MANAGED_POLICY_MAX_CHARS:,} characters once deployed). Put further configs "
                "in another stack."
            )
        policy = self._policy(bucket)
        if bucket.add(granted, written, lengths, alone) and self._named:
            policy.override_logical_id(bucket.content_id(self._role))
        config.add_resource_dependency(policy)

    def name_buckets(self) -> None:
        """Give each bucket policy the logical id of its content; later grants rename theirs."""
        for bucket in self._buckets:
            if bucket.policy is not None and bucket.resources:
                bucket.policy.override_logical_id(bucket.content_id(self._role))
        self._named = True

    def _policy(self, bucket: _Bucket) -> iam.CfnManagedPolicy:
        """The bucket's policy, created on first use; its document and its list in the digest
        are produced at synth, with every grant of the stack."""
        if bucket.policy is not None:
            return bucket.policy
        digest = self._names().first
        index = self._buckets.index(bucket)
        name = f"Bucket{index}"
        bucket.policy = iam.CfnManagedPolicy(
            self,
            name,
            policy_document=Lazy.uncached_any(AtSynth(bucket.document)),
            roles=[self._role_name],
            # Replaced whenever the values it grants resolve differently
            # (docs/design.md, "Grants and the grant digest").
            description=Fn.join(
                "",
                [
                    f"Event invoke config grants, bucket {index} of {len(self._buckets)}, values ",
                    digest.get_att(name).to_string(),
                ],
            ),
        )
        bucket.base_id = self._stack.resolve(bucket.policy.logical_id)
        digest.add_property_override(
            f"{BUCKETS}.{name}", Lazy.uncached_any(AtSynth(bucket.ordered))
        )
        return bucket.policy

    def _names(self) -> DeployTimeNames:
        """The names the digests echo, and the grant digest, created on first use."""
        if self._deploy_time_names is None:
            buckets = {f"Bucket{index}": "x" * DIGEST_LENGTH for index in range(len(self._buckets))}
            self._deploy_time_names = DeployTimeNames(
                self._new_digest("Digest"), buckets, lambda n: self._new_digest(f"Names{n}")
            )
        return self._deploy_time_names

    def _new_digest(self, construct_id: str) -> CfnResource:
        return CfnResource(
            self, construct_id, type=GRANT_DIGEST_TYPE, properties=self._digest_properties
        )


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
