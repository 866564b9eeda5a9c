"""Forged input: no event field reaches a log line raw, and every malformed event is answered.

Anyone allowed to invoke the provider writes every field of its event. The handler runs as
Lambda runs it (`index.handler`), its AWS clients are Stubbers with nothing queued (any call
fails the test: these events change nothing), and its answers are captured at the wire.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from event_invoke_config_provider import index
from event_invoke_config_provider.cloudformation import CloudFormationRequest, Outcome
from event_invoke_config_provider.function_ref import NOT_CREATED
from offline_cloud.lambda_bootstrap import LambdaContext
from tests.support import ORDERS_ARN, Stubs, event

# A new line that poses as the provider's own, an ANSI colour, NUL, NEL and Unicode's separator.
FORGED = "\n[ERROR] FORGED\r\x1b[31m\x00\x85\u2028\t"
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LOGGED_FIELDS = ("LogicalResourceId", "RequestId", "StackId", "ResourceType")
GONE = object()


def assert_nothing_raw(records: list[logging.LogRecord]) -> None:
    """Each record is one line, and its traceback's lines are Python's own."""
    assert records
    for record in records:
        text = logging.Formatter("%(message)s").format(record)
        assert not CONTROL.search(record.getMessage()), record.getMessage()
        assert not CONTROL.search(text.replace("\n", "")), text
        assert not any(line.startswith("[ERROR] FORGED") for line in text.split("\n")), text


def test_a_forged_create_is_logged_escaped_and_answered(
    stubs: Stubs, responses: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a Create whose every logged field and property carries control characters
    forged = event(
        **{field: f"Forged{FORGED}{field}" for field in LOGGED_FIELDS},
        ResourceProperties={"FunctionName": f"orders{FORGED}"},
    )
    # WHEN the provider handles it
    index.handler(forged, LambdaContext("provider", 60))
    # THEN each field was logged, escaped, and the answer names the first thing refused: the type
    assert_nothing_raw(caplog.records)
    for field in LOGGED_FIELDS:
        assert json.dumps(forged[field]) in caplog.text, field
    [answer] = responses
    assert answer["Status"] == "FAILED"
    assert answer["Reason"].startswith(f"A request for a resource of type Forged{FORGED}")


def test_an_exception_quoting_the_event_is_logged_escaped(
    responses: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN an action whose error quotes the event, as crhelper logs it (with its traceback)
    def quoting(cfn_event: Any, _context: Any, _progress: Any) -> Outcome:
        try:
            raise KeyError(cfn_event.logical_resource_id)
        except KeyError as error:
            raise RuntimeError(f"no resource {cfn_event.logical_resource_id}") from error

    request = CloudFormationRequest(
        create=quoting, update=quoting, delete=quoting, failed_create_id=NOT_CREATED
    )
    # WHEN it fails
    request(event(LogicalResourceId=f"Async{FORGED}"), LambdaContext("provider", 60))
    # THEN its traceback was logged, both exceptions' messages escaped
    assert_nothing_raw(caplog.records)
    [logged] = [r for r in caplog.records if r.exc_info]
    assert "The above exception was the direct cause" in str(logged.exc_text)
    assert "RuntimeError: no resource Async\\n[ERROR] FORGED\\r\\u001b" in str(logged.exc_text)
    assert [answer["Status"] for answer in responses] == ["FAILED"]


MALFORMED = [
    ("ResourceProperties", {"ResourceProperties": ["FunctionName", "orders"]}),
    ("ResourceProperties", {"ResourceProperties": "FunctionName=orders"}),
    ("ResourceProperties", {"ResourceProperties": None}),
    ("OldResourceProperties", {"RequestType": "Update", "OldResourceProperties": [1]}),
    ("RequestType", {"RequestType": GONE}),
    ("RequestType", {"RequestType": "Replace"}),
    ("RequestType", {"RequestType": ["Create"]}),
    ("LogicalResourceId", {"LogicalResourceId": 7}),
    ("LogicalResourceId", {"LogicalResourceId": ["Async"]}),
    ("RequestId", {"RequestId": GONE}),
    ("StackId", {"StackId": None}),
    ("ResourceType", {"ResourceType": {"Custom": "X"}}),
    ("PhysicalResourceId", {"RequestType": "Delete", "PhysicalResourceId": 12}),
]


@pytest.mark.parametrize(
    ("field", "changes"), MALFORMED, ids=[f"{f}-{i}" for i, (f, _) in enumerate(MALFORMED)]
)
def test_a_malformed_event_is_answered_failed_naming_the_field(
    stubs: Stubs,
    responses: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    field: str,
    changes: dict[str, Any],
) -> None:
    malformed = event()
    malformed.update(changes)
    for name in [name for name, value in changes.items() if value is GONE]:
        del malformed[name]

    index.handler(malformed, LambdaContext("provider", 60))

    [answer] = responses
    assert answer["Status"] == "FAILED"
    assert answer["Reason"].startswith(f"{field} must "), answer["Reason"]
    assert answer["Reason"].endswith("Nothing was changed.")
    assert answer["PhysicalResourceId"] == NOT_CREATED
    assert_nothing_raw(caplog.records)


def test_a_delete_keeps_the_physical_id_it_was_sent(responses: list[dict[str, Any]]) -> None:
    physical_id = f"{ORDERS_ARN}:$LATEST"
    delete = event("Delete", PhysicalResourceId=physical_id, ResourceProperties=None)
    delete["ResourceProperties"] = None

    index.handler(delete, LambdaContext("provider", 60))

    [answer] = responses
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("FAILED", physical_id)
    assert (answer["RequestId"], answer["StackId"]) == (delete["RequestId"], delete["StackId"])


@pytest.mark.parametrize(
    "unanswerable",
    [["Create"], "Create", None, {**event(), "ResponseURL": None}, {"RequestType": "Create"}],
    ids=["list", "string", "null", "url-null", "no-url"],
)
def test_an_event_with_no_response_url_is_logged_and_changes_nothing(
    stubs: Stubs,
    responses: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    unanswerable: Any,
) -> None:
    index.handler(unanswerable, LambdaContext("provider", 60))

    assert responses == []
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "An event without a ResponseURL cannot be answered: nothing was done"
    ]
