"""The ticket lifecycle as pure functions: who may do what, and what each action changes.

new → assigned → pending_customer / pending_internal → resolved → closed, with reopen. Every action
returns the changed ticket (its version one higher) and the history events to append; the caller
writes both at once, on condition that nobody changed the ticket meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from livedesk.errors import Conflict
from livedesk.identity import Actor, Forbidden
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, Severity, Ticket, TicketEvent, TicketStatus

OPEN = frozenset({TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.PENDING_CUSTOMER, TicketStatus.PENDING_INTERNAL})
DONE = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
TEXT = Field(min_length=1, max_length=4000)
AgentId = Annotated[str, Field(min_length=1, max_length=64, pattern=IDENTIFIER)]
Skill = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]


class InvalidTransition(Conflict):
    """Not possible in the ticket's current state (409)."""


class _Action(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(ge=1, description="The version the caller last read; a newer one means someone else changed the ticket (409)")


class Claim(_Action):
    kind: Literal["claim"] = "claim"


class Assign(_Action):
    kind: Literal["assign"] = "assign"
    agent_id: AgentId


class Transfer(_Action):
    kind: Literal["transfer"] = "transfer"
    skill: Skill = Field(description="The queue to move to, e.g. supply_chain for the supply-chain expert seat")
    agent_id: AgentId | None = Field(default=None, description="Hand it to this person directly")
    note: str = Field(min_length=1, max_length=4000, description="Context for whoever takes it next")


class Reply(_Action):
    kind: Literal["reply"] = "reply"
    text: str = TEXT


class Note(_Action):
    kind: Literal["note"] = "note"
    text: str = TEXT


class Wait(_Action):
    kind: Literal["wait"] = "wait"
    on: Literal["customer", "internal"]
    note: str | None = Field(default=None, max_length=4000)


class Resolve(_Action):
    kind: Literal["resolve"] = "resolve"
    resolution: str = TEXT


class Reopen(_Action):
    kind: Literal["reopen"] = "reopen"
    reason: str = TEXT


class Close(_Action):
    kind: Literal["close"] = "close"


class Merge(_Action):
    kind: Literal["merge"] = "merge"
    into: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER, description="The ticket this one duplicates")


Action = Claim | Assign | Transfer | Reply | Note | Wait | Resolve | Reopen | Close | Merge


@dataclass(frozen=True)
class Change:
    ticket: Ticket
    events: list[TicketEvent]


def apply(ticket: Ticket, action: Action, actor: Actor, now: datetime) -> Change:
    """The ticket after ``action`` by ``actor``, or Forbidden / InvalidTransition."""
    if not actor.may_act_on(ticket):
        raise Forbidden(f"{ticket.ticket_id} is in the {ticket.skill} queue, not one of your skills")
    if ticket.merged_into:
        raise InvalidTransition(f"{ticket.ticket_id} was merged into {ticket.merged_into}")
    updates: dict[str, object] = {}
    detail: dict[str, str] = {}
    if isinstance(action, Claim | Assign | Transfer) and ticket.assignee not in (None, actor.id) and not actor.oversees:
        raise InvalidTransition(f"{ticket.ticket_id} is already assigned to {ticket.assignee}")  # only its holder moves it
    match action:
        case Claim():
            _require(ticket, OPEN, "claim")
            updates = {"assignee": actor.id, "status": _working(ticket)}
        case Assign(agent_id=agent):
            _require(ticket, OPEN, "assign")
            if not actor.oversees and agent != actor.id:
                raise Forbidden("only a supervisor assigns tickets to someone else")
            updates, detail = {"assignee": agent, "status": _working(ticket)}, {"to": agent}
        case Transfer(skill=skill, agent_id=agent, note=note):
            _require(ticket, OPEN, "transfer")
            updates = {"skill": skill, "assignee": agent, "status": TicketStatus.ASSIGNED if agent else TicketStatus.NEW}
            detail = {"from": ticket.skill, "to": skill, "note": note, **({"agent": agent} if agent else {})}
        case Reply(text=text):
            _require(ticket, OPEN, "reply to")
            updates = {"status": TicketStatus.PENDING_CUSTOMER, "assignee": ticket.assignee or actor.id}
            if ticket.first_responded_at is None:
                updates["first_responded_at"] = now
            detail = {"text": text}
        case Note(text=text):
            _require(ticket, OPEN | DONE, "note")
            detail = {"text": text}
        case Wait(on=on, note=note):
            _require(ticket, OPEN, "put on hold")
            status = TicketStatus.PENDING_CUSTOMER if on == "customer" else TicketStatus.PENDING_INTERNAL
            updates, detail = {"status": status}, {"on": on, **({"note": note} if note else {})}
        case Resolve(resolution=resolution):
            _require(ticket, OPEN, "resolve")
            updates = {"status": TicketStatus.RESOLVED, "resolved_at": now, "assignee": ticket.assignee or actor.id}
            detail = {"resolution": resolution}
        case Reopen(reason=reason):
            _require(ticket, DONE, "reopen")
            updates = {"status": TicketStatus.ASSIGNED if ticket.assignee else TicketStatus.NEW, "resolved_at": None, "closed_at": None}
            detail = {"reason": reason}
        case Close():
            _require(ticket, {TicketStatus.RESOLVED}, "close")
            updates = {"status": TicketStatus.CLOSED, "closed_at": now}
        case Merge(into=into):
            _require(ticket, OPEN | {TicketStatus.RESOLVED}, "merge")
            if into == ticket.ticket_id:
                raise InvalidTransition("a ticket cannot be merged into itself")
            updates = {"status": TicketStatus.CLOSED, "closed_at": now, "merged_into": into}
            detail = {"into": into}
    event = TicketEvent(at=now, actor=actor.id, action=action.kind, detail=detail)
    return Change(ticket.model_copy(update={**updates, "version": ticket.version + 1}), [event])


