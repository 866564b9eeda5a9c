"""CloudFormation's API for an operator's AWS CLI, on 127.0.0.1: stacks made and updated by
change sets (what `aws cloudformation deploy` calls), and stack sets (stack_sets.py).

Serves the engine in the query protocol (query_protocol.py), each request to the engine of the
region it is signed for. Why not moto's CloudFormation, the calls modelled and what is not:
docs/design.md, "The offline cloud", "The operator's AWS CLI".
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from .engine import CloudFormation
from .fake_aws import ACCOUNT, REGION
from .native_resources import NativeResources
from .physical_resources import Created
from .query_protocol import QueryError, QueryServer, answer, error, region_of
from .stack_requests import as_strings, check_capabilities, load_body, parameter_values
from .stack_sets import Organization, StackSets
from .stack_state import Stack, not_updatable, now
from .template import Template
from .template import parameter_values as effective_values

# The statuses in which a stack has every resource of its template, and so its outputs.
WITH_OUTPUTS = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")
NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create "
    "a change set."
)


def _no_custom_resources(_stack: Stack, _event: dict[str, Any]) -> Created:
    raise QueryError("ValidationError", "custom resources are not served by this endpoint")


@dataclass
class ChangeSet:
    """A change set: the operation it would run, and its statuses."""

    change_set_id: str
    name: str
    stack_name: str
    kind: str  # CREATE or UPDATE
    template: Template
    parameters: dict[str, str]
    capabilities: list[str]
    region: str
    status: str = "CREATE_COMPLETE"
    execution_status: str = "AVAILABLE"
    status_reason: str | None = None
    created_at: Any = field(default_factory=now)


class CloudFormationApi:
    """The endpoint: `with CloudFormationApi(moto_endpoint, organization) as url:`."""

    def __init__(self, moto_endpoint: str, organization: Organization | None = None) -> None:
        """`organization`: organizational unit id -> its accounts, for stack sets."""
        self._moto_endpoint = moto_endpoint
        self._engines: dict[str, CloudFormation] = {}
        self.change_sets: list[ChangeSet] = []
        self.stack_sets = StackSets(self.engine, organization or {})
        self.requests: list[dict[str, Any]] = []  # every request, parsed, in arrival order
        self._lock = threading.Lock()  # one request at a time, as one operation runs to its end
        self._server = QueryServer(self.handle)

    def __enter__(self) -> str:
        return self._server.__enter__()

    def __exit__(self, *_exc: object) -> None:
        self._server.__exit__()

    def engine(self, region: str) -> CloudFormation:
        """The stacks of `region` (made on first use)."""
        if region not in self._engines:
            native = NativeResources(self._moto_endpoint, region)
            self._engines[region] = CloudFormation(native, _no_custom_resources)
        return self._engines[region]

    def handle(self, request: dict[str, Any], authorization: str | None) -> tuple[int, str]:
        """The HTTP status and XML answer to one request (its region: the one it is signed for)."""
        region = region_of(authorization, REGION)
        action = str(request.get("Action"))
        stack_actions = {
            "DescribeStacks": self._describe_stacks,
            "GetTemplateSummary": self._get_template_summary,
            "CreateChangeSet": self._create_change_set,
            "DescribeChangeSet": self._describe_change_set,
            "ExecuteChangeSet": self._execute_change_set,
            "ContinueUpdateRollback": self._continue_update_rollback,
        }
        with self._lock:
            self.requests.append(request)
            try:
                if action in stack_actions:
                    return 200, answer(action, stack_actions[action](request, region))
                return 200, answer(action, self.stack_sets.handle(action, request, region))
            except QueryError as failure:
                return failure.status, error(str(failure), failure.code)
            except ValueError as failure:  # the engine refuses the operation
                return 400, error(str(failure))

    # --- stacks ---------------------------------------------------------------------------

    def _stack(self, name: str, region: str) -> Stack:
        stack = self.engine(region).find(name)
        if stack is None:
            raise QueryError("ValidationError", f"Stack with id {name} does not exist")
        return stack

    def _describe_stacks(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        engine = self.engine(region)
        if "StackName" in request:
            stacks = [self._stack(request["StackName"], region)]
        else:
            stacks = [s for s in engine.stacks if s.status != "DELETE_COMPLETE"]
        described = []
        for stack in stacks:
            outputs = engine.outputs(stack) if stack.status in WITH_OUTPUTS else []
            described.append(
                {
                    "StackId": stack.stack_id,
                    "StackName": stack.name,
                    "CreationTime": stack.created_at.isoformat(),
                    "StackStatus": stack.status,
                    "Parameters": _parameters(as_strings(stack.parameters)),
                    "Outputs": [
                        {
                            "OutputKey": output.key,
                            "OutputValue": output.value,
                            "Description": output.description,
                            "ExportName": output.export_name,
                        }
                        for output in outputs
                    ],
                }
            )
        return {"Stacks": described}

    def _get_template_summary(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        if "StackName" in request:
            template = self._stack(request["StackName"], region).template
        else:
            template = load_body(request["TemplateBody"])
        declared = template.get("Parameters", {}).items()
        return {
            "Parameters": [
                {
                    "ParameterKey": key,
                    "DefaultValue": body.get("Default"),
                    "ParameterType": body.get("Type"),
                    "NoEcho": bool(body.get("NoEcho", False)),
                    "Description": body.get("Description"),
                }
                for key, body in declared
            ]
        }

    # --- change sets --------------------------------------------------------------------------

    def _create_change_set(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        name, kind = request["StackName"], request.get("ChangeSetType", "UPDATE")
        existing = self.engine(region).find(name)
        if kind == "CREATE" and existing is not None:
            raise QueryError("AlreadyExistsException", f"Stack [{name}] already exists")
        if "TemplateBody" not in request:
            raise QueryError("ValidationError", "only TemplateBody is served by this endpoint")
        template = load_body(request["TemplateBody"])
        capabilities = request.get("Capabilities", [])
        check_capabilities(template, capabilities)
        previous = None
        if kind == "UPDATE":
            stack = self._stack(name, region)
            refused = not_updatable(stack, disable_rollback=True)  # DisableRollback: on execute
            if refused is not None:
                raise QueryError("ValidationError", refused)
            previous = as_strings(stack.parameters)
        values = parameter_values(template, request.get("Parameters", []), previous)
        change_set = ChangeSet(
            f"arn:aws:cloudformation:{region}:{ACCOUNT}:changeSet/"
            f"{request['ChangeSetName']}/{uuid.uuid4()}",
            request["ChangeSetName"],
            name,
            kind,
            template,
            values,
            capabilities,
            region,
        )
        if existing is not None and kind == "UPDATE":
            same_values = effective_values(template, values) == existing.parameters
            if template == existing.template and same_values:
                change_set.status, change_set.status_reason = "FAILED", NO_CHANGES
                change_set.execution_status = "UNAVAILABLE"
        self.change_sets.append(change_set)
        stack_id = existing.stack_id if existing is not None else None
        return {"Id": change_set.change_set_id, "StackId": stack_id}

    def _change_set(self, request: dict[str, Any], region: str) -> ChangeSet:
        wanted = request["ChangeSetName"]
        for change_set in self.change_sets:
            by_name = wanted == change_set.name and request.get("StackName") == (
                change_set.stack_name
            )
            if change_set.region == region and (wanted == change_set.change_set_id or by_name):
                return change_set
        raise QueryError("ChangeSetNotFound", f"ChangeSet [{wanted}] does not exist", 404)

    def _describe_change_set(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        change_set = self._change_set(request, region)
        stack = self.engine(region).find(change_set.stack_name)
        return {
            "ChangeSetName": change_set.name,
            "ChangeSetId": change_set.change_set_id,
            "StackId": None if stack is None else stack.stack_id,
            "StackName": change_set.stack_name,
            "Parameters": _parameters(change_set.parameters),
            "CreationTime": change_set.created_at.isoformat(),
            "ExecutionStatus": change_set.execution_status,
            "Status": change_set.status,
            "StatusReason": change_set.status_reason,
            "Capabilities": change_set.capabilities,
            "Changes": [],
        }

    def _execute_change_set(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        change_set = self._change_set(request, region)
        if change_set.execution_status != "AVAILABLE":
            raise QueryError(
                "InvalidChangeSetStatus",
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
                f"status of [{change_set.status}]",
            )
        change_set.execution_status = "EXECUTE_IN_PROGRESS"
        engine = self.engine(region)
        if change_set.kind == "CREATE":
            stack = engine.create_stack(
                change_set.stack_name, change_set.template, change_set.parameters
            )
        else:
            stack = engine.update_stack(
                change_set.stack_name,
                change_set.template,
                change_set.parameters,
                disable_rollback=request.get("DisableRollback") == "true",
            )
        succeeded = stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
        change_set.execution_status = "EXECUTE_COMPLETE" if succeeded else "EXECUTE_FAILED"
        return {}

    def _continue_update_rollback(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        skipped = request.get("ResourcesToSkip", [])
        self.engine(region).continue_update_rollback(request["StackName"], skipped)
        return {}


def _parameters(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]
