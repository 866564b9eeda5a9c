"""The grant digest: a fingerprint of each grant policy's ARNs, as CloudFormation resolved them.

The construct's grant policies (constructs/event_invoke_config/grants.py) must be *replaced*,
never updated in place, whenever what they grant changes, so that the old grant outlives the
old config until the cleanup phase. Their logical ids hash their template text, which covers
every change of the text. A value can change while the text stays the same: a replaced
function's ARN (`Fn::GetAtt`), a parameter, an SSM parameter, an import whose name is a
parameter. This resource receives each bucket's ARNs as CloudFormation resolved them for this
operation (`Buckets`: bucket name -> list of ARNs) and answers one digest per bucket
(`Fn::GetAtt Digest.Bucket0`); each policy's `Description`, which CloudFormation can only
change by replacement, carries its bucket's digest. It calls no AWS API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .cloudformation import EventContext, Outcome
from .event import CustomResourceEvent

GRANT_DIGEST_TYPE = "Custom::EventInvokeConfigGrantDigest"
BUCKETS = "Buckets"
DIGEST_LENGTH = 16


def digests(properties: Mapping[str, Any]) -> dict[str, str]:
    """A digest per bucket of its ARNs, independent of their order."""
    buckets = properties.get(BUCKETS, {})
    if not isinstance(buckets, dict) or not all(
        isinstance(arns, list) and all(isinstance(arn, str) for arn in arns)
        for arns in buckets.values()
    ):
        raise ValueError(f"{BUCKETS} must map each bucket name to a list of ARN strings.")
    return {
        name: hashlib.sha256(json.dumps(sorted(arns)).encode()).hexdigest()[:DIGEST_LENGTH]
        for name, arns in buckets.items()
    }


def answer(event: CustomResourceEvent, _context: Any, _event_context: EventContext) -> Outcome:
    """Create and Update: the digests of the resolved ARNs; the id never changes."""
    return Outcome(event.logical_resource_id, digests(event.resource_properties))


def forget(event: CustomResourceEvent, _context: Any, _event_context: EventContext) -> Outcome:
    """Delete: nothing exists outside CloudFormation."""
    return Outcome(event.physical_resource_id)
