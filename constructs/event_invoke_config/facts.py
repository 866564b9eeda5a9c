"""What every config reads of its stack, read once per stack.

Each read of a CDK object is a round trip to jsii's node process, the bulk of synth time. A
stack's account, region and Stage are fixed once it exists, so the configs of a stack share
one reading of them (docs/benchmarks.md). The caches hold Python objects: a construct created
in Python keeps its object, one created by aws-cdk-lib comes as a new proxy at each read and is
read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from aws_cdk import Stack, Stage
from constructs import Construct, IConstruct


@dataclass(frozen=True)
class StackFacts:
    """A stack, its account and region (tokens when unknown at synth), and its home: the
    Stage that synthesizes it (the stack itself in a tree without a Stage) and that home's path.
    """

    stack: Stack
    account: str
    region: str
    home: Construct
    home_path: str


# By stack, and by each construct already asked about.
_FACTS: WeakKeyDictionary[IConstruct, StackFacts] = WeakKeyDictionary()


def stack_facts(scope: IConstruct) -> StackFacts:
    """The facts of `scope`'s stack."""
    facts = _FACTS.get(scope)
    if facts is None:
        stack = Stack.of(scope)
        facts = _FACTS.get(stack) or _read(stack)
        _FACTS[stack] = _FACTS[scope] = facts
    return facts


def share_stack_facts(child: IConstruct, parent: IConstruct) -> None:
    """Let `child`, just created in `parent`, find its stack's facts without a read."""
    _FACTS[child] = stack_facts(parent)


def _read(stack: Stack) -> StackFacts:
    stage = Stage.of(stack)
    home = stage if stage is not None else stack
    return StackFacts(stack, stack.account, stack.region, home, home.node.path)
