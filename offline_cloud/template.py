"""Read a CloudFormation template: load it, resolve its intrinsic functions, order its resources.

Dependencies from `DependsOn`, `Ref`, `Fn::GetAtt` and `Fn::Sub`; parameters (SSM types resolved
at every operation) and conditions as CloudFormation evaluates them. Why the order is computed
here rather than by cfn-lint's graph: docs/design.md, "The offline cloud", "Templates".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

from .fake_aws import ACCOUNT, PARTITION, REGION

PSEUDO_PARAMETERS = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NoValue": None,
}
SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<"
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
Template = dict[str, Any]
Parameters = dict[str, Any]
# What a resolved `Ref` or `Fn::GetAtt` looks up: (logical id, attribute or "Ref") -> value.
Lookup = Callable[[str, str], Any]


def load_template(cdk_out: Path, stack: str) -> Template:
    """The synthesized template of `stack`."""
    template: Template = json.loads((cdk_out / f"{stack}.template.json").read_text())
    return template


def load_yaml_template(path: Path) -> Template:
    """A plain CloudFormation YAML template, short-form intrinsics (`!Ref`) made long-form."""
    template: Template = cfn_yaml.load(str(path))
    return template


def parameter_values(
    template: Template,
    given: Parameters | None = None,
    ssm: Callable[[str], str] | None = None,
) -> Parameters:
    """Each parameter's value: the one given, else its Default; a list for a list type.

    `ssm` reads a Systems Manager parameter: given, an SSM parameter type takes its value.
    """
    values: Parameters = {}
    for name, declared in template.get("Parameters", {}).items():
        value = (given or {}).get(name, declared.get("Default"))
        if value is None:
            raise ValueError(f"Parameters: [{name}] must have values")
        if ssm is not None and declared.get("Type", "").startswith(SSM_PARAMETER_TYPE):
            value = ssm(value)
        if declared.get("Type", "").startswith(("CommaDelimitedList", "List<")):
            value = value.split(",") if isinstance(value, str) else list(value)
        values[name] = value
    return values


def conditions(template: Template, parameters: Parameters) -> dict[str, bool]:
    """Each condition of the template, decided for `parameters`."""
    declared: dict[str, Any] = template.get("Conditions", {})
    decided: dict[str, bool] = {}
    resolve = Resolver("", "", template, no_lookup, {}, parameters=parameters, decided=decided)

    def decide(name: str) -> bool:
        if name not in decided:
            decided[name] = bool(resolve.condition(declared[name], decide))
        return decided[name]

    for name in declared:
        decide(name)
    return decided


def no_lookup(logical_id: str, _attribute: str) -> Any:
    """A lookup for where no resource may be referred to (conditions)."""
    raise ValueError(f"a condition cannot refer to the resource {logical_id}")


def resources(
    template: Template, parameters: Parameters | None = None
) -> dict[str, dict[str, Any]]:
    """The template's resources that exist: without a `Condition`, or with a true one."""
    declared: dict[str, dict[str, Any]] = template.get("Resources", {})
    decided = conditions(template, parameter_values(template, parameters))
    return {
        name: body
        for name, body in declared.items()
        if "Condition" not in body or decided[body["Condition"]]
    }


def _references(value: Any) -> Iterator[str]:
    """The logical ids (and parameter names) `value` refers to."""
    if isinstance(value, list):
        for item in value:
            yield from _references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref":
                yield argument
            elif key == "Fn::GetAtt":
                yield argument[0] if isinstance(argument, list) else argument.split(".")[0]
            elif key == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                for name in _SUB_VARIABLE.findall(text):
                    if name.split(".")[0] not in variables:
                        yield name.split(".")[0]
                yield from _references(variables)
            else:
                yield from _references(argument)


def _needs(body: dict[str, Any], existing: dict[str, Any]) -> set[str]:
    """The resources of `existing` that a resource's `body` names: DependsOn and references."""
    depends_on = body.get("DependsOn", [])
    named = {depends_on} if isinstance(depends_on, str) else set(depends_on)
    named.update(_references(body.get("Properties", {})))
    return {name for name in named if name in existing}


