"""The grant digest: a fingerprint of each grant policy's ARNs, as CloudFormation resolved them.

Receives each bucket's ARNs as resolved for this operation (`Buckets`: bucket name -> ARNs) and
answers one digest per bucket (`Fn::GetAtt Digest.Bucket0`), which the bucket policy's
Description carries, so a changed value replaces the policy. It calls no AWS API. Why:
docs/design.md, "Grants and the grant digest".
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
