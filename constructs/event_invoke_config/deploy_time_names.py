"""A grant's function name known only at deploy time, read back from the grant digest.

A grant on a function given as a name or an ARN known only at deploy time takes its name apart
with `Fn::Select`/`Fn::Split` (`target._name_of_name_or_arn`), which `cdk diff` prints as
escaped JSON. The digest echoes that name as an attribute, and the grant's ARN reads it with
`Fn::GetAtt`, which the diff prints as one line: `...:function:${Digest.NameOfWorker}`. A
digest's answer holds 11 to 14 names (CloudFormation's 4,096 bytes); more go to further digest
resources. Why: docs/design.md, "Grants and the grant digest".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import CfnResource, Lazy, Stack

from event_invoke_config_provider.grant_digest import (
    MAX_DATA_BYTES,
    NAME_MAX_CHARS,
    NAMES,
    data_size,
)

from .at_synth import AtSynth
from .target import BEFORE_NAME

_LABEL_MAX_CHARS = 40
_HASH_CHARS = 6


def prints_as_one_line(value: Any) -> bool:
    """Whether `cdk diff` shows the resolved `value` as a plain string: literals, `Ref`s,
    `Fn::GetAtt`s and joins of them. It prints any other intrinsic as JSON, escaped once more
    at each level of nesting."""
    if isinstance(value, str):
        return True
    if not (isinstance(value, dict) and len(value) == 1):
        return False
    ((function, argument),) = value.items()
    if function in ("Ref", "Fn::GetAtt"):
        return True
    return (
        function == "Fn::Join"
        and isinstance(argument[1], list)
        and all(prints_as_one_line(part) for part in argument[1])
    )


def _source(value: Any) -> str:
    """What the user named in `value`, for the attribute's name: the first parameter, import or
    attribute it reads ("" if none)."""
    if isinstance(value, list):
        return next((found for item in value if (found := _source(item))), "")
    if not isinstance(value, dict):
        return ""
    for function, argument in value.items():
        if found := _named(function, argument) or _source(argument):
            return found
    return ""


def _named(function: str, argument: Any) -> str:
    """The parameter, import or attribute one intrinsic reads ("" for any other)."""
    if function == "Ref" and not str(argument).startswith("AWS::"):
        return str(argument)
    if function == "Fn::ImportValue" and isinstance(argument, str):
        return argument
    if function == "Fn::GetAtt" and isinstance(argument, list):
        return "".join(str(part) for part in argument)
    return ""


def _label(expression: Any) -> str:
    """What `expression` reads, as letters and digits, its end kept (e.g. `Worker`, `FnArn` for
    an import of `fn-arn`)."""
    words = re.findall(r"[A-Za-z0-9]+", _source(expression))
    return "".join(word[:1].upper() + word[1:] for word in words)[-_LABEL_MAX_CHARS:]


def _hash(expression: Any) -> str:
    text = json.dumps(expression, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:_HASH_CHARS].upper()


@dataclass
class _NameDigest:
    """One digest resource and the names it echoes; `fixed` are the attributes it answers
    besides, each at its longest."""

    resource: CfnResource
    fixed: dict[str, str]
    expressions: dict[str, Any] = field(default_factory=dict)
    logical_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.logical_id = Stack.of(self.resource).resolve(self.resource.logical_id)
        self.resource.add_property_override(
            NAMES, Lazy.uncached_any(AtSynth(lambda: self.expressions or None))
        )

    def try_add(self, attribute: str, expression: Any) -> bool:
        """Echo `expression` as `attribute`, if the answer has room with every name at its
        longest; whether it took it."""
        longest = {name: "x" * NAME_MAX_CHARS for name in [*self.expressions, attribute]}
        if data_size({**self.fixed, **longest}) > MAX_DATA_BYTES:
            return False
        self.expressions[attribute] = expression
        return True


class DeployTimeNames:
    """The names the digests echo, each digest's within the share of its answer the attributes
    have: the grant digest first (`first`, which answers `fixed` besides), then as many more as
    they need, made by `more(n)`."""

    def __init__(
        self, first: CfnResource, fixed: dict[str, str], more: Callable[[int], CfnResource]
    ) -> None:
        self._digests = [_NameDigest(first, dict(fixed))]
        self._more = more

    @property
    def first(self) -> CfnResource:
        """The grant digest, which also answers the buckets' digests."""
        return self._digests[0].resource

    @property
    def expressions(self) -> dict[str, Any]:
        """Every name echoed, by attribute."""
        return {name: e for digest in self._digests for name, e in digest.expressions.items()}

    def read_from_digest(self, arn: Any) -> tuple[Any, dict[str, int]] | None:
        """The resolved `arn` with the name it takes apart at deploy time read from a digest,
        and the longest each such read deploys as; None when `arn` has no such name."""
        if not (isinstance(arn, dict) and list(arn) == ["Fn::Join"] and arn["Fn::Join"][0] == ""):
            return None
        parts = list(arn["Fn::Join"][1])
        hidden = [index for index, part in enumerate(parts) if not prints_as_one_line(part)]
        if len(hidden) != 1 or hidden[0] == 0:
            return None
        [index] = hidden
        before = parts[index - 1]
        if not (isinstance(before, str) and before.endswith(BEFORE_NAME)):
            return None
        attribute = self._attribute(parts[index])
        digest = self._digest_of(attribute, parts[index])
        parts[index] = {"Fn::GetAtt": [digest.logical_id, attribute]}
        return {"Fn::Join": ["", parts]}, {f"{digest.logical_id}.{attribute}": NAME_MAX_CHARS}

    def _digest_of(self, attribute: str, expression: Any) -> _NameDigest:
        """The digest that echoes `expression`: the one that does already, else the first with
        room, else a new one."""
        if holder := self._holder(attribute):
            return holder
        for digest in self._digests:
            if digest.try_add(attribute, expression):
                return digest
        digest = _NameDigest(self._more(len(self._digests)), {})
        self._digests.append(digest)
        digest.try_add(attribute, expression)
        return digest

    def _attribute(self, expression: Any) -> str:
        """`NameOf` and what `expression` reads; a hash of it follows when another expression
        has that name already, or it reads nothing."""
        label = _label(expression)
        attribute = f"NameOf{label}"
        holder = self._holder(attribute)
        if not label or (holder and holder.expressions[attribute] != expression):
            attribute += f"Hash{_hash(expression)}"
        return attribute

    def _holder(self, attribute: str) -> _NameDigest | None:
        """The digest that echoes `attribute` already, if one does."""
        return next((d for d in self._digests if attribute in d.expressions), None)
