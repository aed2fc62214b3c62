"""The escalation workflows' steps on in-memory stores: what each step changes, and that a step
Step Functions runs twice (a retry) changes nothing more."""

from __future__ import annotations

from typing import Any

from escalation.service import STEPS, EscalationSteps
from livedesk.models import Severity, TicketStatus, ValueLane
from livedesk.tickets.sla import SlaPolicy
from tests.factories import NOW, a_ticket
from tests.fakes import FakeConversations, FakeCoupons, FakeTaskTokens, FakeTickets, FakeWorkflows

BRAND = "lumi"
EXECUTION = "arn:aws:states:us-east-1:1:execution:livedesk-dev-sla:t1"
WORKFLOWS = FakeWorkflows()


def _steps(**ticket: Any) -> tuple[EscalationSteps, FakeTickets, FakeTaskTokens, FakeConversations, FakeCoupons]:
    tickets, tokens, conversations, coupons = FakeTickets((BRAND, a_ticket(**ticket))), FakeTaskTokens(), FakeConversations(), FakeCoupons()
    steps = EscalationSteps(tickets, tokens, conversations, coupons, SlaPolicy.load(), WORKFLOWS, lambda: NOW)  # type: ignore[arg-type]
    return steps, tickets, tokens, conversations, coupons


def _run(steps: EscalationSteps, **task: Any) -> dict[str, Any]:
    return steps.run(STEPS.validate_python({"brand_id": BRAND, "ticket_id": "t1", "execution": EXECUTION, **task}))


def test_a_missed_first_response_raises_the_tier_requeues_and_tells_the_customer_once() -> None:
    steps, tickets, _, conversations, _ = _steps(status=TicketStatus.ASSIGNED, assignee="amy")
    first = _run(steps, task="breach", kind="first_response")
    again = _run(steps, task="breach", kind="first_response")  # Step Functions retried the task
    ticket = tickets.head(BRAND, "t1")
    assert ticket is not None and (ticket.severity, ticket.status, ticket.assignee, ticket.priority) == (
        Severity.P2,
        TicketStatus.NEW,
        None,
        2,
    )
    assert first == again == {"severity": "P2", "notify_supervisor": False}
    assert tickets.actions(BRAND, "t1") == ["first_response_breached"]
    (told,) = conversations.sent[(BRAND, "c1")]
    assert told.author.value == "bot" and told.text


def test_a_vips_missed_first_response_and_a_p1_call_the_supervisor() -> None:
    steps, *_ = _steps(value_lane=ValueLane.VIP)
    assert _run(steps, task="breach", kind="first_response")["notify_supervisor"] is True
    steps, *_ = _steps(severity=Severity.P2)
    assert _run(steps, task="breach", kind="resolution") == {"severity": "P1", "notify_supervisor": True}


def test_each_offer_level_keeps_its_token_and_is_recorded_once_then_nobody_accepting_sends_it_to_the_top() -> None:
    steps, tickets, tokens, _, _ = _steps(priority=3)
    for level in (1, 1, 2):
        _run(steps, task="offer", token=f"token-{level}", level=level, reason="threat")
    assert tokens.peek(BRAND, "t1", "takeover") == {"level": 2, "reason": "threat"}
    assert tickets.actions(BRAND, "t1") == ["offered_to_supervisors", "offered_to_supervisors"]
    _run(steps, task="unaccepted", level=2)
    _run(steps, task="unaccepted", level=2)
    ticket = tickets.head(BRAND, "t1")
    assert ticket is not None and ticket.priority == 1 and tokens.peek(BRAND, "t1", "takeover") is None
    assert tickets.actions(BRAND, "t1")[-1] == "takeover_unaccepted" and tickets.actions(BRAND, "t1").count("takeover_unaccepted") == 1


def test_an_offer_made_after_a_supervisor_took_over_accepts_for_them_at_once() -> None:
    """The supervisor clicked while the offer moved up a level: the next level finds their answer."""
    steps, tickets, tokens, _, _ = _steps()
    assert tokens.answer_ahead(BRAND, "t1", "takeover", "sue")
    _run(steps, task="offer", token="token-2", level=2, reason="threat")
    assert WORKFLOWS.answered["token-2"] == {"supervisor": "sue"} and tokens.waiting == {}
    assert tickets.actions(BRAND, "t1") == [], "no new offer is recorded or shown"


def test_a_recovery_issues_one_coupon_and_the_apology_names_it() -> None:
    steps, tickets, tokens, conversations, coupons = _steps(status=TicketStatus.RESOLVED)
    _run(steps, task="recovery", token="token-r", csat=1)
    assert tokens.peek(BRAND, "t1", "recovery") == {"csat": 1}
    decision = {"coupon_amount": 30, "message": "非常抱歉", "manager": "sue"}
    _run(steps, task="coupon", decision=decision)
    _run(steps, task="coupon", decision=decision)
    ticket = tickets.head(BRAND, "t1")
    assert ticket is not None and [c.amount for c in ticket.compensations] == [30] and len(coupons.issued) == 1
    _run(steps, task="apologize", decision=decision)
    (apology,) = conversations.sent[(BRAND, "c1")]
    assert "非常抱歉" in apology.text and "cp-1" in apology.text and "30" in apology.text
    assert tickets.actions(BRAND, "t1") == ["recovery_opened", "compensation_issued", "recovery_done"]


def test_an_apology_without_a_coupon_and_the_follow_up_are_said_once() -> None:
    steps, tickets, _, conversations, _ = _steps(status=TicketStatus.RESOLVED, lang="en")
    _run(steps, task="apologize", decision={"message": "We are sorry", "manager": "sue"})
    _run(steps, task="follow_up")
    _run(steps, task="follow_up")
    texts = [message.text for message in conversations.sent[(BRAND, "c1")]]
    assert len(texts) == 2 and "We are sorry" in texts[0]
    assert tickets.actions(BRAND, "t1") == ["recovery_done", "followed_up"]
