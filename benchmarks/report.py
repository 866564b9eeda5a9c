"""docs/benchmarks.md: `make bench` writes it whole; some sections are also written on their own."""

from __future__ import annotations

from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def section_of(report: str, heading: str) -> str:
    """The section `heading` (a `## ` line) as `report` has it, up to the next one; or nothing."""
    start = report.find(f"\n{heading}\n")
    if start < 0:
        return ""
    end = report.find("\n## ", start + 1)
    return report[start + 1 : end if end >= 0 else len(report)]


def write_section(text: str) -> None:
    """Put `text`, a section from its heading on, in place of that section, or at the end."""
    report = REPORT.read_text()
    old = section_of(report, text.split("\n", 1)[0])
    REPORT.write_text(report.replace(old, text) if old else f"{report.rstrip()}\n\n{text}")


def publish(text: str) -> None:
    """Write `text`, a section, into the report (`write_section`) and print it."""
    write_section(text)
    print(text)
