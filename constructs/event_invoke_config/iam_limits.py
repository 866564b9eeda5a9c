"""IAM's size quotas, and the longest a policy document can be once CloudFormation deploys it.

`policy_length` counts a synthesized document as IAM does (compact JSON), with every `Ref`,
`Fn::GetAtt` and join at the longest it can deploy as, so a bucket that fits at synth fits in
every account and region. The worst cases: docs/design.md, "Grants and the grant digest" (Sizing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import botocore.loaders
from aws_cdk import Reference, Stack, Token, Tokenization
from aws_cdk import aws_lambda as lambda_

from event_invoke_config_provider.function_ref import (
    FUNCTION_NAME_MAX_CHARS,
    QUALIFIER_MAX_CHARS,
)

from .reference_reads import Referenced, reference_of

MANAGED_POLICY_MAX_CHARS = 6_144
MANAGED_POLICIES_PER_ROLE = 10
ACCOUNT_ID_CHARS = 12
# A version number counted to ten digits: ten billion publishes of one function.
VERSION_MAX_CHARS = 10
STACK_NAME_MAX_CHARS = 128
UUID_CHARS = 36
# The region names counted with are at least this long, whatever the installed botocore knows:
# an older botocore must not make a policy that fits today fail in a region launched since
# (the longest today, us-isof-south-1, has 15 characters).
REGION_NAME_MIN_CHARS = 20

# A resolved reference, as `policy_length` looks it up: "LogicalId" for a `Ref`,
# "LogicalId.Attribute" for an `Fn::GetAtt`.
ReferenceLengths = Mapping[str, int]


@cache
def longest_partition_and_region() -> tuple[int, int]:
    """The lengths of the longest partition name and region name in botocore's partition data.

    Endpoint names such as `aws-us-gov-global` are listed beside the regions; the partition's
    `regionRegex` tells them apart. The region is at least `REGION_NAME_MIN_CHARS`.
    """
    partitions = botocore.loaders.Loader().load_data("partitions")["partitions"]
    partition = max(len(entry["id"]) for entry in partitions)
    region = max(
        len(name)
        for entry in partitions
        for name in entry["regions"]
        if re.match(entry["regionRegex"], name)
    )
    return partition, max(region, REGION_NAME_MIN_CHARS)


@cache
def _pseudo_parameter_lengths() -> dict[str, int]:
    partition, region = longest_partition_and_region()
    partitions = botocore.loaders.Loader().load_data("partitions")["partitions"]
    url_suffix = max(len(entry["outputs"]["dnsSuffix"]) for entry in partitions)
    stack_id = len("arn::cloudformation:::stack//") + partition + region + ACCOUNT_ID_CHARS
    return {
        "AWS::Partition": partition,
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT_ID_CHARS,
        "AWS::URLSuffix": url_suffix,
        "AWS::StackName": STACK_NAME_MAX_CHARS,
        "AWS::StackId": stack_id + STACK_NAME_MAX_CHARS + UUID_CHARS,
    }


def function_arn_length(name_length: int = FUNCTION_NAME_MAX_CHARS) -> int:
    """The longest unqualified function ARN with a name of `name_length` characters."""
    partition, region = longest_partition_and_region()
    return len("arn::lambda:::function:") + partition + region + ACCOUNT_ID_CHARS + name_length


# Anything this module cannot read counts as the longest qualified function ARN, the longest
# value a grant's resource can hold.
LONGEST_QUALIFIED_FUNCTION_ARN = function_arn_length() + 1 + QUALIFIER_MAX_CHARS


def deployed_length(
    value: Any, references: ReferenceLengths, unknown: int = LONGEST_QUALIFIED_FUNCTION_ARN
) -> int:
    """The longest `value`, a resolved CloudFormation string expression, can deploy as."""
    if isinstance(value, str):
        return len(json.dumps(value)) - 2
    if not (isinstance(value, dict) and len(value) == 1):
        return unknown
    ((function, argument),) = value.items()
    if function == "Ref":
        lengths = _pseudo_parameter_lengths()
        return lengths.get(argument) or references.get(argument, unknown)
    if function == "Fn::GetAtt":
        name, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
        return references.get(f"{name}.{attribute}", unknown)
    if function == "Fn::Join" and isinstance(argument[1], list):
        separator, parts = argument
        joined = sum(deployed_length(part, references, unknown) for part in parts)
        return joined + len(separator) * max(len(parts) - 1, 0)
    return unknown


def policy_length(
    document: Any, references: ReferenceLengths, unknown: int = LONGEST_QUALIFIED_FUNCTION_ARN
) -> int:
    """The characters IAM counts in a resolved policy document once deployed (worst case)."""
    if isinstance(document, dict) and not _is_intrinsic(document):
        members = (
            len(json.dumps(key)) + 1 + policy_length(item, references, unknown)
            for key, item in document.items()
        )
        return 2 + _joined(list(members))
    if isinstance(document, list):
        return 2 + _joined([policy_length(item, references, unknown) for item in document])
    if isinstance(document, str) or _is_intrinsic(document):
        return 2 + deployed_length(document, references, unknown)
    return len(json.dumps(document))


def _is_intrinsic(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)).startswith(("Ref", "Fn::"))
    )


def _joined(lengths: list[int]) -> int:
    return sum(lengths) + max(len(lengths) - 1, 0)


def reference_lengths(stack: Stack, values: Iterable[tuple[str, Any]]) -> dict[str, int]:
    """The longest deployed value of each Lambda `Ref`/`Fn::GetAtt` inside the strings of
    `values`, each given with its resolved form."""
    lengths: dict[str, int] = {}
    for value, resolved in values:
        whole = reference_of(value)
        if whole is not None:  # resolved as that one reference
            found = [(whole, resolved)]
        else:
            tokens = Tokenization.reverse_string(value).tokens
            found = [
                (Referenced(token), stack.resolve(token))
                for token in tokens
                if isinstance(token, Reference)
            ]
        for reference, resolved_reference in found:
            looked_up = _lookup_key(resolved_reference)
            if looked_up is None:
                continue
            key, attribute = looked_up
            length = _lambda_reference_length(reference, attribute)
            if length is not None:
                lengths[key] = length
    return lengths


def _lookup_key(resolved: Any) -> tuple[str, str] | None:
    """A resolved `Ref` or `Fn::GetAtt` as `policy_length` looks it up, and its attribute (`Ref`
    for a `Ref`); None for any other value."""
    if not isinstance(resolved, dict):
        return None
    if "Ref" in resolved:
        return str(resolved["Ref"]), "Ref"
    if "Fn::GetAtt" in resolved:
        name, attribute = resolved["Fn::GetAtt"]
        return f"{name}.{attribute}", attribute
    return None


def _lambda_reference_length(reference: Referenced, attribute: str) -> int | None:
    """The longest value of a Lambda function's, alias's or version's `Ref` or attribute."""
    target = reference.target
    if isinstance(target, lambda_.CfnFunction):
        literal = reference.literal_name
        name = len(literal) if literal is not None else FUNCTION_NAME_MAX_CHARS
        return {"Ref": name, "Arn": function_arn_length(name)}.get(attribute)
    if isinstance(target, lambda_.CfnAlias) and attribute in ("Ref", "AliasArn"):
        alias = _literal_length(target.name) or QUALIFIER_MAX_CHARS
        return function_arn_length() + 1 + alias
    if isinstance(target, lambda_.CfnVersion):
        qualified = function_arn_length() + 1 + VERSION_MAX_CHARS
        return {"Ref": qualified, "FunctionArn": qualified, "Version": VERSION_MAX_CHARS}.get(
            attribute
        )
    return None


def _literal_length(value: str | None) -> int | None:
    """The length of a value known at synth time; None for a token or no value."""
    if value is None or Token.is_unresolved(value):
        return None
    return len(value)
