"""The ticket lifecycle: transitions, who may act, and the history each change leaves."""

import pytest

from livedesk.identity import Actor, Forbidden, Role
from livedesk.models import Severity, TicketStatus
from livedesk.tickets.lifecycle import (
    Assign,
    Claim,
    Close,
    InvalidTransition,
    Merge,
    Note,
    Reopen,
    Reply,
    Resolve,
    Transfer,
    Wait,
    apply,
    breached,
    customer_wrote,
    merged,
)
from tests.factories import NOW, a_ticket

AMY = Actor("amy", "lumi", Role.AGENT, frozenset({"after_sale"}))
BEN = Actor("ben", "lumi", Role.AGENT, frozenset({"pre_sale"}))
SUE = Actor("sue", "lumi", Role.SUPERVISOR)


def test_an_agent_works_a_ticket_from_claim_to_close() -> None:
    ticket = a_ticket()
    steps = [
        (Claim(version=1), TicketStatus.ASSIGNED),
        (Reply(version=2, text="已为您登记退款"), TicketStatus.PENDING_CUSTOMER),
        (Wait(version=3, on="internal", note="等仓库确认"), TicketStatus.PENDING_INTERNAL),
        (Resolve(version=4, resolution="退款已原路返回"), TicketStatus.RESOLVED),
        (Close(version=5), TicketStatus.CLOSED),
    ]
    history = []
    for action, status in steps:
        change = apply(ticket, action, AMY, NOW)
        ticket = change.ticket
        history += change.events
        assert ticket.status is status and ticket.version == action.version + 1
    assert ticket.assignee == "amy" and ticket.first_responded_at == NOW and ticket.resolved_at == NOW and ticket.closed_at == NOW
    assert [e.action for e in history] == ["claim", "reply", "wait", "resolve", "close"]
    assert history[1].detail == {"text": "已为您登记退款"} and all(e.actor == "amy" for e in history)


def test_an_agent_acts_only_on_their_skills_and_a_supervisor_on_any() -> None:
    with pytest.raises(Forbidden):
        apply(a_ticket(), Claim(version=1), BEN, NOW)
    assert apply(a_ticket(), Claim(version=1), SUE, NOW).ticket.assignee == "sue"
    assert AMY.may_act_on(a_ticket(skill="pre_sale", assignee="amy")), "an agent keeps what is assigned to them"


def test_only_a_supervisor_assigns_to_someone_else() -> None:
    with pytest.raises(Forbidden):
        apply(a_ticket(), Assign(version=1, agent_id="cho"), AMY, NOW)
    assert apply(a_ticket(), Assign(version=1, agent_id="cho"), SUE, NOW).ticket.assignee == "cho"


def test_a_claimed_ticket_cannot_be_claimed_by_another_agent() -> None:
    other = Actor("dan", "lumi", Role.AGENT, frozenset({"after_sale"}))
    with pytest.raises(InvalidTransition, match="already assigned to amy"):
        apply(a_ticket(status=TicketStatus.ASSIGNED, assignee="amy"), Claim(version=1), other, NOW)


def test_transfer_to_the_supply_chain_expert_keeps_the_context() -> None:
    change = apply(a_ticket(), Transfer(version=1, skill="supply_chain", note="同批次三起开胶，疑似质量问题"), AMY, NOW)
    assert (change.ticket.skill, change.ticket.status, change.ticket.assignee) == ("supply_chain", TicketStatus.NEW, None)
    assert change.events[0].detail == {"from": "after_sale", "to": "supply_chain", "note": "同批次三起开胶，疑似质量问题"}


