"""The values a stack deployed, resolved from its processed template as CloudFormation did.

Only what follows from the stack's own reads is resolved (literals, `Ref`, ARN `Fn::GetAtt`s,
`Fn::Join`/`Fn::Sub` of those); anything else is `UNKNOWN`, never guessed. Each type's return
values and their AWS references: docs/design.md, "Drift".
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from typing import Any

from event_invoke_config_provider.function_ref import Environment, parse_function


class Unknown:
    """A value the report cannot know without the deploy's own data."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()
# A `Ref` to AWS::NoValue: the property is left out.
ABSENT = None
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class StackFacts:
    """What the report read about the stack: its ARN, parameter values, resources' physical ids."""

    stack_id: str  # arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    parameters: dict[str, str]
    resources: dict[str, tuple[str, str]]  # logical id -> (type, physical id)

    @property
    def partition(self) -> str:
        return self.stack_id.split(":")[1]

    @property
    def region(self) -> str:
        return self.stack_id.split(":")[3]

    @property
    def account(self) -> str:
        return self.stack_id.split(":")[4]

    def pseudo(self, name: str) -> Any:
        """A pseudo parameter's value, or UNKNOWN."""
        values = {
            "AWS::Partition": self.partition,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::StackId": self.stack_id,
            "AWS::StackName": self.stack_id.split(":")[5].split("/")[1],
            "AWS::NoValue": ABSENT,
        }
        return values.get(name, UNKNOWN)

    def arn_of(self, logical_id: str, attribute: str) -> Any:
        """`Fn::GetAtt` of an ARN the resource's physical id determines, else UNKNOWN."""
        kind, physical_id = self.resources.get(logical_id, ("", ""))
        head = f"arn:{self.partition}"
        if (kind, attribute) == ("AWS::SQS::Queue", "Arn"):
            account, name = physical_id.rstrip("/").split("/")[-2:]
            return f"{head}:sqs:{self.region}:{account}:{name}"
        if (kind, attribute) == ("AWS::SNS::Topic", "TopicArn"):
            return physical_id
        if (kind, attribute) == ("AWS::Lambda::Function", "Arn"):
            return f"{head}:lambda:{self.region}:{self.account}:function:{physical_id}"
        if (kind, attribute) == ("AWS::Events::EventBus", "Arn"):
            return f"{head}:events:{self.region}:{self.account}:event-bus/{physical_id}"
        if (kind, attribute) == ("AWS::S3::Bucket", "Arn"):
            return f"{head}:s3:::{physical_id}"
        return UNKNOWN

    def native_config(self, properties: dict[str, Any]) -> str | None:
        """The physical id of the config an `AWS::Lambda::EventInvokeConfig` manages (its
        `FunctionName` and `Qualifier`), or None if they do not resolve."""
        name, qualifier = (
            self.resolve(properties.get("FunctionName")),
            self.resolve(properties.get("Qualifier")),
        )
        ref = parse_function(name) if isinstance(name, str) else None
        if ref is None or not isinstance(qualifier, str) or ref.qualifier not in (None, qualifier):
            return None
        environment = Environment(self.partition, self.region, self.account)
        return ref.with_qualifier(qualifier).config_id(environment).physical_id

    def ref(self, name: str) -> Any:
        """`Ref`: a parameter's value, a pseudo parameter, a resource's physical id."""
        if name in self.parameters:
            return self.parameters[name]
        if name.startswith("AWS::"):
            return self.pseudo(name)
        return self.resources[name][1] if name in self.resources else UNKNOWN

    def resolve(self, value: Any) -> Any:
        """The value CloudFormation gave `value`, or UNKNOWN."""
        if isinstance(value, dict) and len(value) == 1:
            [(function, argument)] = value.items()
            if function == "Ref" or function.startswith("Fn::"):
                return self._intrinsic(function, argument)
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def _intrinsic(self, function: str, argument: Any) -> Any:
        if function == "Ref" and isinstance(argument, str):
            return self.ref(argument)
        if function == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            return self.arn_of(*parts) if len(parts) == 2 else UNKNOWN
        if function == "Fn::Join":
            return self._join(argument)
        if function == "Fn::Sub" and isinstance(argument, str):
            return self._sub(argument)
        return UNKNOWN

    def _join(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return UNKNOWN
        delimiter, items = argument[0], self.resolve(argument[1])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return UNKNOWN
        return str(delimiter).join(items)

    def _sub(self, text: str) -> Any:
        pieces: list[str] = []
        position = 0
        for found in _SUB.finditer(text):
            name = found.group(1)
            logical_id, _, attribute = name.partition(".")
            value = self.arn_of(logical_id, attribute) if attribute else self.ref(name)
            if not isinstance(value, str):
                return UNKNOWN
            pieces += [text[position : found.start()], value]
            position = found.end()
        return "".join([*pieces, text[position:]]).replace("${!", "${")


def template_of(body: Any) -> dict[str, Any]:
    """GetTemplate's `TemplateBody` as a dict. botocore parses a JSON body; a YAML one (a
    template without transforms comes back as written: "GetTemplate", TemplateStage) needs
    PyYAML, with CloudFormation's short forms (`!Ref X` is `{"Ref": "X"}`, `!Sub` is
    `{"Fn::Sub": ...}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`)."""
    if isinstance(body, dict):
        return body
    try:
        parsed: dict[str, Any] = json.loads(body)
        return parsed
    except ValueError:
        pass
    try:
        yaml: Any = importlib.import_module("yaml")  # only a YAML template needs it
    except ImportError as error:
        raise ValueError("the stack's template is YAML: install PyYAML to read it") from error

    loader_class: Any = type("CloudFormationLoader", (yaml.SafeLoader,), {})

    def short_form(loader: Any, suffix: str, node: Any) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}

    loader_class.add_multi_constructor("!", short_form)
    loaded: dict[str, Any] = yaml.load(body, Loader=loader_class)
    return loaded
