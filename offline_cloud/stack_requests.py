"""What CloudFormation decides from a request that creates or updates a stack or a stack set:
the values of the template's parameters, and whether the capabilities it acknowledges suffice.

`UsePreviousValue`, Defaults and undeclared keys as the Parameter API documents them; IAM resources
need CAPABILITY_IAM (or CAPABILITY_NAMED_IAM). docs/design.md, "The offline cloud", "The operator's
AWS CLI".
"""

from __future__ import annotations

from typing import Any

from cfnlint.decode import cfn_yaml

from .query_protocol import QueryError
from .template import Template

# The IAM resource types that need an acknowledged capability, with their custom-name property.
IAM_TYPES = {
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::UserToGroupAddition": None,
}


def load_body(body: str) -> Template:
    """A template body, JSON or YAML with short-form intrinsics, as CloudFormation reads it."""
    template: Template = cfn_yaml.loads(body)
    return template


def required_capability(template: Template) -> str | None:
    """CAPABILITY_NAMED_IAM, CAPABILITY_IAM or None, for the template's resources."""
    needed = None
    for body in template.get("Resources", {}).values():
        if body.get("Type") in IAM_TYPES:
            named = IAM_TYPES[body["Type"]]
            if named is not None and named in body.get("Properties", {}):
                return "CAPABILITY_NAMED_IAM"
            needed = "CAPABILITY_IAM"
    return needed


def check_capabilities(template: Template, acknowledged: list[str]) -> None:
    """Raise InsufficientCapabilitiesException unless `acknowledged` covers the template."""
    needed = required_capability(template)
    if needed is None or needed in acknowledged or "CAPABILITY_NAMED_IAM" in acknowledged:
        return
    raise QueryError("InsufficientCapabilitiesException", f"Requires capabilities : [{needed}]")


def parameter_values(
    template: Template, given: list[dict[str, str]], previous: dict[str, str] | None
) -> dict[str, str]:
    """The values the request names, `UsePreviousValue` ones taken from `previous` (the stack's
    or stack set's values; None for a new one). Left out: each takes its Default."""
    declared = template.get("Parameters", {})
    values: dict[str, str] = {}
    for parameter in given:
        key = parameter["ParameterKey"]
        if key not in declared:
            raise QueryError("ValidationError", f"Parameters: [{key}] do not exist in the template")
        if parameter.get("UsePreviousValue") != "true":
            values[key] = parameter.get("ParameterValue", "")
        elif "ParameterValue" in parameter:
            raise QueryError(
                "ValidationError",
                f"Invalid input for parameter key {key}. Cannot specify usePreviousValue as "
                "true and non empty value for a parameter",
            )
        elif previous is None or key not in previous:
            raise QueryError(
                "ValidationError",
                f"Invalid input for parameter key {key}. Cannot specify usePreviousValue as "
                "true for a parameter key not in the previous template",
            )
        else:
            values[key] = previous[key]
    missing = [key for key, body in declared.items() if key not in values and "Default" not in body]
    if missing:
        raise QueryError("ValidationError", f"Parameters: [{', '.join(missing)}] must have values")
    return values


def as_strings(values: dict[str, Any]) -> dict[str, str]:
    """Parameter values as DescribeStacks shows them: a list joined with commas."""
    return {
        key: ",".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in values.items()
    }
