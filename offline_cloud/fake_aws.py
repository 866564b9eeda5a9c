"""The fake AWS of every offline run: one partition, region and account; credentials for none.

The tests, the demo, the benchmarks and the provider runs all use these, so an ARN built in one
place is the ARN another expects; none of them ever reaches a real account.
"""

from __future__ import annotations

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"
# Where every stand-in endpoint listens.
LOOPBACK = "127.0.0.1"
# Only loopback endpoints ever see them.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def client_environment() -> dict[str, str]:
    """Environment variables that give any AWS SDK the fake region and credentials."""
    return {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, **CREDENTIALS}
