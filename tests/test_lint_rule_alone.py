"""The cfn-lint rule as `make release` ships it, in a venv that holds cfn-lint and nothing else."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import make_release
from event_invoke_config_provider.properties import InvalidPropertyError, parse_properties
from tests.support import ROOT
from tests.venvs import new_venv, outside_environment, pinned

pytestmark = pytest.mark.slow

CONSUMER = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Config:
    Type: Custom::LambdaEventInvokeConfig
    Properties:
      ServiceToken: "{{resolve:ssm:/lambda-event-invoke-config/service-token}}"
      ServiceTimeout: 300
      FunctionName: orders
      MaximumRetryAttempts: %(retries)d
      MaximumEventAgeInSeconds: 3600
"""


def provider_says(properties: dict[str, object]) -> str:
    """The provider's reason for refusing `properties`, from its own check in this process."""
    with pytest.raises(InvalidPropertyError) as refused:
        parse_properties({"FunctionName": "orders", **properties})
    return str(refused.value)


def test_the_shipped_rule_works_where_only_cfn_lint_is_installed(
    dist: Path, tmp_path: Path
) -> None:
    # GIVEN `make release`'s dist/ (the rule beside the provider zip) and a venv of cfn-lint alone
    rules = dist / make_release.RULES.name
    assert (dist / make_release.ZIP_NAME).is_file() and list(rules.glob("*.py"))
    cfn_lint = pinned(ROOT / "requirements-dev.txt", "cfn-lint")
    python, pip = new_venv(tmp_path / "venv", cfn_lint)
    assert pip.returncode == 0, pip.stderr
    no_botocore = subprocess.run(
        [str(python), "-c", "import botocore"], capture_output=True, text=True, check=False
    )
    assert "No module named 'botocore'" in no_botocore.stderr

    def lint(retries: int) -> subprocess.CompletedProcess[str]:
        template = tmp_path / f"retries-{retries}.yaml"
        template.write_text(CONSUMER % {"retries": retries})
        return subprocess.run(
            [str(python.parent / "cfn-lint"), template.name, "--append-rules", str(rules)],
            cwd=tmp_path,
            env=outside_environment(),
            capture_output=True,
            text=True,
            check=False,
        )

    # WHEN it lints a good template and a bad one
    good, bad = lint(1), lint(5)
    # THEN the good one passes clean
    assert good.returncode == 0, good.stdout + good.stderr[-1000:]
    assert good.stdout == good.stderr == ""
    # and the bad one fails with the provider's own words, and only with them
    assert bad.returncode != 0, bad.stdout + bad.stderr
    [finding] = [line for line in bad.stdout.splitlines() if line.startswith(("E", "W"))]
    assert finding.startswith("E9101 ")
    assert finding.endswith(f"Config: {provider_says({'MaximumRetryAttempts': 5})}")
