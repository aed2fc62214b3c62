"""Records the tests build again and again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from livedesk.models import Channel, Severity, Ticket, TicketStatus, ValueLane

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def a_ticket(**changes: object) -> Ticket:
    """A fresh P3 refund ticket in the after_sale queue, with ``changes`` applied."""
    ticket = Ticket(
        ticket_id="t1",
        conversation_id="c1",
        customer_id="u1",
        message_id="m1",
        channel=Channel.APP_CHAT,
        intent="refund",
        severity=Severity.P3,
        status=TicketStatus.NEW,
        skill="after_sale",
        value_lane=ValueLane.NORMAL,
        priority=3,
        created_at=NOW,
        first_response_due=NOW + timedelta(minutes=3),
        resolution_due=NOW + timedelta(hours=48),
    )
    return ticket.model_copy(update=changes)