def customer_wrote(
    ticket: Ticket, message_id: str, now: datetime, severity: Severity | None = None, skill: str | None = None
) -> Change | None:
    """The customer wrote again on an open ticket: a ticket waiting for them is back with the agent,
    and a more urgent message (``severity`` above the ticket's) raises the ticket and moves it to ``skill``."""
    if ticket.status not in OPEN:
        return None
    updates: dict[str, object] = {"version": ticket.version + 1}
    if ticket.status is TicketStatus.PENDING_CUSTOMER:
        updates["status"] = TicketStatus.ASSIGNED if ticket.assignee else TicketStatus.NEW
    detail = {"message_id": message_id}
    if severity is not None and severity < ticket.severity:
        updates |= {"severity": severity, "priority": max(1, min(ticket.priority, int(severity.value[1])))}
        detail["raised_to"] = severity.value
        if skill and skill != ticket.skill:
            updates |= {"skill": skill, "assignee": None, "status": TicketStatus.NEW}
            detail["moved_to"] = skill
    event = TicketEvent(at=now, actor="customer", action="customer_message", detail=detail)
    return Change(ticket.model_copy(update=updates), [event])


def merged(primary: Ticket, duplicate: Ticket, actor: Actor, now: datetime) -> Change:
    """The primary ticket records the duplicate folded into it."""
    if primary.status not in OPEN | {TicketStatus.RESOLVED}:
        raise InvalidTransition(f"{primary.ticket_id} is {primary.status.value}: merge into an open ticket")
    event = TicketEvent(at=now, actor=actor.id, action="merged_duplicate", detail={"duplicate": duplicate.ticket_id})
    duplicates = sorted({*primary.duplicates, duplicate.ticket_id})
    return Change(primary.model_copy(update={"duplicates": duplicates, "version": primary.version + 1}), [event])


def breached(ticket: Ticket, kind: Literal["first_response", "resolution"], raised: Severity, now: datetime) -> Change:
    """An SLA was missed: the tier goes up, the ticket moves ahead in its queue, and a ticket nobody
    answered in time goes back to the queue for whoever is free."""
    updates: dict[str, object] = {
        "sla_state": f"{kind}_breached",
        "severity": raised,
        "priority": max(1, ticket.priority - 1),
        "version": ticket.version + 1,
    }
    if kind == "first_response" and ticket.status in (TicketStatus.NEW, TicketStatus.ASSIGNED):
        updates |= {"assignee": None, "status": TicketStatus.NEW}
    detail = {"severity": raised.value, "was": ticket.severity.value}
    if "assignee" in updates and ticket.assignee:
        detail["was_assigned_to"] = ticket.assignee
    return Change(ticket.model_copy(update=updates), [TicketEvent(at=now, actor="sla", action=f"{kind}_breached", detail=detail)])


def _working(ticket: Ticket) -> TicketStatus:
    return TicketStatus.ASSIGNED if ticket.status is TicketStatus.NEW else ticket.status


def _require(ticket: Ticket, allowed: frozenset[TicketStatus] | set[TicketStatus], verb: str) -> None:
    if ticket.status not in allowed:
        raise InvalidTransition(f"cannot {verb} {ticket.ticket_id}: it is {ticket.status.value}")
