"""The synth-time check that the app declares at most one config per function and qualifier."""

from __future__ import annotations

from weakref import WeakKeyDictionary

import jsii
from aws_cdk import Stack, Stage
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct, IValidation

from .facts import stack_facts
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
        facts = stack_facts(config)
        check = _CHECKS.get(facts.home)
        if check is None:
            found = facts.home.node.try_find_child(cls.ID)
            check = found if isinstance(found, cls) else cls(facts.home, cls.ID)
            _CHECKS[facts.home] = check
        check._declared.append((config, target))

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._declared: list[tuple[IConstruct, ConfigTarget]] = []
        self.node.add_validation(self)

    def validate(self) -> list[str]:
        """One error per config of this Stage whose target another config of the app has."""
        errors = []
        here = self.node.scope.node.path if self.node.scope else ""
        first: dict[tuple[object, object], tuple[IConstruct, str]] = {}
        for construct, target, home in self._all_configs():
            owner, owner_home = first.setdefault(
                (target.function, target.qualifier), (construct, home)
            )
            if owner is not construct and here in (owner_home, home):
                errors.append(
                    f"{_path(owner)} and {_path(construct)} both configure the asynchronous "
                    f"invocation of {target.describe()}: Lambda keeps one event invoke config "
                    "per function and qualifier, so the two would overwrite each other. "
                    f"{_fix(owner, construct)}"
                )
        return errors

    def _all_configs(self) -> list[tuple[IConstruct, ConfigTarget, str]]:
        """Every config of the app, with the path of the Stage that synthesizes it."""
        configs: list[tuple[IConstruct, ConfigTarget, str]] = []
        for construct in self.node.root.node.find_all():
            if isinstance(construct, DuplicateConfigCheck):
                home = construct.node.scope.node.path if construct.node.scope else ""
                configs.extend((config, target, home) for config, target in construct._declared)
            elif isinstance(construct, lambda_.CfnEventInvokeConfig):
                configs.append((construct, of_native(construct), _home(construct).node.path))
        return configs


# The check of each Stage (or stack without one), found without a read of the construct tree.
_CHECKS: WeakKeyDictionary[Construct, DuplicateConfigCheck] = WeakKeyDictionary()
