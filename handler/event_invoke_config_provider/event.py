"""CloudFormation's custom-resource request, read through typed properties.

In the style of Powertools' `CloudFormationCustomResourceEvent` data class, without the
dependency: the Lambda bundle carries crhelper alone. The field names are CloudFormation's
("Custom resource request objects" in the CloudFormation template reference).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

RequestType = Literal["Create", "Update", "Delete"]


class CustomResourceEvent:
    """A read-only, typed view of one custom-resource request as Lambda received it."""

    __slots__ = ("_event",)

    def __init__(self, event: Mapping[str, Any]) -> None:
        self._event = event

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
