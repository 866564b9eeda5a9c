"""The timing contract, defined once: the construct, the handler and the release template read it.

Why each number, and the inequalities between them: docs/design.md, "The timing contract";
tests/test_timing.py holds them, and the release template's numbers, to this module.
"""

from __future__ import annotations

# The provider function's Lambda timeout: the longest retry window below, one more attempt and
# the answer fit in it.
FUNCTION_TIMEOUT_SECONDS = 180
# The configs' ServiceTimeout: how long CloudFormation waits for an answer (1 to 3600 s, 3600 when
# unset). Longer than FUNCTION_TIMEOUT_SECONDS, so the provider answers before CloudFormation
# stops waiting, and a lost answer fails the stack after 5 minutes, not an hour.
SERVICE_TIMEOUT_SECONDS = 300
# CloudFormation's wait when a custom resource sets no ServiceTimeout ("ServiceTimeout",
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html).
DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600
# The provider's own asynchronous-invocation MaximumEventAge: an event that waited longer could
# not finish within its ServiceTimeout, so Lambda drops it instead of running it late.
MAX_EVENT_AGE_SECONDS = SERVICE_TIMEOUT_SECONDS - FUNCTION_TIMEOUT_SECONDS

# IAM changes take time to reach Lambda: how long "the function's role may not reach that
# destination yet" is retried (Terraform's provider waits about as long), and how long a
# denial of the provider's own, newly granted, call is.
IAM_PROPAGATION_SECONDS = 120.0
OWN_GRANT_PROPAGATION_SECONDS = 30.0
# Kept back from the deadline to send the answer (crhelper's own timer fires 0.5 s before the
# Lambda timeout).
ANSWER_RESERVE_SECONDS = 3.0

# AWS calls: jittered exponential backoff, and each attempt's client timeouts.
CALL_BACKOFF_BASE_SECONDS, CALL_BACKOFF_CAP_SECONDS = 1.0, 16.0
MAX_CONNECT_TIMEOUT_SECONDS, MAX_READ_TIMEOUT_SECONDS = 5.0, 20.0
MIN_CALL_SECONDS = 1.0

# Delivering the answer to the ResponseURL: backoff, socket timeout, least attempt.
ANSWER_BACKOFF_BASE_SECONDS, ANSWER_BACKOFF_CAP_SECONDS = 0.25, 4.0
MAX_SOCKET_TIMEOUT_SECONDS = 10.0
MIN_ANSWER_SECONDS = 0.25
