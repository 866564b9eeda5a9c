"""The real cfn-lint CLI, strict: every rule, informational ones included, and no config file."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from tests.support import which


def strict_cfn_lint(templates: Iterable[Path], *options: str) -> subprocess.CompletedProcess[str]:
    """cfn-lint over `templates` with errors, warnings and informational findings, run where no
    `.cfnlintrc` (in the working folder or the home folder) can ignore a rule."""
    paths = [str(Path(template).resolve()) for template in templates]
    assert paths, "no template to lint"
    with tempfile.TemporaryDirectory() as nowhere:
        return subprocess.run(
            [which("cfn-lint"), "--include-checks", "I", *options, "--", *paths],
            cwd=nowhere,
            env={**os.environ, "HOME": nowhere},
            capture_output=True,
            text=True,
            check=False,
        )


def assert_lint_clean(templates: Iterable[Path]) -> None:
    """No finding at all in `templates`: no error, no warning, nothing informational."""
    lint = strict_cfn_lint(templates)
    findings = lint.stdout + lint.stderr
    assert lint.returncode == 0 and findings == "", findings
