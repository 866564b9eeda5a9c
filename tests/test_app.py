"""The demo app: what its context values change in the demo stack."""

from __future__ import annotations

from typing import cast

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from app import LIVE_CONFIG_CONTEXT, build_app
from event_invoke_config import RESOURCE_TYPE
from event_invoke_config.allow_list import CONTEXT_KEY


@pytest.mark.parametrize(("live_config", "configs"), [(None, 2), ("true", 2), ("false", 1)])
def test_the_demo_stack_leaves_its_alias_config_out_when_asked(
    live_config: str | None, configs: int
) -> None:
    context: dict[str, object] = {CONTEXT_KEY: ["async-*"]}
    if live_config is not None:
        context[LIVE_CONFIG_CONTEXT] = live_config

    app = build_app(cdk.App(context=context))

    template = Template.from_stack(cast(cdk.Stack, app.node.find_child("EventInvokeConfigDemo")))
    assert len(template.find_resources(RESOURCE_TYPE)) == configs
    assert ("LiveConfigArn" in template.to_json()["Outputs"]) is (configs == 2)
