"""The README's "Security" section names options and parameters that exist, and its example
policy denies what it says it denies."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re

from event_invoke_config.provider_options import ProviderOptions
from offline_cloud.template import load_yaml_template
from tests.support import ROOT

SECTION = (ROOT / "README.md").read_text().split("\n## Security\n", 1)[1].split("\n## ", 1)[0]


def hardening_rows() -> list[list[str]]:
    table = SECTION.split("### Hardening options", 1)[1].split("\n\n", 2)[1]
    rows = [line.strip("|").split("|") for line in table.splitlines()]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def test_every_hardening_option_is_a_provider_option_or_a_template_parameter() -> None:
    options = {field.name for field in dataclasses.fields(ProviderOptions)}
    parameters = set(load_yaml_template(ROOT / "release" / "provider.yaml")["Parameters"])
    rows = hardening_rows()
    assert len(rows) >= 5
    for _what, cdk, release in rows:
        for name in re.findall(r"`(\w+)`", cdk):
            assert name in options, f"CDK option {name}"
        # a parenthesis holds the parameter's default, not a name
        for name in re.findall(r"`(\w+)`", release.split("(")[0]):
            assert name in parameters, f"release parameter {name}"


def test_the_example_policy_spares_the_deploy_role_and_denies_anyone_else() -> None:
    [block] = re.findall(r"```json\n(.*?)```", SECTION, re.S)
    statement = json.loads(block)
    # CloudFormation names the release stack's function STACK-Function-SUFFIX
    function = "arn:aws:lambda:eu-west-1:111122223333:function:LambdaEventInvokeConfig-Function-Ab1"
    spared = statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]

    def denied(principal: str) -> bool:
        return fnmatch.fnmatchcase(function, statement["Resource"]) and not any(
            fnmatch.fnmatchcase(principal, pattern) for pattern in spared
        )

    assert (statement["Effect"], statement["Action"]) == ("Deny", "lambda:InvokeFunction")
    assert not denied("arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333")
    assert denied("arn:aws:iam::111122223333:role/developer")
