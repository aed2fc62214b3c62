"""The agent desk (functions/tickets/service.py) on in-memory stores: queues by skill, changes under
optimistic versions, replies and surveys written with the change, takeovers, CSAT and returns."""

from __future__ import annotations

from datetime import timedelta

import pytest

from livedesk.identity import Actor, Forbidden, Role
from livedesk.models import TicketStatus
from livedesk.tickets.lifecycle import Claim, InvalidTransition, Merge, Reply, Resolve
from livedesk.tickets.repository import VersionConflict
from livedesk.tickets.returns import ReturnKind, ReturnReason, ReturnStart
from tests.factories import NOW, a_ticket
from tests.fakes import FakeConversations, FakeReturns, FakeTaskTokens, FakeTickets, FakeWorkflows
from tickets.service import RecoveryDecision, TicketDesk

BRAND = "lumi"
AMY = Actor("amy", BRAND, Role.AGENT, frozenset({"after_sale"}))
BEN = Actor("ben", BRAND, Role.AGENT, frozenset({"pre_sale"}))
SUE = Actor("sue", BRAND, Role.SUPERVISOR)


def _desk(*tickets: object, expired: frozenset[str] = frozenset()) -> tuple[TicketDesk, FakeTickets, dict[str, object]]:
    store = FakeTickets(*((BRAND, t) for t in tickets))  # type: ignore[misc]
    fakes: dict[str, object] = {
        "tokens": FakeTaskTokens(),
        "returns": FakeReturns(),
        "conversations": FakeConversations(),
        "workflows": FakeWorkflows(expired),
    }
    desk = TicketDesk(tickets=store, clock=lambda: NOW, **fakes)  # type: ignore[arg-type]
    return desk, store, fakes


def test_an_agent_queues_open_tickets_of_their_skills_that_nobody_else_holds_most_urgent_first() -> None:
    desk, _, fakes = _desk(
        a_ticket(ticket_id="late", priority=3),
        a_ticket(ticket_id="urgent", priority=1),
        a_ticket(ticket_id="held", status=TicketStatus.ASSIGNED, assignee="zoe"),
        a_ticket(ticket_id="done", status=TicketStatus.RESOLVED),
        a_ticket(ticket_id="presale", skill="pre_sale"),
    )
    assert [item.ticket.ticket_id for item in desk.queue(AMY)] == ["urgent", "late"]
    assert [item.ticket.ticket_id for item in desk.queue(BEN)] == ["presale"]
    fakes["tokens"].put(BRAND, "late", "takeover", "token-1", {"level": 1})  # type: ignore[attr-defined]
    supervised = {item.ticket.ticket_id: item.takeover_offered for item in desk.queue(SUE)}
    assert supervised == {"urgent": False, "late": True, "held": False, "presale": False}


def test_changes_need_the_skill_and_the_current_version() -> None:
    desk, store, _ = _desk(a_ticket())
    with pytest.raises(Forbidden):
        desk.act(BEN, "t1", Claim(version=1))
    claimed = desk.act(AMY, "t1", Claim(version=1))
    assert (claimed.status, claimed.assignee, claimed.version) == (TicketStatus.ASSIGNED, "amy", 2)
    with pytest.raises(VersionConflict):
        desk.act(AMY, "t1", Reply(version=1, text="您好"))
    assert store.actions(BRAND, "t1") == ["claim"]


def test_a_reply_and_the_resolution_survey_go_to_the_customer_with_the_change() -> None:
    desk, _, fakes = _desk(a_ticket(status=TicketStatus.ASSIGNED, assignee="amy"))
    replied = desk.act(AMY, "t1", Reply(version=1, text="已为您登记退款"))
    assert replied.first_responded_at == NOW
    resolved = desk.act(AMY, "t1", Resolve(version=2, resolution="退款已登记"))
    assert resolved.status is TicketStatus.RESOLVED
    sent = fakes["conversations"].sent[(BRAND, "c1")]  # type: ignore[attr-defined]
    assert [(m.message_id, m.author.value) for m in sent] == [("t1.v2", "agent"), ("t1.v3", "bot")]  # named by the version the change made
    assert sent[0].text == "已为您登记退款" and "1–5" in sent[1].text


def test_a_merge_closes_the_duplicate_into_the_primary_in_one_commit() -> None:
    desk, store, _ = _desk(a_ticket(), a_ticket(ticket_id="t2", conversation_id="c2"))
    desk.act(AMY, "t2", Merge(version=1, into="t1"))
    primary, duplicate = store.head(BRAND, "t1"), store.head(BRAND, "t2")
    assert primary is not None and duplicate is not None
    assert duplicate.merged_into == "t1" and "t2" in primary.duplicates


