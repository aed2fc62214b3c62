"""Routing: decide, thread the message into the customer's conversation, open a ticket if a person is needed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from livedesk import ids, keys
from livedesk.clusters.store import LiveCluster, LiveClusterRepository
from livedesk.conversations.store import ConversationRepository
from livedesk.customers.store import CustomerRepository
from livedesk.experiments.model import Experiment, Variant
from livedesk.knowledge.client import KnowledgeSource
from livedesk.knowledge.contract import SearchFilters, SearchRequest, SearchResult
from livedesk.knowledge.kinds import Kind
from livedesk.modelbase import Model
from livedesk.models import (
    Author,
    Channel,
    ConversationMessage,
    InboundMessage,
    KnowledgeSuggestion,
    Polarity,
    RoutingDecision,
    Severity,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from livedesk.tickets.lifecycle import OPEN, customer_wrote
from livedesk.tickets.repository import TicketRepository, VersionConflict
from livedesk.tickets.sla import SlaPolicy
from livedesk.understanding.embedders import EMBEDDED_CHARS
from livedesk.understanding.normalize import NormalizedText, read_message
from livedesk.understanding.pipeline import Understander, Understanding
from livedesk.understanding.triage import CommentKind, signature, similarity, triage
from livedesk.value import ValueRules, assess_value
from routing.answers import CourtesyReplies
from routing.policy import (
    MIN_CONFIDENCE,
    BotAnswer,
    answer_kinds,
    clusterable,
    decide,
    is_for_knowledge,
    may_answer,
    may_self_serve,
    needs_supervisor,
    noise,
    promise_types,
)
from routing.selfservice import STOCK_INTENTS, Lookup, Question, SelfService


class RunningExperiments(Protocol):
    def running(self, brand_id: str) -> Experiment | None: ...


@dataclass(frozen=True)
class Arm:
    """The customer's variant of the brand's running experiment (the control's settings when none)."""

    experiment_id: str | None = None
    variant: Variant | None = None

    @property
    def min_confidence(self) -> float:
        return self.variant.min_confidence if self.variant and self.variant.min_confidence is not None else MIN_CONFIDENCE

    @property
    def answer_similarity(self) -> float | None:
        return self.variant.answer_similarity if self.variant else None

    @property
    def value_rules(self) -> ValueRules | None:
        return self.variant.value_rules if self.variant else None

    def worded(self, answer: str, lang: str) -> str:
        return self.variant.worded(answer, lang) if self.variant else answer

    def courtesy(self, intent: str, lang: str) -> str | None:
        texts = self.variant.courtesy.get(intent, {}) if self.variant else {}
        return texts.get(lang) or next(iter(texts.values()), None)


class RoutedMessage(Model):
    message_id: str
    conversation_id: str | None  # None: dropped as live-comment noise
    decision: RoutingDecision
    ticket_id: str | None = None
    cluster_id: str | None = None


SAME_QUESTION = 0.5  # Jaccard similarity of signatures, for messages of the same intent
SAME_WORDING = 0.8  # so similar that it is the same question whatever the classifier said
SUGGESTIONS = 3  # knowledge hits attached to a ticket
QUERY_CHARS = EMBEDDED_CHARS  # search reads the start of a long message, as it was embedded
POSSIBLE_PRODUCTS = 3  # products a stock question may be about when it names one of their variants
PRODUCT_SIMILARITY = 0.86  # a product hit this close names the product a stock question is about


@dataclass(frozen=True)
class ClusterMembership:
    cluster_id: str
    ticket_id: str | None
    joined: bool


class EscalationStarter(Protocol):
    def start(self, brand_id: str, ticket: Ticket, correlation_id: str | None) -> str:
        """Watch the ticket's SLA; returns the execution ARN."""
        ...

    def offer_to_supervisors(self, brand_id: str, ticket: Ticket, reason: str, correlation_id: str | None) -> str:
        """Put the conversation before a supervisor, who accepts it or it escalates again."""
        ...


class StepFunctionsEscalation:
    """Starts the SLA and supervisor-takeover state machines. Executions are named after the ticket,
    so a redelivered message never starts two."""

    def __init__(
        self, sfn: Any, sla_arn: str, takeover_arn: str, policy: SlaPolicy, takeover_timeout_s: int = 120, takeover_levels: int = 3
    ) -> None:
        self._sfn = sfn
        self._sla_arn = sla_arn
        self._takeover_arn = takeover_arn
        self._policy = policy
        self._takeover_timeout_s = takeover_timeout_s
        self._takeover_levels = takeover_levels

    def start(self, brand_id: str, ticket: Ticket, correlation_id: str | None) -> str:
        payload = {
            **_ticket_reference(brand_id, ticket, correlation_id),
            "severity": ticket.severity.value,
            "value_lane": ticket.value_lane.value,
            "first_response_due": _timestamp(ticket.first_response_due),
            "resolution_due": _timestamp(ticket.resolution_due),
            "notify_supervisor_at_once": self._policy.tiers[ticket.severity].notify_supervisor_at_once,
        }
        return self._start(self._sla_arn, ticket.ticket_id, payload)

    def offer_to_supervisors(self, brand_id: str, ticket: Ticket, reason: str, correlation_id: str | None) -> str:
        payload = {
            **_ticket_reference(brand_id, ticket, correlation_id),
            "reason": reason,
            "level": 1,
            "max_level": self._takeover_levels,
            "timeout_seconds": self._takeover_timeout_s,
        }
        return self._start(self._takeover_arn, f"{ticket.ticket_id}-takeover-v{ticket.version}", payload)

    def _start(self, arn: str, name: str, payload: dict[str, Any]) -> str:
        try:
            return str(self._sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))["executionArn"])
        except self._sfn.exceptions.ExecutionAlreadyExists:
            return f"{arn.replace(':stateMachine:', ':execution:')}:{name}"


