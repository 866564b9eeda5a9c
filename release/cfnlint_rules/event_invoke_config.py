"""A cfn-lint rule: every Custom::LambdaEventInvokeConfig is checked as the provider checks it.

Usage: cfn-lint --append-rules release/cfnlint_rules template.yaml (dist/cfnlint_rules after
`make release`). Each property is checked alone by the provider's own `parse_properties`, so a
template fails lint with the reason a deploy would fail with, from the same limits (the
provider's `model_limits`). Values CloudFormation resolves at deploy time (Ref, Fn::*) are left to
the provider, and quoted as written where they stand in the wrong place; each branch of a Fn::If
is checked. An UpdateReplacePolicy of Retain or Snapshot is refused too
(`replace_policy_problem`). The provider's code comes from the installed package, else from the
provider zip beside this folder; it needs cfn-lint only (no botocore).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

try:
    import event_invoke_config_provider  # noqa: F401
except ImportError:  # dist/: the provider zip beside this folder holds the package
    sys.path.extend(map(str, sorted(Path(__file__).resolve().parent.parent.glob("provider-*.zip"))))

from event_invoke_config_provider.limits import IntegerLimit
from event_invoke_config_provider.properties import (
    DESTINATION_CONFIG,
    FUNCTION_NAME,
    RESOURCE_TYPE,
    SERVICE_TIMEOUT,
    SERVICE_TOKEN,
    InvalidPropertyError,
    check_integer,
    parse_properties,
)
from event_invoke_config_provider.timing import DEFAULT_SERVICE_TIMEOUT_SECONDS

# CloudFormation's bounds of a custom resource's ServiceTimeout, in seconds.
SERVICE_TIMEOUT_LIMIT = IntegerLimit(1, DEFAULT_SERVICE_TIMEOUT_SECONDS)
# Stands for a function name CloudFormation resolves at deploy time.
_SOME_FUNCTION = "resolved-at-deploy"
# Stands for a destination CloudFormation resolves at deploy time (any service is allowed).
_SOME_DESTINATION = "arn:aws:sqs:us-east-1:123456789012:resolved-at-deploy"
# The value of a Fn::If branch that leaves its key out.
_NO_VALUE = {"Ref": "AWS::NoValue"}
# At most this many ways a property's Fn::If branches can fall are checked.
_MAX_VARIANTS = 64


class _AsWritten(str):
    """A stand-in for a value CloudFormation resolves at deploy time: it is checked as the
    stand-in text, and the provider's messages, which quote values by `repr`, quote it as the
    template wrote it (`{'Fn::GetAtt': ['Queue', 'Arn']}`), never as the stand-in."""

    written: object

    def __new__(cls, stand_in: str, written: object) -> _AsWritten:
        text = super().__new__(cls, stand_in)
        text.written = written
        return text

    def __repr__(self) -> str:
        return repr(self.written)


def _is_intrinsic(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and len(value) == 1
        and str(next(iter(value))).startswith(("Ref", "Fn::", "Condition"))
    )


def _if_branches(value: object) -> list[Any] | None:
    """The two values of a `Fn::If`, or None when `value` is not one."""
    arguments = value.get("Fn::If") if isinstance(value, Mapping) and len(value) == 1 else None
    return list(arguments[1:]) if isinstance(arguments, list) and len(arguments) == 3 else None


def _variants(value: Any, stand_in: str) -> Iterator[Any]:
    """`value` as each way its `Fn::If`s may fall (a key whose branch is AWS::NoValue left out),
    with every other intrinsic function in it a stand-in that shows as written."""
    branches = _if_branches(value)
    if branches is not None:
        for branch in branches:
            yield from _variants(branch, stand_in)
    elif _is_intrinsic(value):
        yield _NO_VALUE if value == _NO_VALUE else _AsWritten(stand_in, value)
    elif isinstance(value, Mapping):
        keys = list(value)
        for choice in itertools.product(*(list(_variants(value[key], stand_in)) for key in keys)):
            yield {key: item for key, item in zip(keys, choice, strict=True) if item != _NO_VALUE}
    else:
        yield value


def _function_name_problem(value: Any) -> str | None:
    """The provider's reason to refuse FunctionName `value` (None: it is missing), or None."""
    try:
        parse_properties({} if value is None else {FUNCTION_NAME: value})
    except InvalidPropertyError as error:
        return str(error)
    return None


