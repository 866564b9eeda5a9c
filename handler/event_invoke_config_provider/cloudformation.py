"""The CloudFormation side of the provider: crhelper's CfnResource, made safe for this provider.

crhelper 2.0 answers CloudFormation well; this subclass changes only what goes wrong here:

- Its `__init__` builds lambda, events and logs clients for a polling mode this provider never
  uses (three clients of cold start) and one instance serves every invocation, so concurrent
  calls in one process would share state. Here an instance is made per event, without clients.
- Its timer and unexpected-exception answers carry an empty PhysicalResourceId (crhelper issue
  #56), which CloudFormation rejects for Update and Delete: here every answer carries a valid id.
- Its timer and its normal path can both answer one request: here the first answer wins, and
  the other waits until that answer has been sent.
- It shortens a long failure reason by keeping its end: here the start, which names the cause.
- It logs at DEBUG by default, and at DEBUG it logs the whole event with its pre-signed
  ResponseURL, which is a credential: here it logs at INFO. Delete never sleeps (crhelper: 120 s).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crhelper import CfnResource
from crhelper.resource_helper import FAILED

logger = logging.getLogger(__name__)

LOG_LEVEL = "INFO"
BOTO_LOG_LEVEL = "WARNING"
# crhelper truncates longer reasons, keeping their end.
MAX_REASON = 256


@dataclass(frozen=True)
class Outcome:
    """What an action returns: the physical id and the attributes for `Fn::GetAtt`."""

    physical_id: str
    data: dict[str, str] = field(default_factory=dict)


Action = Callable[[dict[str, Any], Any], Outcome]


class CloudFormationRequest(CfnResource):
    """Answers one CloudFormation event exactly once, always with a valid physical id."""

    def __init__(self, *, create: Action, update: Action, delete: Action) -> None:
        # Not super().__init__(): it creates the polling clients. These are the attributes
        # crhelper 2.0's request path reads (see crhelper/resource_helper.py).
        self._create_func = self._adapt(create)
        self._update_func = self._adapt(update)
        self._delete_func = self._adapt(delete)
        self._poll_create_func = self._poll_update_func = self._poll_delete_func = None
        self._sleep_on_delete = 0
        self._timer: threading.Timer | None = None
        self._init_failed = None
        self._json_logging = False
        self._log_level = LOG_LEVEL
        self._boto_level = BOTO_LOG_LEVEL
        self._send_response = False
        self._polling_interval = 0
        self._sam_local = None
        self._ssl_verify = None
        self.Status = self.Reason = self.PhysicalResourceId = ""
        self.StackId = self.RequestId = self.LogicalResourceId = ""
        self.Data: dict[str, str] = {}
        self.NoEcho = False
        self._event: dict[str, Any] = {}
        self._context: Any = None
        self._response_url = ""
        self._sending = threading.Lock()
        self._answered = threading.Event()

    def _adapt(self, action: Action) -> Callable[[dict[str, Any], Any], str]:
        def run(event: dict[str, Any], context: Any) -> str:
            # If the timer fires while the action runs, it answers with the id known so far.
            self.PhysicalResourceId = self._current_physical_id(event)
            outcome = action(event, context)
            self.Data.update(outcome.data)
            return outcome.physical_id

        return run

    def _current_physical_id(self, event: dict[str, Any]) -> str:
        """The id CloudFormation knows, or for a Create a made-up one that names no config."""
        known: str | None = event.get("PhysicalResourceId")
        return known or str(self.generate_physical_id(event))

    def _timeout(self) -> None:
        logger.error("Execution is about to time out, sending failure message")
        self._send(FAILED, "The provider ran out of time before Lambda answered.")

    def _send(self, status: str | None = None, reason: str = "", **kwargs: Any) -> None:
        # The lock is held while the answer travels: if the timer is answering, the handler
        # waits for that PUT instead of returning (Lambda would freeze it half-sent).
        with self._sending:
            if self._answered.is_set():
                logger.warning("Request %s was already answered; not again", self.RequestId)
                return
            if not self.PhysicalResourceId:
                self.PhysicalResourceId = self._current_physical_id(self._event)
            # crhelper would keep the end of a long reason; the start names the property.
            self.Reason = str(self.Reason)[:MAX_REASON]
            super()._send(status, str(reason)[:MAX_REASON], **kwargs)  # type: ignore[misc]
            self._answered.set()