def _ticket_reference(brand_id: str, ticket: Ticket, correlation_id: str | None) -> dict[str, Any]:
    return {
        "brand_id": brand_id,
        "ticket_id": ticket.ticket_id,
        "ticket_key": keys.ticket(brand_id, ticket.ticket_id),
        "correlation_id": correlation_id,
    }


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Router:
    def __init__(
        self,
        understander: Understander,
        knowledge: KnowledgeSource,
        courtesy: CourtesyReplies,
        customers: CustomerRepository,
        conversations: ConversationRepository,
        tickets: TicketRepository,
        escalation: EscalationStarter,
        clusters: LiveClusterRepository,
        clock: Callable[[], datetime],
        idle_window: timedelta = timedelta(hours=24),
        sla: SlaPolicy | None = None,
        value_rules: ValueRules = ValueRules(),
        self_service: SelfService | None = None,
        experiments: RunningExperiments | None = None,
    ) -> None:
        self._experiments = experiments
        self._understander = understander
        self._knowledge = knowledge
        self._courtesy = courtesy
        self._value_rules = value_rules
        self._customers = customers
        self._conversations = conversations
        self._tickets = tickets
        self._escalation = escalation
        self._clusters = clusters
        self._clock = clock
        self._idle_window = idle_window
        self._sla = sla or SlaPolicy.load()
        self._self_service = self_service

    def route(self, message: InboundMessage) -> RoutedMessage:
        brand = message.brand_id
        profile = self._customers.profile(brand, message.customer_id)
        arm = self._arm(message)
        value = assess_value(profile.value, message.sent_at, arm.value_rules or self._value_rules)
        live = message.channel is Channel.LIVE_COMMENT
        normalized = read_message(message.text)
        if live and triage(normalized) is CommentKind.NOISE:
            return RoutedMessage(message_id=message.message_id, conversation_id=None, decision=noise(value, self._understander.version))
        understood = self._understander.understand(normalized)
        conversation_id = self._conversation_for(message, profile.open_conversation)
        working = self._ticket_in_progress(message, conversation_id, profile.open_ticket)
        asked = None
        if live and message.live_session_id and working is None:
            asked = self._same_question(message, normalized.text, understood.intent.label)
        knowledge: SearchResult | None = None
        answer: BotAnswer | None = None
        lookup: Lookup | None = None
        consulted: list[str] = []
        if asked is not None:  # other viewers asked this already: their cluster's handling serves this one too
            answer = BotAnswer(asked.answer, asked.answer_source or asked.cluster_id) if asked.answer else None
            consulted.append(f"cluster:{asked.cluster_id}")
        elif working is None:
            knowledge, answer = self._consult(message, understood, normalized, arm)
            consulted.append("knowledge" if knowledge is not None else "knowledge:unavailable")
            lookup = self._look_up(message, understood, normalized, knowledge)
            if lookup is not None:
                consulted.append(lookup.source)
                if lookup.answer:
                    answer = BotAnswer(lookup.answer, lookup.source)
        handoff = lookup.handoff if lookup else None
        decision = decide(understood, value, answer, self._understander.version, handoff=handoff, min_confidence=arm.min_confidence)
        decision.lookups = consulted
        if arm.variant is not None:
            decision.experiment_id, decision.variant = arm.experiment_id, arm.variant.name
            if decision.answer and decision.answer_source != "courtesy" and asked is None:
                decision.answer = arm.worded(decision.answer, normalized.lang)
        if knowledge is not None:
            decision.reasons.append(f"knowledge: {knowledge.reason}")
        elif asked is None and working is None and answer is None:
            decision.reasons.append("knowledge search unavailable: no suggestions")
        if working is not None:
            decision = _to_the_ticket(decision, working)
        cluster = None
        if live and message.live_session_id and clusterable(decision) and working is None:
            cluster = self._cluster(message, normalized.text, decision, asked)
        entry = ConversationMessage(
            message_id=message.message_id,
            channel=message.channel,
            channel_message_id=message.channel_message_id,
            customer_id=message.customer_id,
            live_session_id=message.live_session_id,
            sku=message.sku,
            text=message.text,
            sent_at=message.sent_at,
            received_at=message.received_at,
            routed_at=self._clock(),
            routing=decision,
            cluster_id=cluster.cluster_id if cluster else None,
            ticket_id=cluster.ticket_id if cluster and cluster.joined else None,
        )
        self._conversations.append(brand, conversation_id, entry)
        if decision.answer:
            self._conversations.append_reply(brand, conversation_id, self._bot_reply(message, decision.answer), to=entry)
        self._customers.record_contact(brand, message.customer_id, message.sent_at)
        routed = RoutedMessage(
            message_id=message.message_id,
            conversation_id=conversation_id,
            decision=decision,
            cluster_id=entry.cluster_id,
            ticket_id=entry.ticket_id,
        )
        if working is not None:
            ticket = self._customer_wrote(brand, working, message, decision)
            self._conversations.set_ticket(brand, conversation_id, entry, ticket.ticket_id)
            routed.ticket_id = ticket.ticket_id
        elif decision.needs_human and not (cluster and cluster.joined):
            ticket = self._open_ticket(message, conversation_id, decision, knowledge, normalized.lang, lookup)
            self._conversations.set_ticket(brand, conversation_id, entry, ticket.ticket_id)
            self._customers.set_open_ticket(brand, message.customer_id, conversation_id, ticket.ticket_id)
            execution = self._escalation.start(brand, ticket, message.correlation_id)
            self._tickets.set_escalation(brand, ticket.ticket_id, execution)
            routed.ticket_id = ticket.ticket_id
        else:
            return routed
        if needs_supervisor(decision):
            self._escalation.offer_to_supervisors(brand, ticket, decision.reasons[-1], message.correlation_id)
        return routed

    def _ticket_in_progress(self, message: InboundMessage, conversation_id: str, open_ticket: tuple[str, str] | None) -> Ticket | None:
        """The open ticket a person works in this conversation, if any: the next messages are theirs.
        (Not the ticket this very message opened: routing it again must land where it did.)"""
        if open_ticket is None or open_ticket[0] != conversation_id:
            return None
        ticket = self._tickets.head(message.brand_id, open_ticket[1])
        if ticket is None or ticket.status not in OPEN or ticket.message_id == message.message_id:
            return None
        return ticket

    def _customer_wrote(self, brand_id: str, ticket: Ticket, message: InboundMessage, decision: RoutingDecision) -> Ticket:
        """Add the message to the ticket; a more urgent message (a threat, say) raises the ticket."""
        for _ in range(3):
            change = customer_wrote(ticket, message.message_id, self._clock(), decision.severity, decision.queue)
            if change is None:
                return ticket
            try:
                self._tickets.save(brand_id, ticket, change)
                return change.ticket
            except VersionConflict:
                ticket = self._tickets.head(brand_id, ticket.ticket_id) or ticket
        return ticket

    def _arm(self, message: InboundMessage) -> Arm:
        experiment = self._experiments.running(message.brand_id) if self._experiments else None
        if experiment is None:
            return Arm()
        return Arm(experiment.experiment_id, experiment.assign(message.customer_id))

    def _consult(
        self, message: InboundMessage, understood: Understanding, normalized: NormalizedText, arm: Arm
    ) -> tuple[SearchResult | None, BotAnswer | None]:
        """Search the brand's knowledge for every understood message: an answer when the bot may give
        one, otherwise the passages the agent will want. Thanks and small talk get a courtesy reply."""
        answerable = may_answer(understood, arm.min_confidence)
        intent = understood.intent.label
        if answerable and intent in self._courtesy.intents:
            text = arm.courtesy(intent, normalized.lang) or self._courtesy.reply(message.brand_id, intent, normalized.lang)
            return None, BotAnswer(text, "courtesy") if text else None
        filters = SearchFilters(live_session_id=message.live_session_id, sku=message.sku, channel=message.channel)
        request = SearchRequest(
            query=normalized.original[:QUERY_CHARS],
            k=SUGGESTIONS,
            filters=filters,
            answer_kinds=answer_kinds(understood),
            min_similarity=arm.answer_similarity,
            promise_types=promise_types(understood),
            intents=dict(understood.intent.ranked),
        )
        result = self._knowledge.lookup(
            message.brand_id, request, record_gap=is_for_knowledge(understood), customer_id=message.customer_id, vector=understood.vector
        )
        if answerable and result is not None and result.answer and result.answer_doc_id:
            return result, BotAnswer(result.answer, result.answer_doc_id)
        return result, None

    def _look_up(
        self, message: InboundMessage, understood: Understanding, normalized: NormalizedText, knowledge: SearchResult | None
    ) -> Lookup | None:
        """Order status, parcel tracking and stock from the supply chain, for the customer who asks."""
        if self._self_service is None or not may_self_serve(understood):
            return None
        products = tuple(hit.sku for hit in (knowledge.hits if knowledge else []) if hit.sku and hit.similarity >= PRODUCT_SIMILARITY)
        question = Question(
            brand_id=message.brand_id,
            customer_id=message.customer_id,
            text=normalized.text,
            lang=normalized.lang,
            references=tuple(normalized.order_numbers),
            sku=message.sku,
            candidate_skus=products,
            live_session_id=message.live_session_id,
        )
        if understood.intent.label in STOCK_INTENTS and not (message.sku or products):
            question = replace(question, products_like=lambda: self._products_like(message, normalized, understood))
        return self._self_service.lookup(understood.intent.label, question, self._clock())

    def _products_like(self, message: InboundMessage, normalized: NormalizedText, understood: Understanding) -> tuple[str, ...]:
        """The brand's products closest to a stock question that named none clearly ("is the C30
        cushion in stock?" written in English about a product named in Chinese): a search of
        product passages only, with the message's vector."""
        request = SearchRequest(
            query=normalized.original[:QUERY_CHARS],
            k=POSSIBLE_PRODUCTS,
            filters=SearchFilters(kinds=[Kind.PRODUCT]),
            answer_kinds=[Kind.PRODUCT],
        )
        found = self._knowledge.lookup(
            message.brand_id, request, record_gap=False, customer_id=message.customer_id, vector=understood.vector
        )
        return tuple(dict.fromkeys(hit.sku for hit in (found.hits if found else []) if hit.sku))

    def _bot_reply(self, message: InboundMessage, answer: str) -> ConversationMessage:
        reply_id = ids.bot_reply_id(message.message_id)
        return ConversationMessage(
            message_id=reply_id,
            author=Author.BOT,
            in_reply_to=message.message_id,
            channel=message.channel,
            channel_message_id=reply_id,
            customer_id=message.customer_id,
            live_session_id=message.live_session_id,
            sku=message.sku,
            text=answer,
            sent_at=max(self._clock(), message.sent_at),
        )

    def _same_question(self, message: InboundMessage, text: str, intent: str) -> LiveCluster | None:
        """The live session's cluster of this question, if viewers asked it already."""
        assert message.live_session_id
        mine = signature(text)

        def closeness(cluster: LiveCluster) -> float:
            score = similarity(mine, cluster.signature)
            return score if cluster.intent == intent or score >= SAME_WORDING else 0.0

        best = max(self._clusters.for_session(message.brand_id, message.live_session_id), key=closeness, default=None)
        return best if best is not None and closeness(best) >= SAME_QUESTION else None

    def _cluster(self, message: InboundMessage, text: str, decision: RoutingDecision, asked: LiveCluster | None) -> ClusterMembership:
        """Join the cluster of the same question when it is handled the same way (bot answer or one
        ticket), or start one. Only a cluster's first message opens a ticket: a burst is answered once."""
        assert message.live_session_id
        brand, session = message.brand_id, message.live_session_id
        if asked is not None and (asked.ticket_id is not None) == decision.needs_human:
            members = self._clusters.join(brand, session, asked.cluster_id, message.message_id)
            decision.reasons.append(f"same question as cluster {asked.cluster_id} ({members} viewers): answered once for all")
            return ClusterMembership(asked.cluster_id, asked.ticket_id, joined=True)
        ticket_id = ids.ticket_id(brand, message.message_id) if decision.needs_human else None
        cluster = LiveCluster(
            ids.cluster_id(brand, session, message.message_id),
            decision.intent,
            message.text,
            signature(text),
            1,
            ticket_id,
            decision.answer,
            decision.answer_source,
        )
        self._clusters.create(brand, session, cluster, message.message_id, message.sent_at)
        return ClusterMembership(cluster.cluster_id, ticket_id, joined=False)

    def _conversation_for(self, message: InboundMessage, current: tuple[str, datetime] | None) -> str:
        """Continue the customer's open conversation on any channel, or start a new one after the idle window."""
        brand = message.brand_id
        if current and abs(message.sent_at - current[1]) <= self._idle_window:
            conversation_id = current[0]
        else:
            conversation_id = ids.conversation_id(brand, message.message_id)
        self._customers.set_open_conversation(brand, message.customer_id, conversation_id, message.sent_at)
        return conversation_id

    def _open_ticket(
        self,
        message: InboundMessage,
        conversation_id: str,
        decision: RoutingDecision,
        knowledge: SearchResult | None,
        lang: str,
        lookup: Lookup | None = None,
    ) -> Ticket:
        now = self._clock()
        severity = decision.severity or Severity.P4
        first_due, resolution_due = self._sla.due(now, decision.value_lane, severity)
        ticket = Ticket(
            ticket_id=ids.ticket_id(message.brand_id, message.message_id),
            conversation_id=conversation_id,
            customer_id=message.customer_id,
            message_id=message.message_id,
            channel=message.channel,
            lang=lang,
            intent=decision.intent,
            severity=severity,
            status=TicketStatus.NEW,
            skill=decision.queue,
            tags=_tags(message, decision),
            value_lane=decision.value_lane,
            priority=decision.priority,
            created_at=now,
            first_response_due=first_due,
            resolution_due=resolution_due,
            knowledge=[
                KnowledgeSuggestion(
                    doc_id=hit.doc_id,
                    kind=hit.kind.value,
                    content=hit.content,
                    similarity=hit.similarity,
                    source=hit.source,
                    version=hit.version,
                )
                for hit in (knowledge.hits if knowledge else [])
            ]
            + _lookup_suggestions(lookup),
        )
        created = TicketEvent(at=now, actor="routing", action="created", detail=_created_detail(message, ticket, decision))
        self._tickets.create(message.brand_id, ticket, created)
        return ticket