def replace_policy_problem(policy: object) -> str | None:
    """Why an UpdateReplacePolicy other than Delete is wrong for a config, or None.

    A move to another function or qualifier answers a new physical id: a replacement, whose old
    config CloudFormation deletes in the cleanup phase unless UpdateReplacePolicy keeps it
    ("UpdateReplacePolicy attribute", https://docs.aws.amazon.com/AWSCloudFormation/latest/
    UserGuide/aws-attribute-updatereplacepolicy.html). A config has no snapshots.
    """
    if policy == "Retain":
        return (
            "UpdateReplacePolicy Retain leaks the old config when the resource moves to "
            "another function or qualifier: CloudFormation keeps it, and no resource owns or "
            "deletes it then. Write UpdateReplacePolicy: Delete; DeletionPolicy: Retain alone "
            "keeps the config when the resource leaves the stack."
        )
    if policy == "Snapshot":
        return (
            "UpdateReplacePolicy Snapshot: a config has no snapshot, so a move deletes the old "
            "config as Delete does. Write UpdateReplacePolicy: Delete, which says so; Retain "
            "would leak the old config."
        )
    return None


def problems(properties: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    """(property, or None for the resource, and the provider's reason) for each it would refuse.

    Each property is checked beside the template's FunctionName when that is a valid literal (a
    Qualifier that conflicts with the name's own is refused), else beside a stand-in; each way
    its `Fn::If`s may fall is checked, and each reason given once.
    """
    if FUNCTION_NAME not in properties:
        properties = {**properties, FUNCTION_NAME: None}
    given = properties[FUNCTION_NAME]
    given_problem = None if _is_intrinsic(given) else _function_name_problem(given)
    unknown = _is_intrinsic(given) or given_problem is not None
    function = _AsWritten(_SOME_FUNCTION, given) if unknown else given
    for name, value in properties.items():
        if name == FUNCTION_NAME and given_problem is not None:
            yield (None if value is None else name), given_problem
        if name in (SERVICE_TOKEN, FUNCTION_NAME):
            continue
        stand_in = _SOME_DESTINATION if name == DESTINATION_CONFIG else _SOME_FUNCTION
        variants = itertools.islice(_variants(value, stand_in), _MAX_VARIANTS)
        reasons = dict.fromkeys(_problem(name, variant, function) for variant in variants)
        path = None if value is None else name
        yield from ((path, reason) for reason in reasons if reason is not None)


def _problem(name: str, value: Any, function: str) -> str | None:
    """The provider's reason to refuse property `name` of `value` beside `function`, or None.

    A whole value CloudFormation resolves at deploy time, or left out, is not checked.
    """
    if isinstance(value, _AsWritten) or value == _NO_VALUE:
        return None
    try:
        if name == SERVICE_TIMEOUT:
            check_integer(SERVICE_TIMEOUT, value, SERVICE_TIMEOUT_LIMIT)
        else:
            parse_properties({FUNCTION_NAME: function, name: value})
    except InvalidPropertyError as error:
        return str(error)
    return None


class EventInvokeConfigProperties(CloudFormationLintRule):  # type: ignore[misc]
    """The provider's checks of a Custom::LambdaEventInvokeConfig, before deploy."""

    id = "E9101"
    shortdesc = f"{RESOURCE_TYPE} properties"
    description = (
        f"Checks each {RESOURCE_TYPE}'s properties and ServiceTimeout with the provider's own "
        "checks: unknown properties, value ranges and forms, in the provider's words; and "
        "refuses an UpdateReplacePolicy that would leak the old config on a move."
    )
    source_url = "README.md#checking-templates-before-deploy"
    tags: ClassVar[list[str]] = ["resources", "custom", "lambda"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        """A match per property the provider would refuse, and one for a leaking policy."""
        matches = []
        for logical_id, resource in cfn.get_resources([RESOURCE_TYPE]).items():
            leak = replace_policy_problem(resource.get("UpdateReplacePolicy"))
            if leak is not None:
                path = ["Resources", logical_id, "UpdateReplacePolicy"]
                matches.append(RuleMatch(path, f"{logical_id}: {leak}"))
            properties = resource.get("Properties", {})
            if not isinstance(properties, Mapping) or _is_intrinsic(properties):
                continue
            for name, reason in problems(properties):
                path = ["Resources", logical_id, "Properties", *([name] if name else [])]
                matches.append(RuleMatch(path, f"{logical_id}: {reason}"))
        return matches
