"""Deploy templates offline: the stack engine, its stack API and the provider asset, wired up.

`LocalCloud` runs the engine against moto, serves the stacks' state to the provider, and sends
each custom resource's events to the synthesized provider asset as CloudFormation sends them.
IAM is enforced by default: each event runs with its provider role's credentials, and a denied
call stays in `denied_calls`. docs/design.md, "The offline cloud", "Wiring".
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cfn_events
from .arns import config_target, function_arn
from .engine import CloudFormation
from .fake_aws import REGION
from .iam_roles import CheckedCall, Enforcement, role_name
from .lambda_runtime import Invocation, LambdaRuntime, ProviderAsset, environment
from .lambda_sdk import NEWEST, sdk_path
from .local_cloud import ResponseCollector
from .native_resources import NativeResources
from .physical_resources import Created, ResourceError
from .stack_api import StackApi
from .stack_state import Stack
from .template import Template

PROVIDER_PACKAGE = "event_invoke_config_provider."
# CloudFormation's wait for a custom resource without ServiceTimeout.
DEFAULT_SERVICE_TIMEOUT = 3600.0


def provider_asset(cdk_out: Path, template: Template) -> ProviderAsset:
    """The provider function of a synthesized template (found by its handler's package)."""
    for resource in template["Resources"].values():
        handler = resource.get("Properties", {}).get("Handler", "")
        if resource["Type"] == "AWS::Lambda::Function" and handler.startswith(PROVIDER_PACKAGE):
            return ProviderAsset(
                code_dir=(cdk_out / resource["Metadata"]["aws:asset:path"]).resolve(),
                handler=handler,
                timeout_seconds=resource["Properties"]["Timeout"],
            )
    raise LookupError("the template has no provider function")


def read_config(lambda_client: Any, physical_id: str) -> dict[str, Any] | None:
    """The config a physical id (a qualified function ARN) names, or None if there is none."""
    target = config_target(physical_id)
    if target is None:
        return None
    try:
        config: dict[str, Any] = lambda_client.get_function_event_invoke_config(**target)
    except lambda_client.exceptions.ResourceNotFoundException:
        return None
    config.pop("ResponseMetadata")
    return config


def as_cloudformation_sends(value: Any) -> Any:
    """CloudFormation hands custom resources every scalar as a string."""
    if isinstance(value, dict):
        return {key: as_cloudformation_sends(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_cloudformation_sends(item) for item in value]
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


@dataclass
class Exchange:
    """One custom-resource request and the answer CloudFormation took from it."""

    event: dict[str, Any]
    sent_at: float  # epoch seconds
    deadline: float  # epoch seconds: sent_at + ServiceTimeout
    response: dict[str, Any] | None = None  # None: no answer in time
    invocation: Invocation | None = None
    role: str | None = None  # the role whose credentials it ran with; None: unchecked


# The role (name) a custom-resource event's provider runs as, or None to run it unchecked.
RoleOf = Callable[[dict[str, Any]], str | None]


class Provider:
    """Sends custom-resource events to the provider asset and takes the answer in time."""

    def __init__(
        self, asset: ProviderAsset, collector: ResponseCollector, env: dict[str, str], sdk: Path
    ):
        self.asset, self.collector, self.env = asset, collector, env
        self.runtime = LambdaRuntime(sdk)
        self.history: list[Exchange] = []
        self.before_send: Callable[[dict[str, Any]], None] | None = None
        self.role_of: RoleOf = lambda _event: None
        # The environment variables of the function the event's ServiceToken names.
        self.variables_of: Callable[[dict[str, Any]], dict[str, str]] = lambda _event: {}
        self.enforcement: Enforcement | None = None

    def send(self, partial: dict[str, Any]) -> Exchange:
        """Send one event, completed as CloudFormation sends it (offline_cloud/cfn_events.py)."""
        properties = as_cloudformation_sends(partial["ResourceProperties"])
        old = partial.get("OldResourceProperties")
        sent_at = time.time()
        event = cfn_events.request(
            partial["RequestType"],
            stack_id=partial["StackId"],
            logical_id=partial["LogicalResourceId"],
            properties=properties,
            response_url=self.collector.url_for,
            resource_type=partial["ResourceType"],
            physical_id=partial.get("PhysicalResourceId"),
            old_properties=None if old is None else as_cloudformation_sends(old),
        )
        timeout = float(properties.get("ServiceTimeout", DEFAULT_SERVICE_TIMEOUT))
        exchange = Exchange(event, sent_at, sent_at + timeout, role=self.role_of(event))
        if self.before_send is not None:
            self.before_send(event)
        env = {**self.env, **self.variables_of(event)}
        if exchange.role is not None and self.enforcement is not None:
            env = {**env, **self.enforcement.credentials(exchange.role)}
        exchange.invocation = self.runtime.invoke(self.asset, event, env)
        exchange.invocation.wait(until=time.monotonic() + timeout)
        responses = self.collector.responses(event["RequestId"])
        exchange.response = responses[0] if responses else None
        self.history.append(exchange)
        return exchange

    def settle(self, seconds: float = 60) -> None:
        """Wait for invocations still running after CloudFormation stopped waiting for them."""
        until = time.monotonic() + seconds
        for exchange in self.history:
            if exchange.invocation is not None and not exchange.invocation.wait(until):
                raise TimeoutError(f"invocation {exchange.event['RequestId']} still running")

    @property
    def last_logs(self) -> str:
        """The logs of the last invocation."""
        invocation = self.history[-1].invocation
        return invocation.logs if invocation is not None else ""

    def as_custom_resource(self, stack: Stack, event: dict[str, Any]) -> Created:
        """The engine's view of an exchange: the resource, or ResourceError."""
        exchange = self.send(event)
        answer, current = exchange.response, event.get("PhysicalResourceId")
        if answer is None:
            waited = exchange.deadline - exchange.sent_at
            raise ResourceError(f"No answer within the ServiceTimeout ({waited:.0f} s)", current)
        if answer["Status"] != "SUCCESS":
            physical_id = answer.get("PhysicalResourceId") or current
            raise ResourceError(answer.get("Reason", ""), physical_id)
        physical_id = answer["PhysicalResourceId"]
        return Created(physical_id, {**answer.get("Data", {}), "Ref": physical_id})


class LocalCloud:
    """CloudFormation offline: stacks in moto, custom resources served by one provider asset."""

    def __init__(
        self,
        asset: ProviderAsset,
        *,
        moto_endpoint: str,
        collector: ResponseCollector,
        enforce_iam: bool = True,
        region: str = REGION,
        sdk: str = NEWEST,
    ):
        """`region`: the region of the stacks and their resources; custom resources are served
        as in the default one (the provider's clients call moto's default region). `sdk`: the
        Lambda runtime's boto3 the provider runs on (offline_cloud/lambda_sdk.py)."""
        self.native = NativeResources(moto_endpoint, region)
        self.lambda_client = self.native.lambda_client
        self._moto_endpoint, self._collector = moto_endpoint, collector
        self._stack_api: StackApi | None = None
        self.provider = Provider(
            asset, collector, environment(moto_endpoint, collector.ca_file), sdk_path(sdk)
        )
        self.engine = CloudFormation(self.native, self.provider.as_custom_resource)
        self.iam = Enforcement(self.native.role_policies)
        self.provider.variables_of = self._variables_of
        if enforce_iam:
            self.provider.role_of, self.provider.enforcement = self._role_of, self.iam
        self._exit = contextlib.ExitStack()
        self._exit.callback(self.iam.close)
        self._exit.callback(self.provider.runtime.close)

    def __enter__(self) -> LocalCloud:
        self._stack_api = StackApi(self.engine)
        endpoint = self._exit.enter_context(self._stack_api)
        self.provider.env = environment(self._moto_endpoint, self._collector.ca_file, endpoint)
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            self.provider.settle()
        finally:
            self._exit.close()  # the Lambda environments shut down, then IAM's checks end

    @property
    def denied_calls(self) -> list[CheckedCall]:
        """The provider's calls IAM refused."""
        return self.iam.denied

    def _function_of(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The properties of the live stacks' function that the event's ServiceToken names."""
        with self.engine.lock:
            for stack in self.engine.stacks:
                for resource in stack.resources.values():
                    if (
                        resource.type == "AWS::Lambda::Function"
                        and resource.attributes.get("Arn") == event["ServiceToken"]
                    ):
                        return resource.properties
        return None

    def _role_of(self, event: dict[str, Any]) -> str | None:
        """The role of the function that the event's ServiceToken names."""
        function = self._function_of(event)
        return None if function is None else role_name(function["Role"])

    def _variables_of(self, event: dict[str, Any]) -> dict[str, str]:
        """The environment variables of the function that the event's ServiceToken names."""
        function = self._function_of(event) or {}
        return dict(function.get("Environment", {}).get("Variables", {}))

    @property
    def stack_api_calls(self) -> list[dict[str, str]]:
        """The requests the stack API has answered."""
        return self._stack_api.calls if self._stack_api is not None else []

    @property
    def stack_api(self) -> StackApi:
        """The stack API the provider reads (`throttle()` it, count its `calls`)."""
        if self._stack_api is None:
            raise RuntimeError("the local cloud is not entered")
        return self._stack_api

    def send(
        self,
        stack: Stack,
        request_type: str,
        logical_id: str,
        during: str | None = "UPDATE_IN_PROGRESS",
        **fields: Any,
    ) -> dict[str, Any]:
        """One event, as the stack's resource, outside the engine's operations; the answer.

        `during`: the status the stack shows while the event runs, as in an operation of
        CloudFormation's, which sends events only then; None: as it stands (a forged event).
        `fields`: properties=, old_properties=, physical_id=, resource_type= (default custom).
        """
        with self._showing(stack, during):
            return self._send(stack, request_type, logical_id, **fields)

    @contextlib.contextmanager
    def _showing(self, stack: Stack, status: str | None) -> Iterator[None]:
        """`stack` shows `status` (None: its own) until the block ends."""
        with self.engine.lock:
            previous = stack.status
            stack.status = status or previous
        try:
            yield
        finally:
            with self.engine.lock:
                stack.status = previous

    def _send(
        self, stack: Stack, request_type: str, logical_id: str, **fields: Any
    ) -> dict[str, Any]:
        kind = {"resource_type": fields["resource_type"]} if "resource_type" in fields else {}
        event = cfn_events.unsent(
            request_type,
            stack_id=stack.stack_id,
            logical_id=logical_id,
            properties=fields.get("properties", {}),
            physical_id=fields.get("physical_id"),
            old_properties=fields.get("old_properties"),
            **kind,
        )
        exchange = self.provider.send(event)
        if exchange.response is None:
            logs = self.provider.last_logs
            raise RuntimeError(f"{request_type} {logical_id}: no answer; logs:\n{logs}")
        return exchange.response


def service_token() -> str:
    """A ServiceToken for plain test templates (the asset serves every custom resource)."""
    return function_arn("provider")
