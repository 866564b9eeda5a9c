"""AWS CDK construct for a Lambda function's event invoke config, as a custom resource.

`LambdaEventInvokeConfig` is the construct; `EventInvokeConfigProvider` is the per-stack
provider behind it, usable on its own to serve plain CloudFormation templates.
"""

from event_invoke_config_provider.properties import RESOURCE_TYPE, InvalidPropertyError
from event_invoke_config_provider.version import __version__

from .event_invoke_config import LambdaEventInvokeConfig
from .provider import EventInvokeConfigProvider, ProviderOptions

__all__ = [
    "RESOURCE_TYPE",
    "EventInvokeConfigProvider",
    "InvalidPropertyError",
    "LambdaEventInvokeConfig",
    "ProviderOptions",
    "__version__",
]