def dependencies(
    template: Template, logical_id: str, parameters: Parameters | None = None
) -> set[str]:
    """The resources `logical_id` must wait for: DependsOn and every reference."""
    existing = resources(template, parameters)
    return _needs(existing[logical_id], existing)


def dependency_map(template: Template, parameters: Parameters | None = None) -> dict[str, set[str]]:
    """Each resource and the resources it must wait for, the template read once."""
    existing = resources(template, parameters)
    return {logical_id: _needs(body, existing) for logical_id, body in existing.items()}


def dependency_order(template: Template, parameters: Parameters | None = None) -> list[str]:
    """Every resource after the ones it depends on; otherwise in template order."""
    existing = resources(template, parameters)
    needs = dependency_map(template, parameters)
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in ordered:
            return
        if logical_id in visiting:
            raise ValueError(f"circular dependency through {logical_id}")
        visiting.add(logical_id)
        for dependency in sorted(needs[logical_id], key=list(existing).index):
            visit(dependency)
        ordered.append(logical_id)

    for logical_id in existing:
        visit(logical_id)
    return ordered


class Resolver:
    """Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub, Fn::ImportValue and
    Fn::If, for the given parameter values (else the Defaults)."""

    def __init__(
        self,
        stack_name: str,
        stack_id: str,
        template: Template,
        lookup: Lookup,
        exports: Any,
        *,
        parameters: Parameters | None = None,
        decided: dict[str, bool] | None = None,
        region: str = REGION,
    ) -> None:
        self._pseudo = {
            **PSEUDO_PARAMETERS,
            "AWS::Region": region,
            "AWS::StackName": stack_name,
            "AWS::StackId": stack_id,
        }
        self._parameters = parameter_values(template, parameters)
        self._lookup = lookup
        self._exports = exports
        self._decided = conditions(template, self._parameters) if decided is None else decided

    def __call__(self, value: Any) -> Any:
        """`value` with every intrinsic function done; `AWS::NoValue` removes its key."""
        if isinstance(value, list):
            return [item for item in map(self, value) if item is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key in self._functions():
                return self._functions()[key](argument)
        resolved = {key: self(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not None}

    def exists(self, body: dict[str, Any]) -> bool:
        """Whether a resource or output exists: no `Condition`, or a true one."""
        return "Condition" not in body or self._decided[body["Condition"]]

    def condition(self, value: Any, decide: Callable[[str], bool]) -> Any:
        """A condition function's value; `decide` gives a named condition's."""
        if isinstance(value, dict) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Condition":
                return decide(argument)
            if key == "Fn::Equals":
                left, right = (self.condition(item, decide) for item in argument)
                return str(left) == str(right)
            if key == "Fn::And":
                return all(self.condition(item, decide) for item in argument)
            if key == "Fn::Or":
                return any(self.condition(item, decide) for item in argument)
            if key == "Fn::Not":
                return not self.condition(argument[0], decide)
        return self(value)

    def _functions(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self.ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Join": lambda arg: arg[0].join(str(part) for part in self(arg[1])),
            "Fn::Select": lambda arg: self(arg[1])[int(self(arg[0]))],
            "Fn::Split": lambda arg: str(self(arg[1])).split(arg[0]),
            "Fn::Sub": self._sub,
            "Fn::ImportValue": lambda arg: self._exports[self(arg)],
            "Fn::If": lambda arg: self(arg[1] if self._decided[arg[0]] else arg[2]),
        }

    def ref(self, name: str) -> Any:
        """A pseudo parameter, a parameter's value, or a resource's `Ref` value."""
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        return self._lookup(name, "Ref")

    def _get_att(self, argument: Any) -> Any:
        name, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
        return self._lookup(name, attribute)

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: self(value) for name, value in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            resource, _, attribute = name.partition(".")
            return str(self._lookup(resource, attribute) if attribute else self.ref(name))

        return _SUB_VARIABLE.sub(substitute, text)
