"""CloudFormationRequest: one answer per event, with a valid physical id, over real HTTPS.

Actions here are plain functions; the answers travel to the local ResponseURL endpoint
(`offline_cloud.local_cloud.ResponseCollector`), so the whole of crhelper's path is exercised.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from event_invoke_config_provider.cloudformation import (
    MAX_REASON,
    MAX_RESPONSE_BODY,
    TIMED_OUT,
    Action,
    CloudFormationRequest,
    EventContext,
    Outcome,
    ResourceFailure,
    fit_reason,
)
from event_invoke_config_provider.event import CustomResourceEvent
from offline_cloud.lambda_bootstrap import LambdaContext
from offline_cloud.local_cloud import Hold, ResponseCollector
from tests.support import ManualTimer, event

NOT_CREATED = "Test::NotCreated"
OLD_ID = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
NEW_ID = "arn:aws:lambda:us-east-1:123456789012:function:orders:live"


@pytest.fixture
def endpoint(collector: ResponseCollector, monkeypatch: pytest.MonkeyPatch) -> ResponseCollector:
    """The local ResponseURL endpoint, its self-signed certificate trusted."""
    monkeypatch.setenv("SSL_CERT_FILE", str(collector.ca_file))
    return collector


def request_to(endpoint: ResponseCollector, request_type: str, **changes: Any) -> dict[str, Any]:
    """An event of `request_type` whose ResponseURL is the local endpoint."""
    cfn_event = event(request_type, **changes)
    cfn_event["ResponseURL"] = endpoint.url_for(cfn_event["RequestId"])
    return cfn_event


def handle(cfn_event: dict[str, Any], action: Action, seconds: float = 60) -> None:
    """Run `cfn_event` through a new CloudFormationRequest whose every action is `action`."""
    request = CloudFormationRequest(
        create=action, update=action, delete=action, failed_create_id=NOT_CREATED
    )
    request(cfn_event, LambdaContext("provider", seconds))


def answers(endpoint: ResponseCollector, cfn_event: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (r["Status"], r["PhysicalResourceId"]) for r in endpoint.responses(cfn_event["RequestId"])
    ]


def test_an_outcome_answers_success_with_its_id_and_data(endpoint: ResponseCollector) -> None:
    update = request_to(endpoint, "Update", PhysicalResourceId=OLD_ID)

    handle(update, lambda _event, _context, _progress: Outcome(NEW_ID, {"FunctionArn": NEW_ID}))

    [response] = endpoint.responses(update["RequestId"])
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", NEW_ID)
    assert response["Data"] == {"FunctionArn": NEW_ID}
    assert (response["StackId"], response["LogicalResourceId"]) == (
        update["StackId"],
        update["LogicalResourceId"],
    )


def in_background(call: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def fail_with(error: Exception) -> Action:
    def action(_event: CustomResourceEvent, _context: Any, _event_context: EventContext) -> Outcome:
        raise error

    return action


@pytest.mark.parametrize("request_type", ["Create", "Update", "Delete"])
def test_a_resource_failure_answers_failed_with_its_own_id(
    endpoint: ResponseCollector, request_type: str
) -> None:
    cfn_event = request_to(endpoint, request_type, PhysicalResourceId=OLD_ID)

    handle(cfn_event, fail_with(ResourceFailure("Lambda did not confirm the write.", NEW_ID)))

    [response] = endpoint.responses(cfn_event["RequestId"])
    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NEW_ID)
    assert response["Reason"] == "Lambda did not confirm the write."


@pytest.mark.parametrize(
    ("request_type", "expected_id"),
    [("Create", NOT_CREATED), ("Update", OLD_ID), ("Delete", OLD_ID)],
)
def test_any_other_exception_answers_failed_with_the_id_cloudformation_knows(
    endpoint: ResponseCollector, request_type: str, expected_id: str
) -> None:
    changes = {} if request_type == "Create" else {"PhysicalResourceId": OLD_ID}
    cfn_event = request_to(endpoint, request_type, **changes)

    handle(cfn_event, fail_with(RuntimeError("disk on fire")))

    [response] = endpoint.responses(cfn_event["RequestId"])
    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", expected_id)
    assert response["Reason"] == "disk on fire"


def test_a_long_reason_keeps_its_start(endpoint: ResponseCollector) -> None:
    create = request_to(endpoint, "Create")

    handle(create, fail_with(ResourceFailure("MaximumRetryAttempts: " + "x" * 4000, NOT_CREATED)))

    [response] = endpoint.responses(create["RequestId"])
    assert response["Reason"].startswith("MaximumRetryAttempts: xxx")
    assert len(response["Reason"]) == MAX_REASON


def test_a_long_access_denied_keeps_the_action_and_the_resource(
    endpoint: ResponseCollector,
) -> None:
    # GIVEN Lambda's AccessDenied, whose session ARN comes before the action and the resource
    session = (
        f"assumed-role/Stack-EventInvokeConfigProviderRole-{'R' * 12}/Stack-Handler-{'H' * 12}"
    )
    resource = f"arn:aws:lambda:us-east-1:123456789012:function:{'f' * 64}:{'live' * 32}"
    message = (
        f"User: arn:aws:sts::123456789012:{session}/{'S' * 1500} is not authorized to perform: "
        f"lambda:GetFunctionEventInvokeConfig on resource: {resource} because no "
        "identity-based policy allows the lambda:GetFunctionEventInvokeConfig action"
    )
    error = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": message}},
        "GetFunctionEventInvokeConfig",
    )
    create = request_to(endpoint, "Create")
    # WHEN
    handle(create, fail_with(error))
    # THEN
    [response] = endpoint.responses(create["RequestId"])
    assert len(str(error)) > MAX_REASON >= len(response["Reason"])
    assert response["Reason"].startswith(
        "AccessDeniedException: the provider's role may not call "
        f"lambda:GetFunctionEventInvokeConfig on {resource}"
    )


CAUSE = "FunctionName orders: Lambda did not confirm the write ("
NEXT = "); the rollback removes it."


def test_a_long_detail_is_cut_and_the_cause_and_what_follows_stay_whole() -> None:
    reason = fit_reason(CAUSE + "{}" + NEXT, "x" * 4000)

    room = MAX_REASON - len(CAUSE) - len(NEXT)
    assert reason == CAUSE + "x" * (room - 3) + "..." + NEXT


def test_details_share_the_room_and_the_longest_is_cut_first() -> None:
    assert fit_reason("{} ({}) next", "n" * 40, "e" * 4000) == (
        "n" * 40 + " (" + "e" * (MAX_REASON - 40 - 8 - 3) + "...) next"
    )
    half = (MAX_REASON - 1) // 2
    assert fit_reason("{}/{}", "n" * 2000, "e" * 2000) == (
        "n" * (half - 3) + ".../" + "e" * (half - 3) + "..."
    )


def test_sizes_are_bytes_as_they_travel_in_the_json_answer() -> None:
    # GIVEN a detail whose characters JSON escapes: a quote takes 2 bytes, a non-ASCII one 6
    reason = fit_reason("cause: {}", '"é' * 2000)
    # THEN the reason fits MAX_REASON as encoded, not as counted in characters
    assert len(json.dumps(reason)) - 2 <= MAX_REASON < len(json.dumps(reason + "x" * 8)) - 2 + 8
    assert reason.startswith('cause: "é"é') and reason.endswith("...")


def test_an_aws_error_as_a_detail_is_condensed_before_it_is_cut() -> None:
    error = ClientError(
        {
            "Error": {
                "Code": "InvalidParameterValueException",
                "Message": "Not allowed. " + "x" * 3000,
            }
        },
        "PutFunctionEventInvokeConfig",
    )

    reason = fit_reason(CAUSE + "{}" + NEXT, error)

    assert reason.startswith(
        CAUSE + "PutFunctionEventInvokeConfig (InvalidParameterValueException): Not allowed. xx"
    )
    assert reason.endswith("x..." + NEXT) and len(reason) == MAX_REASON


def test_a_template_too_long_alone_keeps_its_start() -> None:
    assert fit_reason("c" * 3000 + " {}", "detail") == "c" * (MAX_REASON - 3) + "..."


def test_delete_never_sleeps(endpoint: ResponseCollector) -> None:
    # GIVEN a Delete with 600 s left, in which crhelper's own default would wait 120 s for logs
    delete = request_to(endpoint, "Delete", PhysicalResourceId=OLD_ID)
    # WHEN it is handled
    handler = in_background(
        lambda: handle(delete, lambda _event, _context, _progress: Outcome(OLD_ID), seconds=600)
    )
    handler.join(10)
    # THEN it is answered at once
    assert not handler.is_alive(), "the Delete waited"
    assert answers(endpoint, delete) == [("SUCCESS", OLD_ID)]


def test_an_answer_refused_with_a_5xx_is_sent_again(endpoint: ResponseCollector) -> None:
    # crhelper's own sender takes any HTTP reply as delivered.
    create = request_to(endpoint, "Create")
    endpoint.reply_with(create["RequestId"], 503)

    handle(create, lambda _event, _context, _progress: Outcome(NEW_ID))

    assert endpoint.attempts(create["RequestId"]) == [503, 200]
    assert answers(endpoint, create) == [("SUCCESS", NEW_ID)]


def test_botocore_warnings_reach_the_log(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture
) -> None:
    # crhelper's own default keeps botocore's loggers at ERROR.
    create = request_to(endpoint, "Create")

    def warning(
        _event: CustomResourceEvent, _context: Any, _event_context: EventContext
    ) -> Outcome:
        logging.getLogger("botocore.credentials").warning("credentials expire soon")
        return Outcome(NEW_ID)

    handle(create, warning)

    assert "credentials expire soon" in caplog.messages
    assert answers(endpoint, create) == [("SUCCESS", NEW_ID)]


def test_nothing_logged_carries_the_response_urls_signature(
    endpoint: ResponseCollector, caplog: pytest.LogCaptureFixture
) -> None:
    create = request_to(endpoint, "Create")
    endpoint.reply_with(create["RequestId"], 500)

    with caplog.at_level(logging.DEBUG):
        handle(create, fail_with(RuntimeError("disk on fire")))

    assert answers(endpoint, create) == [("FAILED", NOT_CREATED)]
    assert {"INFO", "WARNING", "ERROR"} <= {r.levelname for r in caplog.records}
    assert endpoint.secret not in caplog.text


class LogSignal(logging.Handler):
    """Sets `seen` when a record containing `text` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.seen.set()


