"""A cfn-lint rule: every Custom::LambdaEventInvokeConfig is checked as the provider checks it.

Usage: cfn-lint --append-rules release/cfnlint_rules template.yaml (dist/cfnlint_rules after
`make release`). Each property is checked alone by the provider's own `parse_properties`, so a
template fails lint with the reason a deploy would fail with, from the same limits (the
provider's `model_limits`). Values CloudFormation resolves at deploy time (Ref, Fn::*) are left to
the provider. An UpdateReplacePolicy of Retain or Snapshot is refused too
(`replace_policy_problem`). The provider's code comes from the installed package, else from the
provider zip beside this folder; it needs cfn-lint only (no botocore).
"""

from __future__ import annotations

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


def _is_intrinsic(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and len(value) == 1
        and str(next(iter(value))).startswith(("Ref", "Fn::", "Condition"))
    )


def _stand_in(value: Any, stand_in: str) -> Any:
    """`value` with every intrinsic function in it replaced by `stand_in`."""
    if _is_intrinsic(value):
        return stand_in
    if isinstance(value, Mapping):
        return {key: _stand_in(item, stand_in) for key, item in value.items()}
    return value


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
    Qualifier that conflicts with the name's own is refused), else beside a stand-in.
    """
    if FUNCTION_NAME not in properties:
        properties = {**properties, FUNCTION_NAME: None}
    given = properties[FUNCTION_NAME]
    given_problem = None if _is_intrinsic(given) else _function_name_problem(given)
    function = _SOME_FUNCTION if _is_intrinsic(given) or given_problem else given
    for name, value in properties.items():
        if name == SERVICE_TOKEN or _is_intrinsic(value):
            continue
        path = None if value is None else name
        if name == FUNCTION_NAME:
            if given_problem is not None:
                yield path, given_problem
            continue
        try:
            if name == SERVICE_TIMEOUT:
                check_integer(SERVICE_TIMEOUT, value, SERVICE_TIMEOUT_LIMIT)
            else:
                stand_in = _SOME_DESTINATION if name == DESTINATION_CONFIG else _SOME_FUNCTION
                parse_properties({FUNCTION_NAME: function, name: _stand_in(value, stand_in)})
        except InvalidPropertyError as error:
            yield path, str(error)


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
