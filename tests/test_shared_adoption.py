"""Issue 25, item 2: a shared provider confines the stacks it serves; adoption is off by default.

The switch as the handler reads it, the release template's `AllowAdoption`, and two served
stacks on the app's shared provider (app.py's ProviderStack, which serves `async-*`), deployed
through the offline engine with IAM enforced on the provider's calls: stack B can neither take
nor delete the config stack A owns, and A's config stays A's.
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest

from event_invoke_config_provider.adoption import ALLOW_ADOPTION_VARIABLE, adoption_allowed
from event_invoke_config_provider.properties import SHARED_PROVIDER_VARIABLE
from offline_cloud.deployment import LocalCloud
from offline_cloud.template import Template, load_template
from tests.engine_templates import (
    FIRST,
    SECOND,
    THIRD,
    config,
    created,
    deployed,
    function,
    held,
    template,
    updated,
)
from tests.test_release import release_template, resolve

SHARED_STACK = "EventInvokeConfigProvider"
SERVICE_TOKEN = {"Fn::ImportValue": "LambdaEventInvokeConfigServiceToken"}


@pytest.mark.parametrize(
    ("variables", "allowed"),
    [
        ({}, True),  # a CDK stack's own provider
        ({ALLOW_ADOPTION_VARIABLE: "false"}, False),  # ... told not to
        ({SHARED_PROVIDER_VARIABLE: "Platform"}, False),  # a shared one, not told: off
        ({SHARED_PROVIDER_VARIABLE: "Platform", ALLOW_ADOPTION_VARIABLE: "true"}, True),
        ({SHARED_PROVIDER_VARIABLE: "Platform", ALLOW_ADOPTION_VARIABLE: "True"}, True),
        ({SHARED_PROVIDER_VARIABLE: "Platform", ALLOW_ADOPTION_VARIABLE: "yes"}, False),
        ({ALLOW_ADOPTION_VARIABLE: ""}, False),  # anything but true is off
    ],
)
def test_the_provider_adopts_only_where_its_switch_allows(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], *, allowed: bool
) -> None:
    for name in (SHARED_PROVIDER_VARIABLE, ALLOW_ADOPTION_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    assert adoption_allowed() is allowed


@pytest.mark.parametrize(
    ("given", "expected"), [({}, "false"), ({"AllowAdoption": "true"}, "true")]
)
def test_the_release_passes_allow_adoption_off_by_default(
    given: dict[str, str], expected: str
) -> None:
    template = release_template()
    function = resolve(template, template["Resources"]["Function"]["Properties"], given)

    assert function["Environment"]["Variables"][ALLOW_ADOPTION_VARIABLE] == expected


def served(function_name: str, settings: tuple[int, int], **more: Any) -> dict[str, Any]:
    """A config served by the shared provider."""
    resource = config(function_name, settings, **more)
    resource["Properties"]["ServiceToken"] = SERVICE_TOKEN
    return resource


def with_adoption(provider: Template, allowed: str) -> Template:
    """The shared provider's template with its adoption switch set as its operator would."""
    changed = copy.deepcopy(provider)
    for resource in changed["Resources"].values():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        if ALLOW_ADOPTION_VARIABLE in variables:
            variables[ALLOW_ADOPTION_VARIABLE] = allowed
    assert changed != provider, "the shared provider has the switch"
    return changed


@pytest.fixture
def provider(cloud: LocalCloud, cdk_out: Path) -> Template:
    """The shared provider deployed as synthesized: adoption left at its default."""
    shared = load_template(cdk_out, SHARED_STACK)
    deployed(cloud.engine.create_stack(SHARED_STACK, shared), "CREATE_COMPLETE")
    return shared


@pytest.fixture
def owned(cloud: LocalCloud, provider: Template) -> str:
    """A function whose config stack A owns, through the shared provider."""
    name = f"async-{uuid.uuid4().hex[:10]}"
    created(cloud, f"{name}-functions", template(Fn=function(name)))
    created(cloud, "a", template(Config=served(name, FIRST)))
    return name


@pytest.mark.slow
def test_with_adoption_off_a_served_stack_can_neither_take_nor_delete_anothers_config(
    cloud: LocalCloud, owned: str
) -> None:
    # WHEN stack B declares A's config with AdoptExisting
    adopting = cloud.engine.create_stack(
        "b", template(Config=served(owned, SECOND, AdoptExisting="true"))
    )
    # THEN its Create is refused, naming the switch, and its rollback deletes nothing
    deployed(adopting, "ROLLBACK_COMPLETE")
    [reason] = adopting.reasons("CREATE_FAILED")
    assert reason.startswith(f"AdoptExisting on FunctionName {owned}: the shared provider ")
    assert "does not adopt (AllowAdoption false" in reason and "nothing was changed" in reason
    assert held(cloud, owned) == FIRST
    deployed(cloud.engine.delete_stack("b"), "DELETE_COMPLETE")
    assert held(cloud, owned) == FIRST
    # WHEN B declares it without AdoptExisting, THEN it is refused as A's, and nothing changes
    claiming = cloud.engine.create_stack("b", template(Config=served(owned, SECOND)))
    deployed(claiming, "ROLLBACK_COMPLETE")
    [reason] = claiming.reasons("CREATE_FAILED")
    assert "a config no resource of this stack manages is there" in reason
    deployed(cloud.engine.delete_stack("b"), "DELETE_COMPLETE")
    assert held(cloud, owned) == FIRST
    # AND A still owns it: its update writes, its deletion removes
    updated(cloud, "a", template(Config=served(owned, THIRD)))
    assert held(cloud, owned) == THIRD
    deployed(cloud.engine.delete_stack("a"), "DELETE_COMPLETE")
    assert held(cloud, owned) is None


@pytest.mark.slow
def test_an_operator_who_allows_adoption_lets_a_served_stack_adopt(
    cloud: LocalCloud, provider: Template, owned: str
) -> None:
    # GIVEN the operator turned adoption on (the control: the switch is what refused)
    updated(cloud, SHARED_STACK, with_adoption(provider, "true"))
    # WHEN stack B adopts the config A holds
    created(cloud, "b", template(Config=served(owned, SECOND, AdoptExisting="true")))
    # THEN B wrote its settings: what the README warns one served stack can do to another
    assert held(cloud, owned) == SECOND
    deployed(cloud.engine.delete_stack("b"), "DELETE_COMPLETE")
    assert held(cloud, owned) is None, "B's teardown deleted the config A declares"
