"""The follow-ups service on an in-memory Step Functions: which history event starts which workflow,
named so a replayed stream record starts nothing twice."""

from __future__ import annotations

import json
from typing import Any

from followups.service import Followups
from livedesk import keys

AFTERCARE = "arn:aws:states:us-east-1:1:stateMachine:livedesk-dev-aftercare"
RECOVERY = "arn:aws:states:us-east-1:1:stateMachine:livedesk-dev-recovery"


class ExecutionAlreadyExists(Exception):
    pass


class FakeStepFunctions:
    """StartExecution as Step Functions answers it: a second start with the same name is refused."""

    class exceptions:
        ExecutionAlreadyExists = ExecutionAlreadyExists

    def __init__(self) -> None:
        self.started: dict[str, dict[str, Any]] = {}

    def start_execution(self, stateMachineArn: str, name: str, input: str) -> dict[str, str]:
        arn = f"{stateMachineArn.replace(':stateMachine:', ':execution:')}:{name}"
        if arn in self.started:
            raise ExecutionAlreadyExists(name)
        self.started[arn] = json.loads(input)
        return {"executionArn": arn}


def _followups() -> tuple[Followups, FakeStepFunctions]:
    sfn = FakeStepFunctions()
    return Followups(sfn, AFTERCARE, RECOVERY, follow_up_after_s=86400, recovery_timeout_s=3600), sfn


PK = keys.ticket_pk("lumi", "tkt_1")


def test_a_resolution_schedules_one_follow_up_however_often_the_record_is_replayed() -> None:
    followups, sfn = _followups()
    first = followups.on_event(PK, "EVENT#2026-12-04T10:00:00Z#a", {"action": "resolve"})
    again = followups.on_event(PK, "EVENT#2026-12-04T10:00:00Z#a", {"action": "resolve"})
    assert first == again and list(sfn.started) == [first]
    assert sfn.started[first] == {
        "brand_id": "lumi",
        "ticket_id": "tkt_1",
        "ticket_key": keys.ticket("lumi", "tkt_1"),
        "follow_up_after_seconds": 86400,
    }
    later = followups.on_event(PK, "EVENT#2026-12-05T09:00:00Z#b", {"action": "resolve"})  # resolved again after a reopen
    assert later != first and len(sfn.started) == 2


def test_a_bad_csat_opens_one_recovery_and_a_fair_one_nothing() -> None:
    followups, sfn = _followups()
    opened = followups.on_event(PK, "EVENT#x", {"action": "csat", "detail": {"score": "2"}})
    assert opened is not None and opened.startswith(RECOVERY.replace(":stateMachine:", ":execution:"))
    assert sfn.started[opened]["csat"] == 2 and sfn.started[opened]["timeout_seconds"] == 3600
    assert followups.on_event(PK, "EVENT#y", {"action": "csat", "detail": {"score": "1"}}) == opened, "one recovery per ticket"
    assert followups.on_event(PK, "EVENT#z", {"action": "csat", "detail": {"score": "3"}}) is None
    assert len(sfn.started) == 1


def test_other_events_and_other_keys_start_nothing() -> None:
    followups, sfn = _followups()
    assert followups.on_event(PK, "EVENT#n", {"action": "note"}) is None
    assert followups.on_event("BRAND#lumi#CONVERSATION#c1", "EVENT#r", {"action": "resolve"}) is None
    assert sfn.started == {}
