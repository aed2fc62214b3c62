"""What happens after a ticket event: a resolution schedules the 24-hour follow-up, a bad CSAT
(1–2 of 5) opens a service recovery. Executions are named after the event, so a replayed stream
record starts nothing twice."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from livedesk import keys

BAD_CSAT = 2


class Followups:
    def __init__(self, sfn: Any, aftercare_arn: str, recovery_arn: str, follow_up_after_s: int, recovery_timeout_s: int) -> None:
        self._sfn = sfn
        self._aftercare_arn = aftercare_arn
        self._recovery_arn = recovery_arn
        self._follow_up_after_s = follow_up_after_s
        self._recovery_timeout_s = recovery_timeout_s

    def on_event(self, pk: str, sk: str, event: dict[str, Any]) -> str | None:
        """The workflow started for this history event, if any (a key of another shape starts nothing)."""
        found = keys.ticket_of(pk)
        if found is None:
            return None
        brand_id, ticket_id = found
        reference = {"brand_id": brand_id, "ticket_id": ticket_id, "ticket_key": keys.ticket(brand_id, ticket_id)}
        if event.get("action") == "resolve":
            payload = {**reference, "follow_up_after_seconds": self._follow_up_after_s}
            return self._start(self._aftercare_arn, f"{ticket_id}-aftercare-{_suffix(sk)}", payload)
        if event.get("action") == "csat" and int(event.get("detail", {}).get("score", 5)) <= BAD_CSAT:
            payload = {**reference, "csat": int(event["detail"]["score"]), "timeout_seconds": self._recovery_timeout_s}
            return self._start(self._recovery_arn, f"{ticket_id}-recovery", payload)
        return None

    def _start(self, arn: str, name: str, payload: dict[str, Any]) -> str:
        try:
            return str(self._sfn.start_execution(stateMachineArn=arn, name=name[:80], input=json.dumps(payload))["executionArn"])
        except self._sfn.exceptions.ExecutionAlreadyExists:
            return f"{arn.replace(':stateMachine:', ':execution:')}:{name[:80]}"


def _suffix(sk: str) -> str:
    """A name-safe digest of the event's key: one aftercare per resolution (resolved again after a reopen: another)."""
    return hashlib.sha256(sk.encode()).hexdigest()[:12]
