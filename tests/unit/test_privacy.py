"""What agents see: personal data in survey comments is masked in ticket views and queues."""

from datetime import UTC, datetime

from livedesk.models import Csat, TicketView
from livedesk.privacy import ViewPolicy, masked_ticket
from livedesk.tickets.lifecycle import Actor, Role
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
