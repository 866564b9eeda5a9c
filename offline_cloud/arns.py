"""The offline cloud's own reading of Lambda function ARNs and config ids: a split on ':'.

Apart from the product's grammar (`event_invoke_config_provider.function_ref`) on purpose: a
stand-in that read ids with the parser under test would read its bugs back unchanged. Only the
forms Lambda itself accepts and answers with: a function as `name`, `ACCOUNT:function:name` or
`arn:PARTITION:lambda:REGION:ACCOUNT:function:name`, each with an optional `:qualifier`; a
config named by its qualified ARN (`...:function:name:$LATEST` when unqualified), which is also
the custom resource's physical id.
"""

from __future__ import annotations

from .fake_aws import ACCOUNT, PARTITION, REGION

UNQUALIFIED = "$LATEST"
# arn, partition, service, region, account, "function", name: then the qualifier, if any
_FUNCTION_ARN_PARTS = 7


def function_arn(function: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """The unqualified ARN of a function given as a name, a partial or a full ARN.

    A name or partial ARN is taken to be in `region` and `account`; a qualifier is dropped.
    """
    parts = function.split(":")
    if function.startswith("arn:"):
        return ":".join(parts[:_FUNCTION_ARN_PARTS])
    account, name = (parts[0], parts[2]) if parts[1:2] == ["function"] else (account, parts[0])
    return f"arn:{PARTITION}:lambda:{region}:{account}:function:{name}"


def qualifier_in_name(function: str) -> str | None:
    """The `:qualifier` suffix of a name, partial ARN or full ARN, if it has one."""
    parts = function.split(":")
    if function.startswith("arn:"):
        position = _FUNCTION_ARN_PARTS
    else:
        position = 3 if parts[1:2] == ["function"] else 1
    return parts[position] if len(parts) > position else None


def config_arn(function: str, qualifier: str | None = None) -> str:
    """The qualified ARN that names the config of `function` and `qualifier` (none: `$LATEST`).

    That is the config's physical id; a qualifier within `function` is dropped.
    """
    return f"{function_arn(function)}:{qualifier or UNQUALIFIED}"


def split_config_arn(physical_id: str) -> tuple[str, str] | None:
    """The function's unqualified ARN and the qualifier a config's physical id names.

    None for an id that is no qualified function ARN (a Create that wrote nothing).
    """
    parts = physical_id.split(":")
    if parts[0] != "arn" or len(parts) != _FUNCTION_ARN_PARTS + 1 or parts[5] != "function":
        return None
    return ":".join(parts[:_FUNCTION_ARN_PARTS]), parts[_FUNCTION_ARN_PARTS]


def config_target(physical_id: str) -> dict[str, str] | None:
    """The `FunctionName` and `Qualifier` arguments that address the config of a physical id."""
    split = split_config_arn(physical_id)
    if split is None:
        return None
    function, qualifier = split
    if qualifier == UNQUALIFIED:
        return {"FunctionName": function}
    return {"FunctionName": function, "Qualifier": qualifier}
