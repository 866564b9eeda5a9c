"""Grants as CloudFormation resolves them, without deploying.

A grant on a function known only at deploy time reads the function's name from the grant
digest; here that attribute is what the provider's digest answers for the resolved `Names`
(`grant_digest.names`), so the real check of each name runs too.
"""

from __future__ import annotations

from typing import Any

from event_invoke_config_provider.grant_digest import GRANT_DIGEST_TYPE, NAMES, names
from offline_cloud.template import Resolver, Template, no_lookup


def grant_resolver(
    template: Template, exports: dict[str, str], parameters: dict[str, str]
) -> Resolver:
    """Resolves `template`'s grants for `exports` and `parameters`."""
    plain = Resolver("Stack", "stack-id", template, no_lookup, exports, parameters=parameters)

    def digest_answer(logical_id: str, attribute: str) -> Any:
        resource = template["Resources"][logical_id]
        assert resource["Type"] == GRANT_DIGEST_TYPE, f"a grant reads {logical_id}.{attribute}"
        return names({NAMES: plain(resource["Properties"][NAMES])})[attribute]

    return Resolver("Stack", "stack-id", template, digest_answer, exports, parameters=parameters)
