"""AWS CDK construct for a Lambda function's event invoke config, as a custom resource.

`LambdaEventInvokeConfig` is the construct; `EventInvokeConfigProvider` is the per-stack
provider behind it, usable on its own to serve plain CloudFormation templates.

Errors to catch: `InvalidPropertyError` (a value Lambda would refuse; a `ValueError`),
`GrantCapacityError` (a stack with more configs than IAM's quotas hold) and `AllowListError` (a
shared provider's allow-list); a wrong argument type is a `TypeError`. Checks that need the whole
app (two configs of one function and qualifier; a shared provider that cannot read the stacks it
serves) fail `app.synth()` with their message, as every CDK validation does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from event_invoke_config_provider.properties import RESOURCE_TYPE, InvalidPropertyError
from event_invoke_config_provider.version import __version__

if TYPE_CHECKING:
    from .allow_list import AllowListError
    from .event_invoke_config import LambdaEventInvokeConfig
    from .grants import GrantCapacityError
    from .provider import EventInvokeConfigProvider, ProviderOptions

# The CDK parts load on first use (PEP 562): `python -m event_invoke_config.drift` runs where
# boto3 is installed and aws-cdk-lib is not.
_LAZY = {
    "AllowListError": ".allow_list",
    "LambdaEventInvokeConfig": ".event_invoke_config",
    "GrantCapacityError": ".grants",
    "EventInvokeConfigProvider": ".provider",
    "ProviderOptions": ".provider",
}

__all__ = [
    "RESOURCE_TYPE",
    "AllowListError",
    "EventInvokeConfigProvider",
    "GrantCapacityError",
    "InvalidPropertyError",
    "LambdaEventInvokeConfig",
    "ProviderOptions",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Import a CDK part the first time it is asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
