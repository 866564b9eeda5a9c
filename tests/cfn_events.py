"""CloudFormation events for handler tests, built from the fixture in `events/`."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).parent / "events"


def event(request_type: str = "Create", **changes: Any) -> dict[str, Any]:
    """The Create fixture turned into `request_type`, sent now with a fresh RequestId, `changes`.

    `ResourceProperties=` replaces the properties (the ServiceToken is kept).
    """
    loaded: dict[str, Any] = json.loads((EVENTS / "create.json").read_text())
    loaded["RequestType"] = request_type
    loaded["RequestId"] = str(uuid.uuid4())
    # CloudFormation pre-signs the ResponseURL when it sends the request: now.
    signed = time.strftime("X-Amz-Date=%Y%m%dT%H%M%SZ&", time.gmtime())
    loaded["ResponseURL"] = loaded["ResponseURL"].replace(
        "X-Amz-Signature", signed + "X-Amz-Signature"
    )
    properties = changes.pop("ResourceProperties", None)
    if properties is not None:
        loaded["ResourceProperties"] = {"ServiceToken": loaded["ServiceToken"], **properties}
    loaded.update(changes)
    return loaded
