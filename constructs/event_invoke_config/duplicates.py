"""The synth-time check that the app declares at most one config per function and qualifier."""

from __future__ import annotations

import jsii
from aws_cdk import Stack, Stage
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct, IValidation

from .identity import ConfigTarget, of_native


def _home(scope: IConstruct) -> Construct:
    """The Stage that synthesizes `scope` (its stack, in a tree that has no Stage)."""
    stage = Stage.of(scope)
    return stage if stage is not None else Stack.of(scope)


def _path(construct: IConstruct) -> str:
    """A native config by its L2's path, e.g. `Stack/Fn/EventInvokeConfig`."""
    node = construct.node
    return node.scope.node.path if node.id == "Resource" and node.scope else node.path


def _fix(first: IConstruct, second: IConstruct) -> str:
    """How to resolve a collision: remove one, or migrate the native one (README recipe)."""
    if any(isinstance(c, lambda_.CfnEventInvokeConfig) for c in (first, second)):
        return (
            "Remove one. To replace the native config with this construct, keep the config "
            "in Lambda: README, 'Moving from AWS::Lambda::EventInvokeConfig' (retain the "
            "native one, then adopt_existing=True)."
        )
    return "Remove one, or give them different functions or qualifiers."


@jsii.implements(IValidation)
class DuplicateConfigCheck(Construct):
    """Under each Stage with configs: fails its synth when two configs have one target.

    Holds the `LambdaEventInvokeConfig`s declared in its Stage. It compares them with those of
    every other Stage and with every native `AWS::Lambda::EventInvokeConfig` of the app
    (`Function(retry_attempts=...)`, `configure_async_invoke`, `EventInvokeConfig`), found in
    the tree when the Stage synthesizes: the order of declaration does not matter.
    """

    ID = "LambdaEventInvokeConfigCheck"

    @classmethod
    def declare(cls, config: Construct, target: ConfigTarget) -> None:
        """Register `config`, which writes to `target`, with the check of its Stage."""
        home = _home(config)
        check = home.node.try_find_child(cls.ID)
        if not isinstance(check, cls):
            check = cls(home, cls.ID)
        check._declared.append((config, target))

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._declared: list[tuple[IConstruct, ConfigTarget]] = []
        self.node.add_validation(self)

    def validate(self) -> list[str]:
        """One error per config of this Stage whose target another config of the app has."""
        errors = []
        here = self.node.scope.node.path if self.node.scope else ""
        first: dict[tuple[object, object], IConstruct] = {}
        for construct, target in self._all_configs():
            owner = first.setdefault((target.function, target.qualifier), construct)
            homes = (_home(owner).node.path, _home(construct).node.path)
            if owner is not construct and here in homes:
                errors.append(
                    f"{_path(owner)} and {_path(construct)} both configure the asynchronous "
                    f"invocation of {target.describe()}: Lambda keeps one event invoke config "
                    "per function and qualifier, so the two would overwrite each other. "
                    f"{_fix(owner, construct)}"
                )
        return errors

    def _all_configs(self) -> list[tuple[IConstruct, ConfigTarget]]:
        configs: list[tuple[IConstruct, ConfigTarget]] = []
        for construct in self.node.root.node.find_all():
            if isinstance(construct, DuplicateConfigCheck):
                configs.extend(construct._declared)
            elif isinstance(construct, lambda_.CfnEventInvokeConfig):
                configs.append((construct, of_native(construct)))
        return configs