def test_a_supervisor_takes_over_with_or_without_an_open_offer_and_an_agent_cannot() -> None:
    desk, _, fakes = _desk(a_ticket(), a_ticket(ticket_id="t2"))
    fakes["tokens"].put(BRAND, "t1", "takeover", "token-1", {"level": 1})  # type: ignore[attr-defined]
    with pytest.raises(Forbidden):
        desk.take_over(AMY, "t1", 1)
    assert desk.take_over(SUE, "t1", 1).assignee == "sue"
    assert fakes["workflows"].answered == {"token-1": {"supervisor": "sue"}}  # type: ignore[attr-defined]
    assert fakes["tokens"].peek(BRAND, "t1", "takeover") is None  # type: ignore[attr-defined]
    assert desk.take_over(SUE, "t2", 1).assignee == "sue", "no offer open: theirs all the same"
    assert fakes["tokens"].waiting[(BRAND, "t2", "takeover")] == {"answered_by": "sue"}, "for an offer on its way"  # type: ignore[attr-defined]


def test_a_takeover_as_the_offer_times_out_leaves_the_answer_for_the_next_level() -> None:
    desk, _, fakes = _desk(a_ticket(), expired=frozenset({"token-1"}))
    fakes["tokens"].put(BRAND, "t1", "takeover", "token-1", {"level": 1})  # type: ignore[attr-defined]
    assert desk.take_over(SUE, "t1", 1).assignee == "sue"
    assert fakes["tokens"].waiting == {(BRAND, "t1", "takeover"): {"answered_by": "sue"}}  # type: ignore[attr-defined]
    assert fakes["tokens"].open_among(BRAND, ["t1"], "takeover") == set(), "not shown as offered"  # type: ignore[attr-defined]


def test_only_the_first_csat_answer_counts() -> None:
    desk, store, _ = _desk(a_ticket(status=TicketStatus.RESOLVED))
    assert desk.record_csat(BRAND, "t1", 2, "太慢").csat.score == 2  # type: ignore[union-attr]
    assert desk.record_csat(BRAND, "t1", 5, None).csat.score == 2  # type: ignore[union-attr]
    assert store.actions(BRAND, "t1") == ["csat"]


def test_a_return_starts_its_workflow_once_and_only_the_warehouse_records_an_inspection() -> None:
    desk, _, fakes = _desk(a_ticket(status=TicketStatus.ASSIGNED, assignee="amy"))
    start = ReturnStart(version=1, order_id="DD1", sku="LB-SERUM-30", kind=ReturnKind.RETURN, reason=ReturnReason.DAMAGED)
    first, again = desk.start_return(AMY, "t1", start), desk.start_return(AMY, "t1", start)
    assert first.return_id == again.return_id and first.execution_arn == again.execution_arn
    (payload,) = fakes["workflows"].started.values()  # type: ignore[attr-defined]
    assert payload["return_id"] == first.return_id and payload["requested_by"] == "amy"
    with pytest.raises(Forbidden):
        desk.record_inspection(AMY, first.return_id, passed=True, notes="")
    warehouse = Actor("wh-1", BRAND, Role.AGENT, frozenset({"warehouse"}))
    with pytest.raises(InvalidTransition):
        desk.record_inspection(warehouse, first.return_id, passed=True, notes="")  # nothing waits yet
    fakes["tokens"].put(BRAND, "t1", f"inspection#{first.return_id}", "token-i", {})  # type: ignore[attr-defined]
    desk.record_inspection(warehouse, first.return_id, passed=True, notes="完好")
    assert fakes["workflows"].answered["token-i"] == {"passed": True, "notes": "完好", "inspector": "wh-1"}  # type: ignore[attr-defined]


def test_an_answer_after_the_workflow_stopped_waiting_is_refused_and_the_token_dropped() -> None:
    desk, _, fakes = _desk(a_ticket(status=TicketStatus.RESOLVED, resolved_at=NOW - timedelta(hours=1)), expired=frozenset({"token-r"}))
    fakes["tokens"].put(BRAND, "t1", "recovery", "token-r", {"csat": 1})  # type: ignore[attr-defined]
    with pytest.raises(InvalidTransition):
        desk.complete_recovery(SUE, "t1", RecoveryDecision(version=1, message="抱歉"))
    assert fakes["tokens"].peek(BRAND, "t1", "recovery") is None  # type: ignore[attr-defined]
