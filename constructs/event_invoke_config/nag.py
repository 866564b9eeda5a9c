"""The ids cdk-nag gives its findings on a value, for acknowledgements that hold in any stack.

cdk-nag 3 matches an acknowledgement's id exactly (`NagPack.isAcknowledged` in its
`lib/nag-pack.ts`; no pattern). A granular rule names each finding by the value it found,
resolved in the resource's stack and flattened by its `flattenCfnReference`
(`lib/utils/flatten-cfn-reference.ts`): `Fn::Join` joined, `Ref` written `<Name>`, ... So an
ARN's finding depends on the stack: `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:`
without an environment, `arn:<AWS::Partition>:lambda:eu-west-1:123456789012:` with one, and
`arn:aws-cn:...` with a known region under `@aws-cdk/core:enablePartitionLiterals`. These
functions ask the stack to resolve the value, as cdk-nag does, and flatten it the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import IConstruct

PACK = "AwsSolutions"


def wildcard_resource_id(scope: IConstruct, resource: str) -> str:
    """The id of the finding `AwsSolutions-IAM5` reports on `resource` in a policy in `scope`."""
    return f"{PACK}-IAM5[Resource::{rendered(scope, resource)}]"


def managed_policy_id(scope: IConstruct, policy: iam.IManagedPolicy) -> str:
    """The id of the finding `AwsSolutions-IAM4` reports on a role in `scope` with `policy`."""
    return f"{PACK}-IAM4[Policy::{rendered(scope, policy.managed_policy_arn)}]"


def rendered(scope: IConstruct, value: str) -> str:
    """`value` as cdk-nag writes it in a finding of a resource in `scope`'s stack."""
    return _flatten(Stack.of(scope).resolve(value))


def _flatten(node: Any) -> str:
    """cdk-nag's `flattenCfnReference`: a string with `${` and `}` as `<` and `>`, ..."""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        for function, flatten in _FUNCTIONS.items():  # in cdk-nag's order
            if node.get(function):
                return flatten(node[function])
    return json.dumps(node, separators=(",", ":"), ensure_ascii=False)


_FUNCTIONS: dict[str, Callable[[Any], str]] = {
    "Fn::Join": lambda args: str(args[0]).join(_flatten(item) for item in args[1]),
    "Fn::Sub": _flatten,
    "Fn::GetAtt": lambda args: f"<{_flatten(args[0])}.{_flatten(args[1])}>",
    "Fn::ImportValue": _flatten,
    "Ref": lambda name: f"<{_flatten(name)}>",
}
