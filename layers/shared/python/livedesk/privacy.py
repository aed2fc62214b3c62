"""What agents see of customers' personal data: masked by default (138****5678), unmasked only for
supervisors and admins who ask for it, and every view and reveal goes to the audit log."""

from __future__ import annotations

from livedesk.audit import AuditLog
from livedesk.models import ConversationView, TicketView
from livedesk.pii import mask
from livedesk.tickets.lifecycle import Actor, Forbidden

REVEAL_DESCRIPTION = "Show personal data unmasked (supervisors and admins; the reveal is audited)"


class ViewPolicy:
    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit

    def _seen(self, actor: Actor, target: str, reveal: bool) -> None:
        if reveal and not actor.oversees:
            raise Forbidden("only supervisors and admins may reveal personal data")
        self._audit.record(actor, "reveal" if reveal else "view", target)

    def conversation(self, actor: Actor, view: ConversationView, reveal: bool = False) -> ConversationView:
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
        return view.model_copy(update={"history": history})
