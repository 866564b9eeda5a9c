"""Log lines that event content cannot forge: every control character is shown escaped.

Anyone who may invoke the provider chooses every field of its event, so no field may reach a log
line raw: a newline would start a forged line, an ANSI sequence would rewrite a terminal.
`shown` renders one value for a log line; `escaping_logger` gives a logger whose records, their
exceptions' messages included, keep only the newlines of a traceback's own layout.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from typing import Any

# C0 and C1 control characters, and Unicode's line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def shown(value: Any) -> str:
    """`value` for a log line: as JSON, quoted if a string, every non-ASCII character escaped."""
    return json.dumps(value, default=repr)


def escape_controls(text: str) -> str:
    """`text` with each control character written as its JSON escape (`\\n`, `\\u001b`)."""
    return _CONTROL.sub(lambda match: json.dumps(match.group())[1:-1], text)


def escaped_traceback(error: BaseException) -> str:
    """`error`'s traceback, as Python prints it, with each exception's message escaped."""
    parts: list[str] = []
    seen: set[int] = set()
    link = ""
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        heading = "Traceback (most recent call last):\n" if frames else ""
        message = escape_controls(str(current))
        line = type(current).__qualname__ + (f": {message}" if message else "")
        parts.insert(0, f"{heading}{frames}{line}\n{link}")
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    return "".join(parts).rstrip("\n")


class EscapingFilter(logging.Filter):
    """Escapes the control characters of a record's message and of its exception's messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format: left to the handler, which reports it
            return True
        record.msg, record.args = escape_controls(message), None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = escaped_traceback(record.exc_info[1])
        return True


_ESCAPING = EscapingFilter()


def escaping_logger(name: str) -> logging.Logger:
    """The logger `name`, its records escaped (a filter applies to its own records only)."""
    logger = logging.getLogger(name)
    if _ESCAPING not in logger.filters:
        logger.addFilter(_ESCAPING)
    return logger
