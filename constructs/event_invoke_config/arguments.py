"""Type checks of the construct's arguments, with the `TypeError` jsii constructs raise.

jsii checks a class argument with `isinstance`; it lets any object through where an interface
(`IFunction`, `IDestination`) is expected, because those are `typing.Protocol` classes that are
not runtime-checkable. Here an object implements an interface when it has the interface's
methods, which every jsii class, jsii proxy and `@jsii.implements` class that implements it has.
A number is `(int, float)`, as jsii's `jsii.Number`, but never a bool; whether it must be whole
is a value check. An optional argument also accepts None, and its message lists `NoneType`.
"""

from __future__ import annotations

from typing import Any, Protocol

# An argument's accepted types: classes (checked with isinstance) and jsii interfaces.
Expected = tuple[type[Any], ...]


def _methods(interface: type[Any]) -> list[str]:
    """The public methods `interface` itself declares."""
    return [
        name
        for name, member in vars(interface).items()
        if callable(member) and not name.startswith("_")
    ]


def _is_interface(kind: type[Any]) -> bool:
    return Protocol in kind.__mro__


def _matches(value: object, kind: type[Any]) -> bool:
    if _is_interface(kind):
        return all(callable(getattr(value, name, None)) for name in _methods(kind))
    if kind is int:  # jsii's kernel refuses a bool where a number is expected
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _type_name(kind: type[Any]) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def check_type(name: str, value: object, expected: Expected, *, optional: bool = False) -> None:
    """Raise `TypeError` unless `value` is one of `expected` (or None, when `optional`)."""
    if (optional and value is None) or any(_matches(value, kind) for kind in expected):
        return
    kinds = [*expected, type(None)] if optional else list(expected)
    names = ", ".join(_type_name(kind) for kind in kinds)
    wanted = names if len(kinds) == 1 else f"one of ({names})"
    raise TypeError(
        f"type of argument {name} must be {wanted}; got {_type_name(type(value))} instead"
    )
