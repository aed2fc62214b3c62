"""What agents see of customers' personal data: masked by default (138****5678), unmasked only for
supervisors and admins who ask for it, and every view and reveal goes to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from livedesk.audit import AuditLog
from livedesk.identity import Actor, Forbidden
from livedesk.models import ConversationView, Ticket, TicketView
from livedesk.pii import mask

TicketT = TypeVar("TicketT", bound=Ticket)
REVEAL_DESCRIPTION = "Show personal data unmasked (supervisors and admins; the reveal is audited)"


class ViewPolicy:
    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit

    def _seen(self, actor: Actor, target: str, reveal: bool) -> None:
        if reveal and not actor.oversees:
            raise Forbidden("only supervisors and admins may reveal personal data")
        self._audit.record(actor, "reveal" if reveal else "view", target)

    def conversation(
        self, actor: Actor, view: ConversationView, ticket_of: Callable[[str], Ticket | None], reveal: bool = False
    ) -> ConversationView:
        """A supervisor reads any conversation of the brand; an agent only one with a ticket they may
        work (of their skills, or theirs), as for the ticket itself. ``ticket_of`` reads a ticket."""
        if not actor.oversees:
            tickets = (ticket_of(ticket_id) for ticket_id in sorted({m.ticket_id for m in view.messages if m.ticket_id}))
            if not any(ticket is not None and actor.may_act_on(ticket) for ticket in tickets):
                raise Forbidden(f"conversation {view.conversation_id} has no ticket of your skills")
        self._seen(actor, f"conversation/{view.conversation_id}", reveal)
        if reveal:
            return view
        return view.model_copy(update={"messages": [m.model_copy(update={"text": mask(m.text)}) for m in view.messages]})

    def ticket(self, actor: Actor, view: TicketView, reveal: bool = False) -> TicketView:
        self._seen(actor, f"ticket/{view.ticket_id}", reveal)
        return view if reveal else self._masked(view)

    def changed(self, actor: Actor, view: TicketView, action: str) -> TicketView:
        """After a change: the audit entry names it; the answer is masked like any view."""
        self._audit.record(actor, "change", f"ticket/{view.ticket_id}", {"action": action, "version": str(view.version)})
        return self._masked(view)

    @staticmethod
    def _masked(view: TicketView) -> TicketView:
        history = [e.model_copy(update={"detail": {k: mask(v) for k, v in e.detail.items()}}) for e in view.history]
        return masked_ticket(view).model_copy(update={"history": history})


def masked_ticket(ticket: TicketT) -> TicketT:
    """A ticket as an agent's queue and views show it: the customer's survey comment masked."""
    if ticket.csat is None or not ticket.csat.comment:
        return ticket
    return ticket.model_copy(update={"csat": ticket.csat.model_copy(update={"comment": mask(ticket.csat.comment)})})
