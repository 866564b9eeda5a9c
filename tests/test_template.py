"""The engine's dependency order rests on the same edges as cfn-lint's template graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.graph import Graph
from cfnlint.template import Template as LintTemplate

from offline_cloud.template import (
    Parameters,
    Template,
    dependencies,
    dependency_order,
    load_template,
    load_yaml_template,
)
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "async-config.yaml"
RELEASE = ROOT / "release" / "provider.yaml"
# The release template's required parameters, as a plain-CloudFormation user gives them.
RELEASE_PARAMETERS: Parameters = {"FunctionNames": "orders", "CodeS3Bucket": "code"}
CONDITIONAL: Template = {
    "Parameters": {"Live": {"Type": "String", "Default": "no"}},
    "Conditions": {"IsLive": {"Fn::Equals": [{"Ref": "Live"}, "yes"]}},
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Condition": "IsLive"},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Config": {
            "Type": "Custom::LambdaEventInvokeConfig",
            "Properties": {
                "OnFailure": {"Fn::If": ["IsLive", {"Fn::GetAtt": ["Queue", "Arn"]}, "none"]},
                "OnSuccess": {"Fn::Sub": "${Topic.TopicName}"},
            },
        },
    },
}


def lint_edges(template: Template, path: Path) -> dict[str, set[str]]:
    """Each resource and the resources cfn-lint's graph has it depend on."""
    graph = Graph(LintTemplate(str(path), template, ["us-east-1"])).graph
    names = set(template["Resources"])
    return {
        name: {target for _, target in graph.out_edges(name) if target in names} for name in names
    }


def our_edges(template: Template, parameters: Parameters | None = None) -> dict[str, set[str]]:
    """Each resource and the ones it waits for, as the engine orders them."""
    return {
        name: dependencies(template, name, parameters)
        for name in dependency_order(template, parameters)
    }


def assert_same_edges(path: Path, template: Template, parameters: Parameters | None) -> None:
    ours = our_edges(template, parameters)

    assert sum(map(len, ours.values())) > 0, "a template with dependencies"
    assert ours == {name: lint_edges(template, path)[name] for name in ours}


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["EventInvokeConfigDemo", "EventInvokeConfigProvider"])
def test_a_synthesized_stack_has_the_edges_cfn_lint_finds(cdk_out: Path, stack: str) -> None:
    assert_same_edges(cdk_out / f"{stack}.template.json", load_template(cdk_out, stack), None)


@pytest.mark.parametrize(("path", "parameters"), [(EXAMPLE, None), (RELEASE, RELEASE_PARAMETERS)])
def test_a_plain_template_has_the_edges_cfn_lint_finds(
    path: Path, parameters: Parameters | None
) -> None:
    assert_same_edges(path, load_yaml_template(path), parameters)


def test_a_resource_whose_condition_is_false_is_no_dependency_unlike_in_the_lint_graph() -> None:
    path = Path("conditional.json")

    assert lint_edges(CONDITIONAL, path)["Config"] == {"Queue", "Topic"}
    assert our_edges(CONDITIONAL) == {"Topic": set(), "Config": {"Topic"}}
    assert our_edges(CONDITIONAL, {"Live": "yes"})["Config"] == {"Queue", "Topic"}
