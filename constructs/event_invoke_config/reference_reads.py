"""The reference a token string stands for, read once however many parts of a config ask.

A config's target, its identity and its grant all ask what its function's ARN refers to; each
read is a round trip to jsii's Node process (docs/benchmarks.md). A token string names one token
for the life of the process (CDK numbers them and never reuses a number), so its reading can
be kept by the string.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from aws_cdk import Reference, Token, Tokenization
from constructs import IConstruct

# A config's parts ask about its strings while it is built; this holds far more than that.
_KEPT_READINGS = 1024
# How CDK encodes a string token (`${Token[NAME.123]}`, aws-cdk-lib core/lib/private/encoding).
_STRING_TOKEN = re.compile(r"\$\{Token\[[a-zA-Z0-9:._-]+\]\}")


def is_unresolved(value: str) -> bool:
    """`Token.is_unresolved` for a string, without a round trip when it holds a string token."""
    return _STRING_TOKEN.search(value) is not None or Token.is_unresolved(value)


class Referenced:
    """One `Ref` or `Fn::GetAtt`: its target, its attribute and a function's literal name,
    each read when first asked for."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    @cached_property
    def target(self) -> IConstruct:
        """The construct referred to."""
        return self.reference.target

    @cached_property
    def attribute(self) -> str:
        """`Ref`, or the attribute of an `Fn::GetAtt`."""
        return self.reference.display_name

    @cached_property
    def literal_name(self) -> str | None:
        """The target's `function_name` as the template spells it (an `AWS::Lambda::Function`);
        None when CloudFormation names it or it is known only at deploy time."""
        name: str | None = self.target.function_name  # type: ignore[attr-defined]
        return None if name is None or is_unresolved(name) else name


@lru_cache(maxsize=_KEPT_READINGS)
def reference_of(value: str) -> Referenced | None:
    """The reference a string made of exactly one `Ref` or `Fn::GetAtt` stands for; or None."""
    reference = Tokenization.reverse(value, fail_concat=False)
    return Referenced(reference) if isinstance(reference, Reference) else None