@pytest.fixture
def signals() -> Iterator[Callable[[str], LogSignal]]:
    """`signals(text)`: a LogSignal on every logger, removed after the test."""
    added: list[LogSignal] = []

    def signal(text: str) -> LogSignal:
        added.append(LogSignal(text))
        logging.getLogger().addHandler(added[-1])
        return added[-1]

    yield signal
    for handler in added:
        logging.getLogger().removeHandler(handler)


def test_when_the_timer_answers_first_the_handler_waits_for_it_and_answers_no_more(
    endpoint: ResponseCollector,
    signals: Callable[[str], LogSignal],
    crhelper_timers: list[ManualTimer],
) -> None:
    update = request_to(endpoint, "Update", PhysicalResourceId=OLD_ID)
    timer_answer = Hold()
    endpoint.reply_with(update["RequestId"], timer_answer)
    declined = signals("was already answered")

    def overrunning(
        _event: CustomResourceEvent, _context: Any, _event_context: EventContext
    ) -> Outcome:
        # The timer fires while the action runs; the action returns while that answer is held
        # in flight by the endpoint.
        in_background(crhelper_timers[-1].fire)
        assert timer_answer.arrived.wait(10), "crhelper's timer did not answer"
        return Outcome(NEW_ID)

    handler = in_background(lambda: handle(update, overrunning))
    assert timer_answer.arrived.wait(10), "crhelper's timer did not answer"
    # A window for the bug to show in: the handler must not answer, nor return, meanwhile.
    handler.join(0.2)
    assert not declined.seen.is_set(), "the handler did not wait for the answer in flight"
    assert handler.is_alive(), "the handler returned with the timer's answer half-sent"
    timer_answer.release.set()
    handler.join(10)

    assert declined.seen.is_set()
    assert answers(endpoint, update) == [("FAILED", OLD_ID)]
    assert len(endpoint.attempts(update["RequestId"])) == 1


