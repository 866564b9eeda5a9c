"""Decide whether IAM allows one request, from the identity-based policies of the caller's role.

Explicit Deny wins, else some Allow must match; actions and resources with IAM's wildcards.
`Condition` and `NotPrincipal` raise `UnsupportedPolicyError` rather than be guessed at. The rules,
their AWS references and why not moto's access control: docs/design.md, "The offline cloud", "IAM".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Document = Mapping[str, Any]
_UNSUPPORTED = ("Condition", "NotPrincipal")
_ARN_SEGMENTS = 6  # arn:partition:service:region:account:resource


class UnsupportedPolicyError(ValueError):
    """A statement uses a policy element this evaluator does not implement."""


@dataclass(frozen=True)
class Decision:
    """Whether the request is allowed and, if not, why, in IAM's words."""

    allowed: bool
    reason: str = ""


def evaluate(documents: Iterable[Document], action: str, resource: str) -> Decision:
    """IAM's decision for `action` on `resource` under the policy `documents`."""
    effects = {
        statement["Effect"]
        for statement in _statements(documents)
        if _element_matches(statement, "Action", action)
        and _element_matches(statement, "Resource", resource)
    }
    if "Deny" in effects:
        return Decision(False, "with an explicit deny in an identity-based policy")
    if "Allow" in effects:
        return Decision(True)
    return Decision(False, f"because no identity-based policy allows the {action} action")


def _statements(documents: Iterable[Document]) -> Iterator[Mapping[str, Any]]:
    for document in documents:
        statements = document.get("Statement", [])
        for statement in [statements] if isinstance(statements, Mapping) else statements:
            unsupported = [element for element in _UNSUPPORTED if element in statement]
            if unsupported:
                raise UnsupportedPolicyError(f"statement uses {unsupported}: {statement}")
            if statement.get("Effect") not in ("Allow", "Deny"):
                raise UnsupportedPolicyError(f"statement has no Effect Allow or Deny: {statement}")
            yield statement


def _element_matches(statement: Mapping[str, Any], element: str, value: str) -> bool:
    """Whether `Action` (`Resource`) lists `value`, or `NotAction` (`NotResource`) does not."""
    matches = _action_matches if element == "Action" else _resource_matches
    for name, wanted in ((element, True), (f"Not{element}", False)):
        if name in statement:
            listed = statement[name]
            patterns = [listed] if isinstance(listed, str) else listed
            return any(matches(pattern, value) for pattern in patterns) is wanted
    raise UnsupportedPolicyError(f"statement has neither {element} nor Not{element}: {statement}")


def _action_matches(pattern: str, action: str) -> bool:
    return _glob(pattern, "", re.IGNORECASE).fullmatch(action) is not None


def _resource_matches(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    wanted = pattern.split(":", _ARN_SEGMENTS - 1)
    given = resource.split(":", _ARN_SEGMENTS - 1)
    if len(wanted) != _ARN_SEGMENTS or len(given) != _ARN_SEGMENTS:
        return pattern == resource
    return all(
        _glob(part, ":").fullmatch(value) is not None
        for part, value in zip(wanted, given, strict=True)
    )


@functools.cache
def _glob(pattern: str, separator: str, flags: int = 0) -> re.Pattern[str]:
    """`pattern`'s wildcards as a regular expression; they stay within `separator` segments.

    A `*` that ends a segment (before a separator or at the end) may run past separators.
    """
    within = f"[^{re.escape(separator)}]" if separator else "."
    parts: list[str] = []
    for index, character in enumerate(pattern):
        if character == "*":
            ends_segment = pattern[index + 1 : index + 2] in ("", separator)
            parts.append(".*" if ends_segment or not separator else f"{within}*")
        elif character == "?":
            parts.append(within)
        else:
            parts.append(re.escape(character))
    return re.compile("".join(parts), flags | re.DOTALL)
