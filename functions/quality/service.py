"""Inspect a conversation when its ticket is resolved; answer supervisors' questions about the
findings; let a brand's admin replace its rule file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from livedesk.analytics.facts import Fact
from livedesk.errors import InvalidRequest
from livedesk.identity import Actor
from livedesk.models import Conversation, ConversationMessage, Ticket
from livedesk.quality import report
from livedesk.quality.inspector import Inspector
from livedesk.quality.model import BrandKnowledge, ClosedConversation, EarlierContact, Inspection, TicketTiming, Turn
from livedesk.quality.rules import RuleSet

FEEDS_GAPS = ("policy_contradiction", "promise_contradiction")  # the agent did not know: a knowledge gap
QUIET = timedelta(hours=1)  # a bot conversation with no message for this long is closed


class Conversations(Protocol):
    def get(self, brand_id: str, conversation_id: str) -> tuple[Conversation, list[ConversationMessage]] | None: ...

    def list_for_customer(self, brand_id: str, customer_id: str, limit: int = 50) -> list[Conversation]: ...


class Tickets(Protocol):
    def head(self, brand_id: str, ticket_id: str) -> Ticket | None: ...


class Rules(Protocol):
    def rules_for(self, brand_id: str) -> RuleSet: ...

    def save(self, brand_id: str, rules: RuleSet) -> None: ...


class Knowledge(Protocol):
    def for_brand(self, brand_id: str) -> BrandKnowledge: ...


class Inspections(Protocol):
    def save(self, inspection: Inspection) -> None: ...

    def between(self, brand_id: str, start: datetime, end: datetime) -> list[Inspection]: ...


class Gaps(Protocol):
    def record(
        self, brand_id: str, query: str, reason: str, top_doc_id: str | None, at: datetime, customer_id: str | None = None
    ) -> None: ...


class Facts(Protocol):
    def facts(self, brand_id: str, start: datetime, end: datetime) -> list[Fact]: ...

    def brands(self) -> list[str]: ...


class Audit(Protocol):
    def record(self, actor: Actor, action: str, target: str, detail: dict[str, str] | None = None) -> Any: ...


def _turns(messages: list[ConversationMessage], since: datetime) -> list[Turn]:
    chosen = sorted((m for m in messages if m.sent_at >= since), key=lambda m: m.sent_at)
    return [Turn(message_id=m.message_id, author=m.author.value, author_id=m.author_id, text=m.text, sent_at=m.sent_at) for m in chosen]


def _earlier(conversation: Conversation, others: list[Conversation]) -> list[EarlierContact]:
    return [
        EarlierContact(conversation_id=c.conversation_id, started_at=c.started_at)
        for c in others
        if c.conversation_id != conversation.conversation_id and c.started_at < conversation.started_at
    ]


def closed_conversation(
    brand_id: str, ticket: Ticket, conversation: Conversation, messages: list[ConversationMessage], earlier: list[Conversation]
) -> ClosedConversation:
    """A ticket's part of the conversation: from the message that opened it to its resolution."""
    opening = next((m for m in messages if m.message_id == ticket.message_id), messages[0] if messages else None)
    return ClosedConversation(
        brand_id=brand_id,
        conversation_id=conversation.conversation_id,
        customer_id=ticket.customer_id,
        channel=ticket.channel.value,
        lang=ticket.lang,
        live_session_id=opening.live_session_id if opening else None,
        sku=opening.sku if opening else None,
        closed_at=ticket.resolved_at or ticket.closed_at or conversation.last_message_at,
        ticket=TicketTiming(
            ticket_id=ticket.ticket_id,
            assignee=ticket.assignee,
            skill=ticket.skill,
            created_at=ticket.created_at,
            first_response_due=ticket.first_response_due,
            first_responded_at=ticket.first_responded_at,
        ),
        turns=_turns(messages, opening.sent_at if opening else conversation.started_at),
        earlier=_earlier(conversation, earlier),
    )


def bot_conversations(facts: list[Fact], quiet_since: datetime) -> list[list[Fact]]:
    """The conversations the bot alone handled whose last message came before ``quiet_since``:
    closed, with no ticket to inspect them when it is resolved."""
    grouped: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.kind == "message" and fact.conversation_id:
            grouped[fact.conversation_id].append(fact)
    return [
        sorted(group, key=lambda f: f.at)
        for group in grouped.values()
        if all(f.handled_by == "bot" for f in group) and max(f.at for f in group) < quiet_since
    ]


