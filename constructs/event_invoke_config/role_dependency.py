"""A function's `DependsOn` without its role, which the function's `Role` already orders.

aws-cdk-lib's `Function` depends on its role construct: the `AWS::IAM::Role` and its
DefaultPolicy. The policy must stay (the function runs only once its permissions exist, and on
delete it goes before them); the role is already ordered by `Role: Fn::GetAtt`, so cfn-lint
reports it (W3005, "dependency already enforced by a 'GetAtt'").
"""

from __future__ import annotations

from typing import cast

import jsii
from aws_cdk import CfnResource, IStableListProducer, Lazy
from aws_cdk import aws_lambda as lambda_


def _cdk_order(resource: CfnResource) -> tuple[str, str]:
    """The order aws-cdk-lib writes `DependsOn` in: by construct path, as JavaScript's
    `localeCompare` sorts them (letters by their lower case first, then lower before upper)."""
    path = resource.node.path
    return path.casefold(), path.swapcase()


@jsii.implements(IStableListProducer)
class _DependsOnWithout:
    """The logical ids `resource` depends on at synth, but `implied`'s."""

    def __init__(self, resource: CfnResource, implied: CfnResource) -> None:
        self._resource = resource
        self._implied = implied.node.path

    def produce(self) -> list[str]:
        kept = [
            dependency
            for dependency in self._resource.obtain_dependencies()
            if isinstance(dependency, CfnResource) and dependency.node.path != self._implied
        ]
        return [dependency.logical_id for dependency in sorted(kept, key=_cdk_order)]


def drop_role_dependency(function: lambda_.Function) -> None:
    """Leave `function`'s role (not its policies) out of its `DependsOn`; an imported role has
    no resource to leave out."""
    role = function.role.node.default_child if function.role is not None else None
    if role is None:
        return
    resource = cast(CfnResource, function.node.default_child)
    depends_on = _DependsOnWithout(resource, cast(CfnResource, role))
    resource.add_override("DependsOn", Lazy.list(depends_on, omit_empty=True))