def _lookup_suggestions(lookup: Lookup | None) -> list[KnowledgeSuggestion]:
    """What the supply chain said, on the ticket for the agent (order, parcel, stock: masked tails only)."""
    if lookup is None or not lookup.facts:
        return []
    detail = "; ".join(lookup.facts) + (f" — {lookup.handoff}" if lookup.handoff else "")
    return [KnowledgeSuggestion(doc_id=lookup.source, kind="supply", content=detail, similarity=1.0, source="supply chain", version=1)]


def _created_detail(message: InboundMessage, ticket: Ticket, decision: RoutingDecision) -> dict[str, str]:
    """What the KPIs slice and time a ticket by: its channel, session, queue, intent, lane, SLA
    deadlines, and the experiment variant its customer was in."""
    detail = {
        "skill": ticket.skill,
        "severity": ticket.severity.value,
        "channel": ticket.channel.value,
        "intent": ticket.intent,
        "lane": ticket.value_lane.value,
        "first_response_due": ticket.first_response_due.isoformat(),
        "resolution_due": ticket.resolution_due.isoformat(),
    }
    if decision.experiment_id and decision.variant:
        detail |= {"experiment_id": decision.experiment_id, "variant": decision.variant}
    return detail | ({"live_session_id": message.live_session_id} if message.live_session_id else {})


def _tags(message: InboundMessage, decision: RoutingDecision) -> list[str]:
    """What an agent filters by: the customer's tier, a negative emotion, a threat, the live session."""
    tags = {decision.value_tier}
    if decision.emotion.polarity is Polarity.NEGATIVE:
        tags.add(decision.emotion.category.value)
    if decision.emotion.threat:
        tags.add("threat")
    if message.live_session_id:
        tags.add(f"live:{message.live_session_id}")
    return sorted(tags)


def _to_the_ticket(decision: RoutingDecision, ticket: Ticket) -> RoutingDecision:
    """A message in a conversation a person is working goes to that person, never to the bot."""
    severity = min(decision.severity or ticket.severity, ticket.severity)
    queue = decision.queue if decision.severity is not None and decision.severity < ticket.severity else ticket.skill
    reason = f"the conversation has open ticket {ticket.ticket_id}: its agent answers"
    return decision.model_copy(
        update={
            "queue": queue,
            "severity": severity,
            "needs_human": True,
            "answer": None,
            "answer_source": None,
            "reasons": [*decision.reasons, reason],
        }
    )