def iso_week(week: str) -> tuple[datetime, datetime]:
    """2026-W49 → [Monday 00:00, next Monday 00:00) in UTC."""
    try:
        year, number = week.split("-W")
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise InvalidRequest("week is an ISO week such as 2026-W49") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


class QualityDesk:
    def __init__(
        self,
        *,
        conversations: Conversations,
        tickets: Tickets,
        rules: Rules,
        knowledge: Knowledge,
        inspections: Inspections,
        gaps: Gaps,
        audit: Audit,
        facts: Facts,
        clock: Callable[[], datetime],
    ) -> None:
        self._facts = facts
        self._conversations = conversations
        self._tickets = tickets
        self._rules = rules
        self._knowledge = knowledge
        self._inspections = inspections
        self._gaps = gaps
        self._audit = audit
        self._clock = clock

    def inspect_ticket(self, brand_id: str, ticket_id: str) -> Inspection | None:
        """Inspect the conversation of a resolved ticket; None when the ticket or its conversation is gone (erased)."""
        ticket = self._tickets.head(brand_id, ticket_id)
        found = self._conversations.get(brand_id, ticket.conversation_id) if ticket else None
        if ticket is None or found is None:
            return None
        conversation, messages = found
        earlier = self._conversations.list_for_customer(brand_id, ticket.customer_id)
        return self._inspect(closed_conversation(brand_id, ticket, conversation, messages, earlier))

    def sweep_bot_conversations(self, now: datetime) -> int:
        """Inspect every brand's bot-only conversations that went quiet in the hour before ``now - QUIET``
        (the hourly schedule; a later ``now`` re-runs a past hour). Returns how many were inspected."""
        inspected = 0
        for brand_id in self._facts.brands():
            for group in bot_conversations(self._facts.facts(brand_id, now - 2 * QUIET, now), now - QUIET):
                first = group[0]
                found = self._conversations.get(brand_id, str(first.conversation_id))
                if found is None or not first.customer_id:
                    continue  # erased meanwhile
                conversation, messages = found
                closed = ClosedConversation(
                    brand_id=brand_id,
                    conversation_id=conversation.conversation_id,
                    customer_id=first.customer_id,
                    channel=first.channel or "unknown",
                    live_session_id=first.live_session_id,
                    sku=first.sku,
                    closed_at=group[-1].at,
                    turns=_turns(messages, first.at),
                    earlier=_earlier(conversation, self._conversations.list_for_customer(brand_id, first.customer_id)),
                )
                self._inspect(closed)
                inspected += 1
        return inspected

    def _inspect(self, closed: ClosedConversation) -> Inspection:
        brand_id = closed.brand_id
        inspection = Inspector(self._rules.rules_for(brand_id)).conversation(closed, self._knowledge.for_brand(brand_id), self._clock())
        self._inspections.save(inspection)
        for finding in inspection.findings:
            if finding.rule_id in FEEDS_GAPS:
                reason = f"quality:{finding.rule_id}"
                self._gaps.record(brand_id, finding.excerpt, reason, finding.reference, inspection.closed_at, closed.customer_id)
        return inspection

    # -- what supervisors read ---------------------------------------------------------------
    def findings(self, brand_id: str, start: datetime, end: datetime, where: report.Where, limit: int) -> list[report.FindingRow]:
        return report.findings(self._inspections.between(brand_id, start, end), where, limit)

    def scores(self, brand_id: str, start: datetime, end: datetime, by: report.GroupBy, where: report.Where) -> list[report.ScoreRow]:
        chosen = [i for i in self._inspections.between(brand_id, start, end) if where.conversation(i)]
        return report.scores(chosen, by)

    def weekly(self, brand_id: str, week: str) -> report.WeeklySummary:
        start, end = iso_week(week)

        def bounds(offset: int) -> tuple[datetime, datetime]:
            return start + timedelta(days=7 * offset), end + timedelta(days=7 * offset)

        return report.weekly(
            week, self._inspections.between(brand_id, *bounds(0)), self._inspections.between(brand_id, *bounds(-1)), bounds
        )

    # -- the rule file -------------------------------------------------------------------------
    def rules(self, brand_id: str) -> RuleSet:
        return self._rules.rules_for(brand_id)

    def replace_rules(self, actor: Actor, rules: RuleSet) -> RuleSet:
        previous = self._rules.rules_for(actor.brand_id).version
        self._rules.save(actor.brand_id, rules)
        self._audit.record(actor, "change", "quality/rules", {"from_version": previous, "to_version": rules.version})
        return rules
