"""The CloudFormation side of the provider: crhelper's CfnResource, answering exactly once.

crhelper is used through its public API: the constructor's `log_level`, `boto_level` and
`sleep_on_delete`, the `create`/`update`/`delete` registrations, whose return value is the
physical id, and `Data` for `Fn::GetAtt`. One method is overridden, `_send`, through which
crhelper answers from all three of its paths (normal, unexpected exception, timer). Why each
change of crhelper's behaviour is needed, and the tests that hold it: docs/crhelper.md.

An event of a shape CloudFormation never sends (`event.malformed`) is answered FAILED here,
before crhelper, which would raise on it. Event content reaches the logs escaped (`log_text`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crhelper import CfnResource

from . import response
from .deadline import Deadline
from .event import CustomResourceEvent, malformed, response_url_of
from .log_text import escaping_logger, shown

logger = escaping_logger(__name__)
# crhelper logs an action's exception, whose message may quote the event: escaped too.
escaping_logger("crhelper.resource_helper")

# INFO, not crhelper's DEBUG: at DEBUG crhelper logs the whole event, whose ResponseURL is a
# pre-signed credential.
LOG_LEVEL = "INFO"
BOTO_LOG_LEVEL = "WARNING"
# "The total size of the response body can't exceed 4096 bytes", and its PhysicalResourceId "can be
# up to 1 KB" ("Custom resource response objects", https://docs.aws.amazon.com/AWSCloudFormation/
# latest/UserGuide/crpg-ref-responses.html). The rest of the body (ids copied from the request,
# the attributes, the keys) stays well within another 1 KB, so a reason gets the remaining half,
# counted as it travels: JSON-encoded bytes. At send time the whole body is held to 4096 bytes
# (`_fit_body`). crhelper cuts every reason to its last 240 characters; the answer here does not.
MAX_RESPONSE_BODY = 4096
MAX_REASON = 2048
# crhelper's timer answers with these words; the answer says what happened and what to do.
CRHELPER_TIMED_OUT = "Execution timed out"
TIMED_OUT = (
    "The provider: ran out of time (its Lambda timeout) before Lambda or CloudFormation "
    "answered. Deploy again; this answer's physical id names what it may have written, so a "
    "rollback undoes it."
)


@dataclass(frozen=True)
class Outcome:
    """What an action returns: the physical id and the attributes for `Fn::GetAtt`."""

    physical_id: str
    data: dict[str, str] = field(default_factory=dict)


class EventContext:
    """What an action gets beside the event: its deadline, and a way to name what it may write."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.cut_off_id: str | None = None

    def writing(self, physical_id: str) -> None:
        """Should the timer answer from now on, answer with `physical_id`: it may be written."""
        self.cut_off_id = physical_id


# An action: (the event, Lambda's context, the event's context) -> the outcome.
Action = Callable[[CustomResourceEvent, Any, EventContext], Outcome]


class Refusal(RuntimeError):  # noqa: N818 - named for the answer it becomes
    """A FAILED answer whose message is one of `reasons`: what was refused, why, what to do."""


class ResourceFailure(Exception):  # noqa: N818 - named for the FAILED answer it becomes
    """An action's failure that names the physical id to answer with (what a rollback removes)."""

    def __init__(self, message: str, physical_id: str) -> None:
        super().__init__(message)
        self.physical_id = physical_id


# What a long AWS error says before its point, in the order they are dropped: botocore's preamble
# (kept as `Operation (Code): `), an AccessDenied's caller (always the provider's own role) and
# operation (the action names it), IAM's "because".
_CONDENSED = (
    (re.compile(r"An error occurred \((\w+)\) when calling the (\w+) operation: "), r"\2 (\1): "),
    (
        re.compile(r"\w+ \((\w+)\): User: \S+ is not authorized to perform: (\S+) on resource: "),
        r"\1: the provider's role may not call \2 on ",
    ),
    (re.compile(r" because no (identity|resource)-based policy allows the \S+ action"), ""),
)


def fit_reason(template: str, *details: object, limit: int = MAX_REASON) -> str:
    """`template` with its `{}` filled by `details`, within `limit`: only the details shrink.

    The template's own words, the cause first and then what to do, are kept whole. The details
    share the rest: condensed first (an AWS error's preamble and caller go), then the longest
    cut at its end with "..." until they fit. A reason of unknown shape is all detail:
    `fit_reason("{}", reason)` keeps its start. Sizes are JSON-encoded bytes (`encoded_size`).
    """
    texts = [str(detail) for detail in details]
    for pattern, replacement in _CONDENSED:
        if encoded_size(template.format(*texts)) <= limit:
            break
        texts = [pattern.sub(replacement, text) for text in texts]
    room = limit - encoded_size(template.format(*("" for _ in texts)))
    longest = max((encoded_size(text) for text in texts), default=0)
    while longest > 0 and sum(min(encoded_size(text), longest) for text in texts) > room:
        longest -= 1
    return _cut(template.format(*(_cut(text, longest) for text in texts)), limit)


def encoded_size(text: str) -> int:
    """The bytes `text` takes in the JSON answer (escapes included, quotes not)."""
    return len(json.dumps(text)) - 2


_ELLIPSIS = "..."


def _cut(text: str, size: int) -> str:
    """`text` in at most `size` encoded bytes; a cut one ends with "..."."""
    if encoded_size(text) <= size:
        return text
    if size < len(_ELLIPSIS):
        return ""
    keep = min(len(text), size)
    while keep > 0 and encoded_size(text[:keep]) > size - len(_ELLIPSIS):
        keep -= 1
    return text[:keep] + _ELLIPSIS


