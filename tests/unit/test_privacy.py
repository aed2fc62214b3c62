"""What agents see: personal data in survey comments is masked in ticket views and queues, and
conversations are read under the same skill rule as tickets."""

from datetime import UTC, datetime

import pytest

from livedesk.identity import Actor, Forbidden, Role
from livedesk.models import Channel, ConversationMessage, ConversationView, Csat, TicketView
from livedesk.privacy import ViewPolicy, masked_ticket
from tests.factories import a_ticket

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
AMY = Actor("amy", "lumi", Role.AGENT, frozenset({"after_sale"}))


class Audit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []

    def record(self, actor: Actor, action: str, target: str, detail: dict[str, str] | None = None) -> None:
        self.entries.append((action, target))


def test_a_survey_comment_is_masked_in_the_queue_and_in_views_unless_revealed() -> None:
    ticket = a_ticket(csat=Csat(score=1, comment="太慢了，打我电话13812345678", at=NOW))
    assert masked_ticket(ticket).csat.comment == "太慢了，打我电话138****5678"  # type: ignore[union-attr]
    assert ticket.csat.comment.endswith("13812345678"), "the stored ticket is untouched"  # type: ignore[union-attr]
    view = TicketView(**ticket.model_dump(), history=[])
    policy = ViewPolicy(Audit())  # type: ignore[arg-type]
    assert policy.ticket(AMY, view).csat.comment == "太慢了，打我电话138****5678"  # type: ignore[union-attr]
    supervisor = Actor("sue", "lumi", Role.SUPERVISOR)
    assert policy.ticket(supervisor, view, reveal=True).csat.comment.endswith("13812345678")  # type: ignore[union-attr]
    assert masked_ticket(a_ticket()) == a_ticket(), "no survey: nothing to mask"


def _conversation(ticket_id: str | None) -> ConversationView:
    said = ConversationMessage(
        message_id="msg-1",
        channel=Channel.APP_CHAT,
        channel_message_id="c-1",
        customer_id="cust-1",
        text="我要退货，电话13812345678",
        sent_at=NOW,
        ticket_id=ticket_id,
    )
    return ConversationView(
        conversation_id="conv-1",
        customer_id="cust-1",
        started_at=NOW,
        last_message_at=NOW,
        channels=[Channel.APP_CHAT],
        message_count=1,
        messages=[said],
    )


def test_an_agent_reads_a_conversation_only_with_a_ticket_they_may_work() -> None:
    audit = Audit()
    policy = ViewPolicy(audit)  # type: ignore[arg-type]
    tickets = {"tkt-1": a_ticket(ticket_id="tkt-1", skill="after_sale")}
    seen = policy.conversation(AMY, _conversation("tkt-1"), tickets.get)
    assert seen.messages[0].text == "我要退货，电话138****5678" and audit.entries == [("view", "conversation/conv-1")]
    ben = Actor("ben", "lumi", Role.AGENT, frozenset({"pre_sale"}))
    for outside in (_conversation("tkt-1"), _conversation(None), _conversation("tkt-gone")):
        with pytest.raises(Forbidden):
            policy.conversation(ben, outside, tickets.get)
    assert len(audit.entries) == 1, "a refused read is not a view"
    for overseer in (Actor("sue", "lumi", Role.SUPERVISOR), Actor("ops", "lumi", Role.OPERATOR)):
        assert policy.conversation(overseer, _conversation(None), tickets.get).conversation_id == "conv-1", overseer.role