@pytest.mark.parametrize(("written", "expected"), [(True, NEW_ID), (False, NOT_CREATED)])
def test_a_create_cut_off_while_writing_answers_the_id_it_may_have_written(
    endpoint: ResponseCollector, crhelper_timers: list[ManualTimer], written: bool, expected: str
) -> None:
    create = request_to(endpoint, "Create")

    def writing_too_long(
        _event: CustomResourceEvent, _context: Any, event_context: EventContext
    ) -> Outcome:
        if written:
            event_context.writing(NEW_ID)
        in_background(crhelper_timers[-1].fire).join(10)  # the Lambda timeout nears meanwhile
        return Outcome(NEW_ID)

    handle(create, writing_too_long)

    assert answers(endpoint, create) == [("FAILED", expected)]
    [answer] = endpoint.responses(create["RequestId"])
    assert answer["Reason"] == TIMED_OUT, "what happened and what to do, not crhelper's words"


def test_when_the_handler_answers_first_the_timer_answers_no_more(
    endpoint: ResponseCollector,
    signals: Callable[[str], LogSignal],
    crhelper_timers: list[ManualTimer],
) -> None:
    create = request_to(endpoint, "Create")
    handler_answer = Hold()
    endpoint.reply_with(create["RequestId"], handler_answer)
    timer_fired = signals("about to time out")
    declined = signals("was already answered")

    handler = in_background(lambda: handle(create, lambda _e, _c, _p: Outcome(NEW_ID, {"a": "b"})))
    assert handler_answer.arrived.wait(10)
    timer = in_background(crhelper_timers[-1].fire)  # while the handler's answer travels
    assert timer_fired.seen.wait(10), "crhelper's timer did not fire"
    handler_answer.release.set()
    handler.join(10)
    timer.join(10)

    assert declined.seen.is_set(), "the timer did not stand down"
    assert answers(endpoint, create) == [("SUCCESS", NEW_ID)]
    assert len(endpoint.attempts(create["RequestId"])) == 1


