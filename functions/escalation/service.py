"""SLA checks run as tasks of the escalation state machine."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from livedesk.models import Ticket, TicketStatus

ANSWERED = {TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED}


class EscalationInput(BaseModel):
    brand_id: str
    ticket_id: str
    first_response_due: datetime
    correlation_id: str | None = None


class FirstResponseCheck(BaseModel):
    ticket_id: str
    breached: bool
    status: TicketStatus
    overdue_seconds: int


def check_first_response(ticket: Ticket, now: datetime) -> FirstResponseCheck:
    """Runs once the state machine's Wait has reached the due time: unanswered means breached."""
    answered = ticket.first_responded_at is not None or ticket.status in ANSWERED
    overdue = int((now - ticket.first_response_due).total_seconds())
    return FirstResponseCheck(
        ticket_id=ticket.ticket_id,
        breached=not answered,
        status=ticket.status,
        overdue_seconds=max(0, overdue),
    )
