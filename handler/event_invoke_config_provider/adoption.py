"""The adoption switch: whether this provider may adopt a config no resource of its stack holds.

A shared provider serves many stacks with one role; if it adopted, any served stack could take
over (and later delete) another stack's config. So a shared provider adopts only when its
operator says so (the release template's `AllowAdoption`, the CDK option `allow_adoption`);
a provider that serves its own stack only adopts unless told not to. Anything but "true" is off.
"""

from __future__ import annotations

import os

from . import reasons
from .cloudformation import Refusal
from .function_ref import ConfigId
from .properties import ADOPT_EXISTING, FUNCTION_NAME, SHARED_PROVIDER_VARIABLE

ALLOW_ADOPTION_VARIABLE = "EVENT_INVOKE_CONFIG_ALLOW_ADOPTION"


def adoption_allowed() -> bool:
    """Whether `AdoptExisting` may take a config over: off for a shared provider unless allowed."""
    switch = os.environ.get(ALLOW_ADOPTION_VARIABLE)
    if switch is None:
        return not os.environ.get(SHARED_PROVIDER_VARIABLE)
    return switch.strip().lower() == "true"


def refuse_unless_allowed(config: ConfigId) -> None:
    """Raise `Refusal` before an adoption this provider does not allow; nothing is written."""
    if not adoption_allowed():
        raise Refusal(adoption_off(config))


def adoption_off(config: ConfigId) -> str:
    """The reason of an adoption refused by the switch."""
    provider = os.environ.get(SHARED_PROVIDER_VARIABLE)
    whose = f"the shared provider {provider}" if provider else "this stack's provider"
    return reasons.reason(
        f"{ADOPT_EXISTING} on {FUNCTION_NAME} {{}}",
        f"{whose} does not adopt (AllowAdoption false; CDK: allow_adoption), so no stack takes "
        "a config it does not manage; nothing was changed",
        "Another stack's: remove it there first. Else ask the provider's operator to allow "
        "adoption, or remove the config by hand and deploy again.",
        config.describe(),
    )