def test_crhelpers_own_timer_answers_an_action_that_outlives_the_lambda_timeout(
    endpoint: ResponseCollector,
) -> None:
    # GIVEN a Lambda with 1.5 s left: crhelper's real timer fires 0.5 s before its end
    create = request_to(endpoint, "Create")

    def writing_too_long(
        _event: CustomResourceEvent, _context: Any, event_context: EventContext
    ) -> Outcome:
        event_context.writing(NEW_ID)
        waited = time.monotonic() + 10
        while not endpoint.responses(create["RequestId"]) and time.monotonic() < waited:
            time.sleep(0.05)
        return Outcome(NEW_ID)

    # WHEN the action outlives it
    handle(create, writing_too_long, seconds=1.5)
    # THEN the timer answered, once, with the id the action may have written
    assert answers(endpoint, create) == [("FAILED", NEW_ID)]
    assert endpoint.responses(create["RequestId"])[0]["Reason"] == TIMED_OUT


def test_the_whole_answer_stays_within_cloudformations_4096_bytes(
    endpoint: ResponseCollector,
) -> None:
    # GIVEN an event whose own ids leave the reason less than its usual room
    create = request_to(endpoint, "Create", LogicalResourceId="L" * 3000)
    # WHEN its action fails with a long reason
    handle(create, fail_with(RuntimeError("MaximumRetryAttempts: " + "x" * 4000)))
    # THEN the reason is cut further, its start kept, and the body fits
    [sent] = endpoint.responses(create["RequestId"])
    assert len(json.dumps(sent).encode()) <= MAX_RESPONSE_BODY
    assert sent["Reason"].startswith("MaximumRetryAttempts: xxx")
    assert sent["LogicalResourceId"] == create["LogicalResourceId"]
