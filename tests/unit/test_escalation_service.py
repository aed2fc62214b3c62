from datetime import UTC, datetime, timedelta

from escalation.service import check_first_response
from livedesk.models import Channel, Severity, Ticket, TicketStatus, ValueLane

DUE = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _ticket(**changes: object) -> Ticket:
    fields = dict(
        ticket_id="tkt_1",
        conversation_id="conv_1",
        customer_id="c",
        message_id="m",
        channel=Channel.DM,
        intent="refund",
        severity=Severity.P3,
        status=TicketStatus.NEW,
        queue="after_sale",
        value_lane=ValueLane.VIP,
        priority=2,
        created_at=DUE - timedelta(seconds=60),
        first_response_due=DUE,
        resolution_due=DUE + timedelta(hours=48),
    )
    return Ticket.model_validate({**fields, **changes})


def test_unanswered_at_the_due_time_is_a_breach() -> None:
    result = check_first_response(_ticket(), DUE + timedelta(seconds=5))
    assert result.breached
    assert result.overdue_seconds == 5


def test_a_first_response_meets_the_sla() -> None:
    assert not check_first_response(_ticket(first_responded_at=DUE - timedelta(seconds=10)), DUE).breached
    assert not check_first_response(_ticket(status=TicketStatus.PENDING_CUSTOMER), DUE).breached
