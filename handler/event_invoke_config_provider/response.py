"""Delivers the answer to CloudFormation: an HTTPS PUT of the response body to the ResponseURL.

crhelper's own sender has no socket timeout, does not retry a 5xx and, when its retries fail,
loops forever. Here every attempt has a socket timeout, 5xx answers, connection errors and
timeouts are retried with jittered exponential backoff (`retries.Backoff`), and all of it ends
by the event's deadline; a 4xx is final. An answer that cannot be delivered is logged at ERROR.

The ResponseURL is pre-signed: its query is a credential and is never logged.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .deadline import Deadline
from .log_text import escaping_logger
from .retries import Backoff
from .timing import (
    ANSWER_BACKOFF_BASE_SECONDS,
    ANSWER_BACKOFF_CAP_SECONDS,
    MAX_SOCKET_TIMEOUT_SECONDS,
    MIN_ANSWER_SECONDS,
)

logger = escaping_logger(__name__)

# Looked up at each attempt, so tests can capture answers at the wire by patching this name.
HTTPSConnection = http.client.HTTPSConnection

HTTP_OK_BELOW, HTTP_SERVER_ERROR = 300, 500


def _redacted(response_url: str) -> str:
    """The ResponseURL without its query (the pre-signed signature)."""
    scheme, host, path, _query, _fragment = urlsplit(response_url)
    return urlunsplit((scheme, host, path, "", ""))


def _put(response_url: str, payload: bytes, timeout: float) -> int:
    """One PUT of `payload`; returns the HTTP status."""
    _scheme, host, path, query, _fragment = urlsplit(response_url)
    connection = HTTPSConnection(host, timeout=timeout, context=ssl.create_default_context())
    try:
        # No content type: the URL is pre-signed without one, as crhelper and aws-cdk send it.
        connection.request(
            "PUT",
            urlunsplit(("", "", path, query, "")),
            body=payload,
            headers={"content-type": "", "content-length": str(len(payload))},
        )
        response = connection.getresponse()
        response.read()
        return int(response.status)
    finally:
        connection.close()


def deliver(
    response_url: str, body: Mapping[str, Any], deadline: Deadline, backoff: Backoff | None = None
) -> bool:
    """PUT `body` to `response_url` before `deadline.answer_remaining()` runs out.

    Returns whether CloudFormation accepted it; a failure is logged at ERROR, not raised. The
    time left is `deadline`'s; the pauses between attempts are `backoff`'s.
    """
    where = _redacted(response_url)
    secret = urlsplit(response_url).query
    # default=str: a value JSON cannot encode must not cost the answer itself.
    payload = json.dumps(body, default=str).encode()
    backoff = backoff or Backoff(ANSWER_BACKOFF_BASE_SECONDS, ANSWER_BACKOFF_CAP_SECONDS)
    while True:
        left = deadline.answer_remaining()
        if left <= 0:
            logger.error("Answer to %s not delivered: CloudFormation stopped waiting", where)
            return False
        try:
            status = _put(response_url, payload, min(MAX_SOCKET_TIMEOUT_SECONDS, left))
        except ssl.SSLCertVerificationError as error:
            logger.error("Answer to %s not delivered: %s", where, error)
            return False
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
            problem = f"{type(error).__name__}: {error}"
            problem = problem.replace(secret, "<redacted>") if secret else problem
        else:
            if status < HTTP_OK_BELOW:
                logger.info("Answer %s delivered to %s", body.get("Status"), where)
                return True
            if status < HTTP_SERVER_ERROR:
                logger.error("Answer to %s not delivered: HTTP %d (final)", where, status)
                return False
            problem = f"HTTP {status}"
        pause = backoff.pause(deadline.answer_remaining() - MIN_ANSWER_SECONDS)
        if pause is None:
            logger.error(
                "Answer to %s not delivered: %s, and no time left to retry", where, problem
            )
            return False
        logger.warning("Answer to %s failed (%s); retrying in %.2f s", where, problem, pause)
        backoff.sleep(pause)
