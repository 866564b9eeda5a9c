"""CloudFormation custom-resource provider for a Lambda function's event invoke config.

The package is the provider Lambda's source. `index.handler` is the entry point; `properties`
turns ResourceProperties into the arguments of PutFunctionEventInvokeConfig and is shared with
the CDK construct, so both reject bad input with the same words. `__version__` is the release
the code belongs to.
"""

from .version import __version__

__all__ = ["__version__"]
