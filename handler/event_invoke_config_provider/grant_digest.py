"""The grant digest: a fingerprint of each grant policy's ARNs, as CloudFormation resolved them.

Receives each bucket's ARNs as resolved for this operation (`Buckets`: bucket name -> ARNs) and
answers one digest per bucket (`Fn::GetAtt Digest.Bucket0`), which the bucket policy's
Description carries, so a changed value replaces the policy. It also echoes the function names
that grants take apart at deploy time (`Names`: attribute -> name), which the grants' ARNs read
back, so `cdk diff` shows each such grant as one line. It calls no AWS API. Why:
docs/design.md, "Grants and the grant digest".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from . import reasons
from .cloudformation import MAX_RESPONSE_BODY, EventContext, Outcome
from .event import CustomResourceEvent
from .function_ref import FUNCTION_NAME_MAX_CHARS, QUALIFIER_MAX_CHARS, is_name_and_qualifier
from .properties import FUNCTION_NAME

GRANT_DIGEST_TYPE = "Custom::EventInvokeConfigGrantDigest"
BUCKETS = "Buckets"
NAMES = "Names"
DIGEST_LENGTH = 16
# The longest name an attribute of `Names` can hold: `name:qualifier`.
NAME_MAX_CHARS = FUNCTION_NAME_MAX_CHARS + 1 + QUALIFIER_MAX_CHARS
# The attributes' share of the answer's 4096 bytes: the rest of the body (status, ids copied
# from the request, the keys) stays within 1 KB (cloudformation.py, MAX_RESPONSE_BODY).
MAX_DATA_BYTES = MAX_RESPONSE_BODY - 1024
# An attribute of `Names`: never one of the buckets' digests.
_NAME_ATTRIBUTE = re.compile(r"NameOf[A-Za-z0-9]+")


def data_size(data: Mapping[str, str]) -> int:
    """The bytes `data` takes in the answer, as JSON."""
    return len(json.dumps(data).encode())


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


def names(properties: Mapping[str, Any]) -> dict[str, str]:
    """The deploy-time function names to echo, each a Lambda function name and qualifier."""
    found = properties.get(NAMES, {})
    if not isinstance(found, dict) or not all(
        isinstance(name, str) and _NAME_ATTRIBUTE.fullmatch(attribute)
        for attribute, name in found.items()
    ):
        raise ValueError(
            f"{NAMES} must map attribute names (NameOf, then letters and digits) to function "
            "name strings."
        )
    for attribute, name in found.items():
        if not is_name_and_qualifier(name):
            raise ValueError(not_a_function_name(attribute, name))
    return dict(found)


def not_a_function_name(attribute: str, value: str) -> str:
    """A config's function resolved at deploy time to something that names no function."""
    return reasons.reason(
        f"The grant digest: {NAMES}.{{}} resolved to `{{}}`",
        f"a grant takes the function's name from a config's {FUNCTION_NAME} at deploy time, and "
        f"this is not a Lambda function name (1 to {FUNCTION_NAME_MAX_CHARS} of letters, digits, "
        f"'-', '_', '.') with an optional ':' and qualifier (a version, an alias or "
        f"$LATEST.PUBLISHED, at most {QUALIFIER_MAX_CHARS} characters); nothing was changed",
        f"Give that config's {FUNCTION_NAME} a function name, partial ARN or ARN of this "
        "account and region, then deploy again.",
        attribute,
        value,
    )


def too_large(size: int) -> str:
    """Attributes that would pass CloudFormation's answer size (only a hand-written template)."""
    return reasons.reason(
        "The grant digest: its attributes take {} bytes",
        f"CloudFormation takes at most {MAX_RESPONSE_BODY} bytes in an answer, and the "
        f"attributes may have {MAX_DATA_BYTES} of them; nothing was changed",
        f"Keep fewer entries in {NAMES} (the construct keeps them within the limit).",
        size,
    )


def answer(event: CustomResourceEvent, _context: Any, _event_context: EventContext) -> Outcome:
    """Create and Update: the digests of the resolved ARNs, and the names to echo; the id never
    changes."""
    data = {**digests(event.resource_properties), **names(event.resource_properties)}
    size = data_size(data)
    if size > MAX_DATA_BYTES:
        raise ValueError(too_large(size))
    return Outcome(event.logical_resource_id, data)


def forget(event: CustomResourceEvent, _context: Any, _event_context: EventContext) -> Outcome:
    """Delete: nothing exists outside CloudFormation."""
    return Outcome(event.physical_resource_id)
