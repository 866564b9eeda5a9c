"""CloudFormation's custom-resource request, read through typed properties.

In the style of Powertools' `CloudFormationCustomResourceEvent` data class, without the
dependency: the Lambda bundle carries crhelper alone. The field names are CloudFormation's
("Custom resource request objects" in the CloudFormation template reference). `malformed` says
what is wrong with an event of another shape, which anyone allowed to invoke the provider can send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

RequestType = Literal["Create", "Update", "Delete"]
REQUEST_TYPES = ("Create", "Update", "Delete")
# The fields CloudFormation always sends as strings, and those it sends only for some requests.
_STRINGS = ("RequestId", "StackId", "LogicalResourceId")
_OPTIONAL_STRINGS = ("ResourceType", "PhysicalResourceId")
_OPTIONAL_MAPPINGS = ("ResourceProperties", "OldResourceProperties")


def response_url_of(event: object) -> str | None:
    """Where `event` wants its answer; None when it names no URL, so no answer is possible."""
    url = event.get("ResponseURL") if isinstance(event, Mapping) else None
    return url if isinstance(url, str) and url else None


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def malformed(event: Mapping[str, Any]) -> str | None:
    """Why `event` is not a request CloudFormation sends, naming the field; None if it is."""
    request_type = event.get("RequestType")
    if request_type not in REQUEST_TYPES:
        got = repr(request_type)[:40] if isinstance(request_type, str) else _kind(request_type)
        return f"RequestType must be {', '.join(REQUEST_TYPES)}; got {got}. Nothing was changed."
    for name in _STRINGS:
        if not isinstance(event.get(name), str):
            return f"{name} must be a string; got {_kind(event.get(name))}. Nothing was changed."
    for name in _OPTIONAL_STRINGS:
        if name in event and not isinstance(event[name], str):
            return f"{name} must be a string; got {_kind(event[name])}. Nothing was changed."
    for name in _OPTIONAL_MAPPINGS:
        if name in event and not isinstance(event[name], Mapping):
            return (
                f"{name} must map property names to values; got {_kind(event[name])}. "
                "Nothing was changed."
            )
    return None


class CustomResourceEvent:
    """A read-only, typed view of one custom-resource request as Lambda received it."""

    __slots__ = ("_event",)

    def __init__(self, event: Mapping[str, Any]) -> None:
        # Anything else reads as empty: dispatch on its type must not raise before `malformed`.
        self._event = event if isinstance(event, Mapping) else {}

    @property
    def request_type(self) -> RequestType:
        return cast(RequestType, self._event["RequestType"])

    @property
    def request_id(self) -> str:
        return str(self._event["RequestId"])

    @property
    def response_url(self) -> str:
        """The pre-signed URL of the answer: its query is a credential, never to be logged."""
        return str(self._event["ResponseURL"])

    @property
    def service_token(self) -> str:
        return str(self._event["ServiceToken"])

    @property
    def stack_id(self) -> str:
        return str(self._event["StackId"])

    @property
    def logical_resource_id(self) -> str:
        return str(self._event["LogicalResourceId"])

    @property
    def physical_resource_id(self) -> str:
        """The id CloudFormation knows the resource by; empty for a Create, which has none yet."""
        return str(self._event.get("PhysicalResourceId", ""))

    @property
    def resource_type(self) -> str:
        """The template's type; empty if missing, so that dispatch on it still gets answered."""
        return str(self._event.get("ResourceType", ""))

    @property
    def resource_properties(self) -> Mapping[str, Any]:
        """The template's properties (with the ServiceToken); empty when there are none."""
        return cast(Mapping[str, Any], self._event.get("ResourceProperties") or {})

    @property
    def old_resource_properties(self) -> Mapping[str, Any]:
        """An Update's properties before it; empty for a Create or a Delete."""
        return cast(Mapping[str, Any], self._event.get("OldResourceProperties") or {})
