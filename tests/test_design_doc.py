"""docs/design.md stays the place the code points to: every pointer to one of its sections
names a section it has, and every timing constant it names is one timing.py defines."""

from __future__ import annotations

import re
from pathlib import Path

from event_invoke_config_provider import timing

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT / "docs" / "design.md"
CODE_FOLDERS = ("constructs", "handler", "offline_cloud", "release")
# `docs/design.md, "Section"` or `docs/design.md, "Section", "Subsection"`, across line breaks.
POINTER = re.compile(r'docs/design\.md,\s+"([^"]+)"(?:,\s+"([^"]+)")?')


def _headings() -> list[str]:
    return [
        line.lstrip("#").strip() for line in DESIGN.read_text().splitlines() if line.startswith("#")
    ]


def _pointers() -> list[tuple[Path, str]]:
    found = []
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = re.sub(r"\s*\n\s*#?\s*", " ", path.read_text())
            for match in POINTER.finditer(text):
                found += [(path, name) for name in match.groups() if name]
    return found


def test_every_pointer_to_the_design_names_one_of_its_sections() -> None:
    headings = _headings()
    pointers = _pointers()

    assert pointers, "the modules point to docs/design.md"
    missing = [
        f"{path.relative_to(ROOT)}: {name!r}"
        for path, name in pointers
        if not any(heading.startswith(name) for heading in headings)
    ]
    assert not missing, f"no such section in docs/design.md: {missing}"


def test_the_timing_contract_names_only_constants_timing_py_defines() -> None:
    section = DESIGN.read_text().split("\n## The timing contract\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"\b[A-Z][A-Z0-9_]*_SECONDS\b", section))

    unknown = sorted(named - set(vars(timing)))

    assert named, "the section names the constants"
    assert not unknown, f"named in docs/design.md, not defined in timing.py: {unknown}"