def _fit_body(body: dict[str, Any], reason: str) -> dict[str, Any]:
    """`body` with `reason`, cut further only if the whole would pass MAX_RESPONSE_BODY."""
    envelope = len(json.dumps({**body, "Reason": ""}, default=str).encode())
    return {**body, "Reason": fit_reason("{}", reason, limit=MAX_RESPONSE_BODY - envelope)}


class CloudFormationRequest(CfnResource):
    """Answers a CloudFormation event exactly once, always with a valid physical id.

    An action's `Outcome` answers SUCCESS; a `ResourceFailure` answers FAILED with its id; any
    other exception, or crhelper's timer (0.5 s before the Lambda timeout), answers FAILED with
    the event's PhysicalResourceId or, for a Create, `failed_create_id`. Make one per event.
    """

    def __init__(
        self, *, create: Action, update: Action, delete: Action, failed_create_id: str
    ) -> None:
        # Delete never sleeps: crhelper's 120 s wait for CloudWatch Logs serves its polling mode.
        super().__init__(log_level=LOG_LEVEL, boto_level=BOTO_LOG_LEVEL, sleep_on_delete=0)
        self.create(self._answering(create))
        self.update(self._answering(update))
        self.delete(self._answering(delete))
        # Double-underscore names are mangled, so they cannot clash with crhelper's attributes.
        self.__failed_create_id = failed_create_id
        self.__unchanged_id = failed_create_id
        self.__failed_with: str | None = None
        self.__response_url = ""
        self.__event_context: EventContext  # set per event, by __call__
        self.__answer_lock = threading.Lock()
        self.__answered = False
        self.__reason = ""

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        """Handle `event`: run its action, then answer CloudFormation."""
        url = response_url_of(event)
        if url is None:
            logger.error("An event without a ResponseURL cannot be answered: nothing was done")
            return
        self.__response_url = url
        problem = malformed(event)
        if problem is not None:
            self.__refuse(event, context, problem)
            return
        request = CustomResourceEvent(event)
        self.__event_context = EventContext(Deadline.for_event(request, context))
        self.__unchanged_id = request.physical_resource_id or self.__failed_create_id
        self.__failed_with = None
        self.__answered = False
        logger.info(
            "%s of %s (%s), request %s, stack %s",
            request.request_type,
            shown(request.logical_resource_id),
            shown(request.resource_type),
            shown(request.request_id),
            shown(request.stack_id),
        )
        super().__call__(event, context)

    def __refuse(self, event: dict[str, Any], context: Any, reason: str) -> None:
        """Answer FAILED to an event crhelper cannot read: it changes nothing."""
        logger.error("Refused a malformed event: %s", reason)
        physical_id = event.get("PhysicalResourceId")
        body = {
            "Status": "FAILED",
            "PhysicalResourceId": physical_id
            if isinstance(physical_id, str) and physical_id
            else self.__failed_create_id,
            **{name: event.get(name, "") for name in ("StackId", "RequestId", "LogicalResourceId")},
            "Data": {},
        }
        # Its Lambda timeout bounds the answer: the event's ServiceTimeout may be unreadable.
        response.deliver(self.__response_url, _fit_body(body, reason), Deadline(context))

    def generate_physical_id(self, event: Any) -> str:
        """crhelper asks for an id when a Create's action named none, because it failed: this id
        names nothing to delete. (crhelper's own is random, and raises on a forged StackId.)"""
        return self.__failed_create_id

    def _answering(self, action: Action) -> Callable[[dict[str, Any], Any], str]:
        """`action` as crhelper calls it: returns the physical id, fills `Data`."""

        def run(event: dict[str, Any], context: Any) -> str:
            try:
                outcome = action(CustomResourceEvent(event), context, self.__event_context)
            except ResourceFailure as failure:
                self.__failed_with = failure.physical_id
                raise
            self.Data.update(outcome.data)
            return outcome.physical_id

        return run

    # Override of crhelper's `_send(status, reason, send_response)`, the one method its normal
    # path, its unexpected-exception handler and its timer all answer through (docs/crhelper.md):
    # - the timer and the normal path can both answer: the first wins, and the other waits
    #   while that answer travels (Lambda would freeze a handler that returned mid-PUT);
    # - a FAILED answer carries the id this class chose: crhelper's timer sends an empty one,
    #   which CloudFormation rejects, and its failed Create a random one;
    # - crhelper keeps the last 240 characters of a reason over 256: here `fit_reason` keeps its
    #   cause within the response body's documented size;
    # - crhelper's sender never times out and never gives up: `response.deliver` does both.
    def _send(self, status: str | None = None, reason: str = "", **_ignored: Any) -> None:
        with self.__answer_lock:
            if self.__answered:
                logger.info("Request %s was already answered; not again", shown(self.RequestId))
                return
            self.__answered = True
            if self.__failed_with is not None:  # a ResourceFailure
                self.PhysicalResourceId = self.__failed_with
            elif not self.PhysicalResourceId:  # the timer, while the action runs
                self.PhysicalResourceId = self.__event_context.cut_off_id or self.__unchanged_id
            reason = TIMED_OUT if reason == CRHELPER_TIMED_OUT else reason
            self.__reason = fit_reason("{}", reason if status else self.Reason)
            self.Reason = ""
            send = super()._send  # type: ignore[misc]  # not in crhelper's type stubs
            send(status, "", send_response=self.__deliver)

    def __deliver(self, _url: str, body: dict[str, Any], _ssl_verify: object) -> None:
        deadline = self.__event_context.deadline
        response.deliver(self.__response_url, _fit_body(body, self.__reason), deadline)
