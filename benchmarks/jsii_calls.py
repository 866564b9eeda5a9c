"""Round trips between Python and CDK's Node process (jsii), counted by kind.

Each request jsii's kernel sends to its Node process (create, get, set, invoke, their static
forms, delete, and `sync_complete`, which answers a callback from Node) is one round trip: the bulk
of a Python CDK app's synth time, and a count that does not drift with the machine's load.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jsii

REQUESTS = ("create", "get", "set", "invoke", "sget", "sset", "sinvoke", "delete", "sync_complete")


@contextmanager
def counted() -> Iterator[Counter[str]]:
    """Count the kernel's requests to Node, by kind, while the block runs."""
    provider = jsii.kernel.provider
    counts: Counter[str] = Counter()
    originals = {name: getattr(provider, name) for name in REQUESTS}

    def counting(name: str, send: Callable[..., Any]) -> Callable[..., Any]:
        def send_counted(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return send(*args, **kwargs)

        return send_counted

    for name, send in originals.items():
        setattr(provider, name, counting(name, send))
    try:
        yield counts
    finally:
        for name, send in originals.items():
            setattr(provider, name, send)
