"""The shared provider's access: the function names (IAM patterns) it may configure, stack reads.

The context value `eventInvokeConfigProvider:functionNames` comes as a list from cdk.json, and as
a string from `cdk synth -c key=value`: a JSON list (`["orders-*","billing"]`) or names separated
by commas (`orders-*,billing`). Each entry is a function name, or a name pattern with IAM's
wildcards `*` (any run of characters) and `?` (one character) after a literal first character.
An entry that starts with a wildcard matches functions of any name (`*`, `?*`, `*-*`, `*-async`)
and is refused: a shared provider is scoped by name prefix, the way teams name their functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import jsii
from aws_cdk import Acknowledgment, ArnFormat, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct, IValidation

from .grants import CONFIG_ACTIONS
from .nag import wildcard_resource_id

CONTEXT_KEY = "eventInvokeConfigProvider:functionNames"
ALLOWED = (
    'Give a list of function names or name patterns, e.g. ["orders-*", "billing"], as a '
    "JSON list or separated by commas; each starts with a letter, digit, '-' or '_' and has at "
    "most 64 of those characters and the wildcards '*' and '?'."
)
_ENTRY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_*?-]{0,63}")
_WILDCARDS = "*?"


class AllowListError(ValueError):
    """The allow-list is missing, malformed, or would let the provider configure any function."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{CONTEXT_KEY}: {problem} {ALLOWED}")


def parse_function_names(value: object) -> list[str]:
    """The names and patterns `value` lists, in order and without repeats; refuses any other."""
    if isinstance(value, str):
        value = _split(value.strip())
    if not isinstance(value, list | tuple):
        raise AllowListError(f"expected a list or a string; got {type(value).__name__}.")
    if not value:
        raise AllowListError("the list is empty, so the provider could configure no function.")
    names: list[str] = []
    for position, entry in enumerate(value, start=1):
        name = _checked(position, entry)
        if name not in names:
            names.append(name)
    return names


def _split(text: str) -> list[object]:
    if not text.startswith("["):
        return list(text.split(","))
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise AllowListError(f"{text!r} is not a JSON list ({error.msg}).") from None
    if not isinstance(parsed, list):
        raise AllowListError(f"{text!r} is not a JSON list.")
    return parsed


def _checked(position: int, entry: object) -> str:
    if not isinstance(entry, str):
        raise AllowListError(f"entry {position} is a {type(entry).__name__}, not a string.")
    name = entry.strip()
    if not name:
        raise AllowListError(f"entry {position} is empty.")
    if name[0] in _WILDCARDS:
        raise AllowListError(
            f"entry {position} ({name!r}) starts with a wildcard, so it matches functions of "
            "any name."
        )
    if not _ENTRY.fullmatch(name):
        raise AllowListError(f"entry {position} ({name!r}) is not a function name or pattern.")
    return name


def function_arns(scope: Construct, names: Sequence[str]) -> list[str]:
    """The ARNs `names` stand for in `scope`'s account and region, with their qualifiers.

    Also each name's versions and aliases (`name:*`), which a config with a `Qualifier` needs;
    a pattern ending in `*` already matches them, as IAM's `*` spans `:`.
    """
    return [arn for name in names for arn in _arns(scope, name)]


def _arns(scope: Construct, name: str) -> list[str]:
    """`name`'s function ARN, then the `name:*` of an exact name."""
    arn = Stack.of(scope).format_arn(
        service="lambda",
        resource="function",
        resource_name=name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return [arn] if name.endswith("*") else [arn, f"{arn}:*"]


@jsii.implements(IValidation)
class SharedAccess:
    """A provider's grants beyond its own stack's configs, and the check that they fit together.

    A provider that may configure functions by name serves other stacks; it must also read
    them, or every config it serves is denied at deploy (`validate`).
    """

    def __init__(
        self, provider: Construct, role: iam.Role, stack_reads: iam.PolicyStatement
    ) -> None:
        self._provider = provider
        self._role = role
        self._stack_reads = stack_reads
        self._serves_other_stacks = False
        self._reads_other_stacks = False

    def allow_function_names(self, names: object) -> list[str]:
        """Grant the config actions on `names` and their qualifiers; returns the names."""
        parsed = parse_function_names(names)
        self._role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(CONFIG_ACTIONS), resources=function_arns(self._provider, parsed)
            )
        )
        self._serves_other_stacks = True
        for name in parsed:
            for qualifiers in _arns(self._provider, name)[1:]:
                Validations.of(self._role).acknowledge(
                    Acknowledgment(
                        id=wildcard_resource_id(self._role, qualifiers),
                        reason=f"Generated by allow_function_names from the exact name {name!r}: "
                        "only its versions and aliases, which a config with a Qualifier names.",
                    )
                )
        return parsed

    def allow_stack_reads(self, stack_arn: str) -> None:
        """Let the provider read the stacks `stack_arn` (an ARN or ARN pattern) names."""
        self._stack_reads.add_resources(stack_arn)
        self._reads_other_stacks = True

    def validate(self) -> list[str]:
        """Refuse a shared provider that could not read the stacks it serves."""
        if not self._serves_other_stacks or self._reads_other_stacks:
            return []
        return [
            f"{self._provider.node.path} serves other stacks (allow_function_names) but may read "
            "only its own: every config it serves would be denied at deploy when the provider "
            "reads the stack that sent it. Call allow_stack_reads(stack.format_arn("
            'service="cloudformation", resource="stack", resource_name="*")), or the ARN pattern '
            "of the stacks it serves."
        ]
