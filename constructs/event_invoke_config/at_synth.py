"""Work left to synth time: a value produced when CDK resolves it, an action run once at synth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsii
from aws_cdk import AspectPriority, Aspects, IAnyProducer, IAspect, IResolveContext
from constructs import IConstruct


@jsii.implements(IAnyProducer)
class AtSynth:
    """A value produced when CDK resolves it, so it holds all that was done until then."""

    def __init__(self, produce: Callable[[], Any]) -> None:
        self._produce = produce

    def produce(self, context: IResolveContext) -> Any:
        return self._produce()


@jsii.implements(IAspect)
class _OnSynth:
    def __init__(self, construct: IConstruct, action: Callable[[], None]) -> None:
        self._construct = construct
        self._action = action

    def visit(self, node: IConstruct) -> None:
        if node is self._construct:
            self._action()


def on_synth(construct: IConstruct, action: Callable[[], None]) -> None:
    """Run `action` once when the app synthesizes, as an aspect visiting `construct`.

    Aspects run at every synth (validation can be skipped, they cannot), before CDK prepares
    the app and writes its templates; one on `construct` runs after those on the constructs
    the tree visits earlier.
    """
    Aspects.of(construct).add(_OnSynth(construct, action), priority=AspectPriority.MUTATING)
