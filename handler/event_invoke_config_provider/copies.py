"""Copies of configs taken over, kept in SSM Parameter Store so that a rollback can put them back.

Saved before a resource writes over a config it did not hold, under `ADOPTED_PARAMETER_PATH` +
function + qualifier; written back by a Delete that undoes that resource, removed by any other
Delete of the config. docs/design.md, "Ownership: who holds a config".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .function_ref import ConfigId
from .properties import ADOPTED_PARAMETER_PATH


@dataclass(frozen=True)
class Copy:
    """A config's settings before a resource took it over, and who took it."""

    stack_id: str
    logical_id: str
    settings: dict[str, Any]


def parameter_name(config: ConfigId) -> str:
    """The parameter of `config`'s copy. `$` is not allowed in a name: `$LATEST` is `.LATEST`
    (no alias or version contains a dot, so no two qualifiers share a name)."""
    return f"{ADOPTED_PARAMETER_PATH}{config.name}/{config.qualifier.replace('$', '.')}"


def save(client: Any, config: ConfigId, copy: Copy) -> None:
    """Keep `copy` of `config`, replacing an older one."""
    value = {"StackId": copy.stack_id, "LogicalResourceId": copy.logical_id, **copy.settings}
    client.put_parameter(
        Name=parameter_name(config), Value=json.dumps(value), Type="String", Overwrite=True
    )


def load(client: Any, config: ConfigId) -> Copy | None:
    """The copy kept of `config`, if any."""
    try:
        found = client.get_parameter(Name=parameter_name(config))
    except client.exceptions.ParameterNotFound:
        return None
    value = json.loads(found["Parameter"]["Value"])
    return Copy(value.pop("StackId"), value.pop("LogicalResourceId"), value)


def forget(client: Any, config: ConfigId) -> None:
    """Remove the copy of `config`; none is fine."""
    try:
        client.delete_parameter(Name=parameter_name(config))
    except client.exceptions.ParameterNotFound:
        return
