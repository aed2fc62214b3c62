"""The desk's hand-overs to waiting workflows, on moto: retry-safe, first click wins, takeover always works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from livedesk.conversations.store import ConversationRepository
from livedesk.identity import Actor, Role
from livedesk.models import TicketEvent
from livedesk.tickets.lifecycle import InvalidTransition
from livedesk.tickets.repository import TaskTokens, TicketRepository
from livedesk.tickets.returns import ReturnKind, ReturnReason, ReturnRepository, ReturnRequest, return_id
from tests.factories import a_ticket
from tests.integration.conftest import Aws
from tickets.service import RecoveryDecision, TicketDesk

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
SUE = Actor("sue", "lumi", Role.SUPERVISOR)
MAX = Actor("max", "lumi", Role.SUPERVISOR)


class FlakyWorkflows:
    """Step Functions as seen from the desk: fails the first ``busy`` sends, or has stopped waiting."""

    def __init__(self, busy: int = 0, stopped: bool = False) -> None:
        self.busy, self.stopped = busy, stopped
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        return f"arn:aws:states:us-east-1:123456789012:execution:{workflow}:{name}"

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        if self.stopped:
            raise InvalidTransition("the workflow stopped waiting for this (its time ran out)")
        if self.busy:
            self.busy -= 1
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "SendTaskSuccess")
        self.sent.append((token, output))


def _desk(aws: Aws, workflows: FlakyWorkflows) -> tuple[TicketDesk, TaskTokens]:
    tickets = TicketRepository(aws.table("Tickets"), aws.table("TicketHistory"))
    tickets.create("lumi", a_ticket(), TicketEvent(at=NOW, actor="routing", action="created"))
    tokens = TaskTokens(aws.table("Tickets"))
    conversations = ConversationRepository(aws.table("Conversations"), timedelta(days=30))
    return TicketDesk(tickets, tokens, ReturnRepository(aws.table("Tickets")), conversations, workflows, lambda: NOW), tokens


def test_a_send_that_fails_on_the_way_is_retried_by_the_same_manager_and_lands_once(aws: Aws) -> None:
    workflows = FlakyWorkflows(busy=1)
    desk, tokens = _desk(aws, workflows)
    tokens.put("lumi", "t1", "recovery", "token-r", {"csat": 1})
    decision = RecoveryDecision(version=1, coupon_amount=20, message="抱歉给您带来不便")
    with pytest.raises(ClientError):
        desk.complete_recovery(SUE, "t1", decision)
    with pytest.raises(InvalidTransition):
        desk.complete_recovery(MAX, "t1", decision)  # sue's claim holds
    desk.complete_recovery(SUE, "t1", decision)
    assert [token for token, _ in workflows.sent] == ["token-r"] and tokens.peek("lumi", "t1", "recovery") is None


def test_a_workflow_that_stopped_waiting_drops_the_token_and_says_so(aws: Aws) -> None:
    desk, tokens = _desk(aws, FlakyWorkflows(stopped=True))
    tokens.put("lumi", "t1", "recovery", "token-r", {"csat": 1})
    with pytest.raises(InvalidTransition, match="stopped waiting"):
        desk.complete_recovery(SUE, "t1", RecoveryDecision(version=1, message="抱歉"))
    assert tokens.peek("lumi", "t1", "recovery") is None


def test_a_supervisor_takes_over_with_or_without_an_open_offer(aws: Aws) -> None:
    workflows = FlakyWorkflows()
    desk, tokens = _desk(aws, workflows)
    without = desk.take_over(SUE, "t1", 1)  # the offer is not made yet, or it escalated past her: hers all the same
    assert without.assignee == "sue" and workflows.sent == []
    assert tokens.put("lumi", "t1", "takeover", "token-t", {"level": 2}) == "sue", "the offer on its way finds her answer"
    tokens.discard("lumi", "t1", "takeover")  # the offer answered its own wait
    assert tokens.put("lumi", "t1", "takeover", "token-u", {"level": 1}) is None
    offered = desk.take_over(MAX, "t1", without.version)
    assert offered.assignee == "max" and workflows.sent == [("token-u", {"supervisor": "max"})]
    assert tokens.peek("lumi", "t1", "takeover") is None


def test_every_return_of_an_order_line_is_found_whichever_ticket_asked(aws: Aws) -> None:
    returns = ReturnRepository(aws.table("Tickets"))
    for ticket_id in ("t1", "t2"):
        request = ReturnRequest(
            return_id=return_id("lumi", ticket_id, "DD1", "S1"),
            ticket_id=ticket_id,
            order_id="DD1",
            sku="S1",
            kind=ReturnKind.RETURN,
            reason=ReturnReason.NO_REASON,
            created_at=NOW,
        )
        assert returns.create("lumi", request) == request
        returns.create("lumi", request)  # asking twice is the same return
    assert sorted(r.ticket_id for r in returns.of_order_line("lumi", "DD1", "S1")) == ["t1", "t2"]
    assert returns.of_order_line("lumi", "DD1", "S2") == [] and returns.of_order_line("oak", "DD1", "S1") == []