def test_reopen_and_what_a_finished_ticket_refuses() -> None:
    resolved = a_ticket(status=TicketStatus.RESOLVED, assignee="amy", resolved_at=NOW)
    with pytest.raises(InvalidTransition, match="cannot reply to"):
        apply(resolved, Reply(version=1, text="hi"), AMY, NOW)
    reopened = apply(resolved, Reopen(version=1, reason="客户说还没收到退款"), AMY, NOW).ticket
    assert (reopened.status, reopened.resolved_at) == (TicketStatus.ASSIGNED, None)
    assert apply(resolved, Note(version=1, text="回访记录"), AMY, NOW).ticket.status is TicketStatus.RESOLVED
    with pytest.raises(InvalidTransition):
        apply(a_ticket(), Close(version=1), AMY, NOW)


def test_merging_a_duplicate_closes_it_and_the_primary_records_it() -> None:
    duplicate = apply(a_ticket(ticket_id="t2"), Merge(version=1, into="t1"), AMY, NOW)
    assert (duplicate.ticket.status, duplicate.ticket.merged_into) == (TicketStatus.CLOSED, "t1")
    primary = merged(a_ticket(), a_ticket(ticket_id="t2"), AMY, NOW)
    assert primary.ticket.duplicates == ["t2"] and primary.events[0].action == "merged_duplicate"
    with pytest.raises(InvalidTransition, match="merged into t1"):
        apply(duplicate.ticket, Reopen(version=2, reason="x"), SUE, NOW)
    with pytest.raises(InvalidTransition, match="itself"):
        apply(a_ticket(), Merge(version=1, into="t1"), AMY, NOW)


def test_a_customer_writing_again_brings_the_ticket_back_to_the_agent() -> None:
    change = customer_wrote(a_ticket(status=TicketStatus.PENDING_CUSTOMER, assignee="amy"), "m2", NOW)
    assert change is not None and change.ticket.status is TicketStatus.ASSIGNED
    assert change.events[0].detail == {"message_id": "m2"}
    assert customer_wrote(a_ticket(status=TicketStatus.CLOSED), "m3", NOW) is None


def test_a_missed_first_response_raises_the_tier_and_puts_the_ticket_back_in_the_queue() -> None:
    change = breached(a_ticket(status=TicketStatus.ASSIGNED, assignee="amy"), "first_response", Severity.P2, NOW)
    ticket = change.ticket
    assert (ticket.severity, ticket.priority, ticket.sla_state) == (Severity.P2, 2, "first_response_breached")
    assert (ticket.status, ticket.assignee) == (TicketStatus.NEW, None), "re-queued for whoever is free"
    assert change.events[0].detail == {"severity": "P2", "was": "P3", "was_assigned_to": "amy"} and change.events[0].actor == "sla"
    waiting = breached(a_ticket(status=TicketStatus.PENDING_INTERNAL, assignee="amy"), "resolution", Severity.P2, NOW).ticket
    assert (waiting.status, waiting.assignee, waiting.sla_state) == (TicketStatus.PENDING_INTERNAL, "amy", "resolution_breached")


def test_a_more_urgent_message_raises_the_ticket_and_moves_it() -> None:
    change = customer_wrote(a_ticket(status=TicketStatus.ASSIGNED, assignee="amy"), "m2", NOW, Severity.P2, "supervisor")
    assert change is not None
    assert (change.ticket.severity, change.ticket.skill, change.ticket.assignee) == (Severity.P2, "supervisor", None)
    assert change.events[0].detail == {"message_id": "m2", "raised_to": "P2", "moved_to": "supervisor"}


@pytest.mark.parametrize(
    "action",
    [Assign(version=1, agent_id="cho"), Transfer(version=1, skill="supply_chain", agent_id="cho", note="take it")],
    ids=["assign-to-self", "transfer-to-someone"],
)
def test_an_agent_may_not_move_a_ticket_another_agent_holds(action: Assign | Transfer) -> None:
    held = a_ticket(status=TicketStatus.ASSIGNED, assignee="amy")
    cho = Actor("cho", "lumi", Role.AGENT, frozenset({"after_sale"}))
    with pytest.raises(InvalidTransition, match="already assigned to amy"):
        apply(held, action, cho, NOW)
    assert apply(held, action, SUE, NOW).ticket.assignee == "cho", "a supervisor still may"
