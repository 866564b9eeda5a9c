"""The drift report's rows, its table, its JSON and its exit status."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

IN_SYNC, MODIFIED, DELETED, NOT_CHECKED, UNMANAGED = (
    "IN_SYNC",
    "MODIFIED",
    "DELETED",
    "NOT_CHECKED",
    "UNMANAGED",
)
DRIFT = (MODIFIED, DELETED, UNMANAGED)


@dataclass
class Finding:
    """One row of the report: a resource (or an unmanaged config), its status and why."""

    LogicalResourceId: str | None
    PhysicalResourceId: str
    Status: str
    Differences: list[dict[str, Any]] = field(default_factory=list)
    Reason: str | None = None


def exit_status(findings: Sequence[Finding]) -> int:
    """1 on drift; else 2 if any config was not checked; else 0."""
    statuses = {finding.Status for finding in findings}
    if statuses & set(DRIFT):
        return 1
    return 2 if NOT_CHECKED in statuses else 0


def table(findings: Sequence[Finding]) -> str:
    """The human report: one line per finding, then its differences and reason indented."""
    lines = [f"{'STATUS':<12} {'RESOURCE':<32} CONFIG"]
    for f in findings:
        lines.append(f"{f.Status:<12} {f.LogicalResourceId or '-':<32} {f.PhysicalResourceId}")
        for d in f.Differences:
            lines.append(f"{'':13}{d['Property']}: expected {d['Expected']}, actual {d['Actual']}")
        if f.Reason:
            lines.append(f"{'':13}{f.Reason}")
    return "\n".join(lines)


def as_json(findings: Sequence[Finding]) -> str:
    """One object per finding, every key always present."""
    return json.dumps([asdict(f) for f in findings], indent=2, default=str)
