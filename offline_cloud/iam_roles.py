"""What IAM holds for the engine's roles, and the check of each call made with a role's credentials.

`RolePolicies` is the account's IAM as the engine deploys it, changed in whichever phase its
resources change, with IAM's size and attachment quotas enforced on each change (`IamQuotaError`).
`Enforcement` hands a role credentials of its own and evaluates (iam_policy.py) each call made
with them; other credentials are never checked. docs/design.md, "The offline cloud", "IAM".
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass

from .fake_aws import ACCOUNT
from .iam_policy import Document, UnsupportedPolicyError, evaluate

_ACCESS_KEY = re.compile(r"Credential=([A-Z0-9]+)/")
MANAGED_POLICY_MAX_CHARS = 6_144
MANAGED_POLICIES_PER_ROLE = 10
INLINE_POLICIES_MAX_CHARS_PER_ROLE = 10_240


class IamQuotaError(Exception):
    """A change would pass one of IAM's quotas; IAM refuses it (LimitExceeded)."""


def policy_chars(document: Document) -> int:
    """The characters IAM counts in a policy document: its compact JSON."""
    return len(json.dumps(document, separators=(",", ":")))


@dataclass(frozen=True)
class AttachedPolicy:
    """One physical IAM resource's policy documents and the roles (by name) they apply to."""

    roles: frozenset[str]
    documents: tuple[Document, ...]
    managed_policy_arns: tuple[str, ...] = ()  # a role's own ManagedPolicyArns
    managed: bool = False  # a customer managed policy (its physical id is its ARN), not inline


class RolePolicies:
    """The policies attached to each role, by the physical id of the resource that holds them."""

    def __init__(self) -> None:
        self._by_physical_id: dict[str, AttachedPolicy] = {}
        self._lock = threading.Lock()

    def put(self, physical_id: str, policy: AttachedPolicy) -> None:
        """Create or replace what one resource attaches (a managed policy's id is its ARN).

        Raises `IamQuotaError`, changing nothing, if a role would then pass a quota.
        """
        if policy.managed:
            for document in policy.documents:
                if policy_chars(document) > MANAGED_POLICY_MAX_CHARS:
                    raise IamQuotaError(
                        f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_MAX_CHARS} "
                        f"({physical_id} has {policy_chars(document)} characters)"
                    )
        with self._lock:
            after = {**self._by_physical_id, physical_id: policy}
            for role in sorted(policy.roles):
                _check_role(role, after)
            self._by_physical_id[physical_id] = policy

    def remove(self, physical_id: str) -> None:
        """The resource is deleted: what it attached is gone."""
        with self._lock:
            self._by_physical_id.pop(physical_id, None)

    def documents(self, role: str) -> list[Document]:
        """Every policy document attached to `role` now: inline, and managed by either side."""
        with self._lock:
            attached = [p for p in self._by_physical_id.values() if role in p.roles]
            arns = {arn for policy in attached for arn in policy.managed_policy_arns}
            attached += [self._by_physical_id[arn] for arn in arns if arn in self._by_physical_id]
        return [document for policy in attached for document in policy.documents]


def _check_role(role: str, policies: dict[str, AttachedPolicy]) -> None:
    """Raise `IamQuotaError` if `role` passes a quota with `policies` attached."""
    attached = {physical_id: p for physical_id, p in policies.items() if role in p.roles}
    managed = {arn for arn, p in attached.items() if p.managed}
    managed.update(arn for p in attached.values() for arn in p.managed_policy_arns)
    if len(managed) > MANAGED_POLICIES_PER_ROLE:
        raise IamQuotaError(
            f"Cannot exceed quota for PoliciesPerRole: {MANAGED_POLICIES_PER_ROLE} "
            f"(role {role} would have {len(managed)} managed policies)"
        )
    inline = sum(
        policy_chars(document)
        for p in attached.values()
        if not p.managed
        for document in p.documents
    )
    if inline > INLINE_POLICIES_MAX_CHARS_PER_ROLE:
        raise IamQuotaError(
            f"Maximum policy size of {INLINE_POLICIES_MAX_CHARS_PER_ROLE} bytes exceeded for "
            f"role {role} ({inline} characters of inline policies)"
        )


@dataclass(frozen=True)
class CheckedCall:
    """One call made with a role's credentials, and IAM's answer."""

    role: str
    action: str
    resource: str
    allowed: bool
    message: str = ""


class Enforcement:
    """Credentials per role, and a record of every call checked against the role's policies."""

    def __init__(self, policies: RolePolicies) -> None:
        self.policies = policies
        self.calls: list[CheckedCall] = []
        self._roles_by_key: dict[str, str] = {}
        self._credentials_by_role: dict[str, dict[str, str]] = {}

    @property
    def denied(self) -> list[CheckedCall]:
        """The calls IAM refused."""
        return [call for call in self.calls if not call.allowed]

    def credentials(self, role: str) -> dict[str, str]:
        """Environment variables with temporary credentials of `role` (the same every time)."""
        if role not in self._credentials_by_role:
            key = f"ASIA{uuid.uuid4().hex[:16].upper()}"
            self._roles_by_key[key] = role
            self._credentials_by_role[role] = {
                "AWS_ACCESS_KEY_ID": key,
                "AWS_SECRET_ACCESS_KEY": uuid.uuid4().hex,
                "AWS_SESSION_TOKEN": uuid.uuid4().hex,
            }
            with _lock:
                _enforcements[key] = self
        return dict(self._credentials_by_role[role])

    def check(self, access_key: str, action: str, resource: str) -> CheckedCall:
        """Evaluate one call made with `access_key` and record it."""
        role = self._roles_by_key[access_key]
        try:
            decision = evaluate(self.policies.documents(role), action, resource)
            allowed, reason = decision.allowed, decision.reason
        except UnsupportedPolicyError as error:  # fail closed: say why
            allowed, reason = False, f"because the evaluator cannot read a policy: {error}"
        message = (
            ""
            if allowed
            else f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/provider is not authorized "
            f"to perform: {action} on resource: {resource} {reason}"
        )
        call = CheckedCall(role, action, resource, allowed, message)
        with _lock:
            self.calls.append(call)
        return call

    def close(self) -> None:
        """Stop checking this enforcement's credentials (calls with them are then unchecked)."""
        with _lock:
            for key in self._roles_by_key:
                _enforcements.pop(key, None)


_enforcements: dict[str, Enforcement] = {}
_lock = threading.Lock()


def denial(authorization: str | None, action: str, resource: str) -> str | None:
    """AccessDenied's message for a request, or None if allowed or not made as a checked role."""
    found = _ACCESS_KEY.search(authorization or "")
    with _lock:
        enforcement = _enforcements.get(found.group(1)) if found else None
    if found is None or enforcement is None:
        return None
    call = enforcement.check(found.group(1), action, resource)
    return None if call.allowed else call.message


def role_name(role_arn: str) -> str:
    """The name in a role ARN (`arn:aws:iam::123456789012:role/path/name`)."""
    return role_arn.rsplit("/", 1)[1]
