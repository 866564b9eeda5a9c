"""PutFunctionEventInvokeConfig's limits, captured from botocore 1.44.18's Lambda model.

Written by `python release/capture_limits.py`; do not edit. tests/test_limits.py holds
them against the model of the botocore that requirements.txt pins.
"""

import re

from .limits import IntegerLimit, PutLimits, StringLimit

CAPTURED_FROM_BOTOCORE = "1.44.18"
PUT_LIMITS = PutLimits(
    function_name=StringLimit(
        1,
        256,
        re.compile(
            "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
        ),
    ),
    qualifier=StringLimit(1, 128, re.compile("\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+")),
    retry_attempts=IntegerLimit(0, 2),
    event_age=IntegerLimit(60, 21600),
    destination=StringLimit(
        0,
        350,
        re.compile(
            "$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"
        ),
    ),
)
