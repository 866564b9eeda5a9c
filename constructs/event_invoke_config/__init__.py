"""AWS CDK construct for a Lambda function's event invoke config, as a custom resource.

`LambdaEventInvokeConfig` is the construct; `EventInvokeConfigProvider` is the per-stack
provider behind it, usable on its own to serve plain CloudFormation templates.

Errors to catch: `InvalidPropertyError` (a value Lambda would refuse; a `ValueError`),
`GrantCapacityError` (a stack with more configs than IAM's quotas hold) and `AllowListError` (a
shared provider's allow-list); a wrong argument type is a `TypeError`. Checks that need the whole
app (two configs of one function and qualifier; a shared provider that cannot read the stacks it
serves) fail `app.synth()` with their message, as every CDK validation does.
"""

from event_invoke_config_provider.properties import RESOURCE_TYPE, InvalidPropertyError
from event_invoke_config_provider.version import __version__

from .allow_list import AllowListError
from .event_invoke_config import LambdaEventInvokeConfig
from .grants import GrantCapacityError
from .provider import EventInvokeConfigProvider, ProviderOptions

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
