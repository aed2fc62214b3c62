"""Domain models shared by the functions. Every record belongs to one brand."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AwareDatetime, ConfigDict, Field

from livedesk.modelbase import Model

IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Channel(StrEnum):
    LIVE_COMMENT = "live_comment"
    APP_CHAT = "app_chat"
    DM = "dm"
    EMAIL = "email"
    PHONE_TRANSCRIPT = "phone_transcript"


class ValueLane(StrEnum):
    VIP = "vip"
    NORMAL = "normal"


class Polarity(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class EmotionCategory(StrEnum):
    ANGER = "anger"
    ANXIETY = "anxiety"
    DISAPPOINTMENT = "disappointment"
    SATISFACTION = "satisfaction"
    NEUTRAL = "neutral"


class Severity(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Author(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"


class TicketStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    PENDING_CUSTOMER = "pending_customer"
    PENDING_INTERNAL = "pending_internal"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MessageIn(Strict):
    """A customer message as a channel posts it."""

    channel: Channel
    channel_message_id: str = Field(min_length=1, max_length=128, pattern=IDENTIFIER)
    customer_id: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER)
    live_session_id: str | None = Field(default=None, max_length=64, pattern=IDENTIFIER)
    sku: str | None = Field(default=None, max_length=64, pattern=IDENTIFIER)
    text: str = Field(min_length=1, max_length=4000)
    sent_at: AwareDatetime


class InboundMessage(MessageIn):
    """A validated message with its brand and LiveDesk id: the body of the inbound queue."""

    brand_id: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER)
    message_id: str
    received_at: AwareDatetime
    correlation_id: str | None = None


class EmotionAssessment(Strict):
    polarity: Polarity
    score: float = Field(ge=-1.0, le=1.0, description="-1 very negative … +1 very positive")
    category: EmotionCategory
    intensity: float = Field(ge=0.0, le=1.0)
    threat: bool = Field(description="Complaint or escalation threat, e.g. 再不解决就投诉")
    matched_terms: list[str] = Field(default_factory=list)


class RoutingDecision(Strict):
    intent: str
    intent_confidence: float = Field(ge=0.0, le=1.0)
    emotion: EmotionAssessment
    value_lane: ValueLane
    value_tier: str = "normal"
    queue: str
    priority: int = Field(ge=1, le=5, description="1 is the most urgent")
    needs_human: bool
    severity: Severity | None = None
    answer: str | None = Field(default=None, description="The bot's reply when the bot answers")
    answer_source: str | None = Field(default=None, description="Where the reply comes from: a knowledge document id, or courtesy")
    reasons: list[str]
    classifier_version: str = Field(description="The intent and polarity models (kind and data version) that understood it")
    lookups: list[str] = Field(
        default_factory=list, description="What was consulted: knowledge, supply:order, supply:shipment, supply:stock, cluster…"
    )
    experiment_id: str | None = Field(default=None, description="The running experiment the customer is in")
    variant: str | None = Field(default=None, description="The customer's variant of it (the same for every message)")


class ConversationMessage(Strict):
    """A customer's message with its routing decision, or a reply to one (``author`` bot or agent)."""

    message_id: str
    author: Author = Author.CUSTOMER
    author_id: str | None = Field(default=None, description="The agent who wrote a reply")
    in_reply_to: str | None = None
    channel: Channel
    channel_message_id: str
    customer_id: str
    live_session_id: str | None = None
    sku: str | None = None
    text: str
    sent_at: datetime
    received_at: datetime | None = Field(default=None, description="When intake accepted a customer's message")
    routed_at: datetime | None = Field(default=None, description="When routing decided it: received_at to routed_at is time to route")
    routing: RoutingDecision | None = None
    ticket_id: str | None = None
    cluster_id: str | None = None
    delivered_at: datetime | None = Field(default=None, description="When a reply went out on its channel")
    delivery: str | None = Field(default=None, description="How it went out: recorded, or the channel's answer")


class Conversation(Strict):
    conversation_id: str
    customer_id: str
    started_at: datetime
    last_message_at: datetime
    channels: list[Channel]
    message_count: int


class ConversationView(Conversation):
    messages: list[ConversationMessage]


class TicketEvent(Strict):
    at: datetime
    actor: str
    action: str
    detail: dict[str, str] = Field(default_factory=dict)


class KnowledgeSuggestion(Strict):
    """A knowledge passage attached to a ticket for the agent who takes it."""

    doc_id: str
    kind: str
    content: str
    similarity: float
    source: str
    version: int


class Csat(Strict):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)
    at: datetime


class Compensation(Strict):
    """A goodwill coupon issued to make up for bad service."""

    coupon_id: str
    amount: float = Field(gt=0)
    currency: str = "CNY"
    issued_by: str
    at: datetime


class Ticket(Strict):
    ticket_id: str
    conversation_id: str
    customer_id: str
    message_id: str
    channel: Channel
    lang: str = Field(default="zh", description="The customer's language, for what LiveDesk tells them")
    intent: str
    severity: Severity
    status: TicketStatus
    skill: str = Field(description="The skill queue that works it: pre_sale, logistics, after_sale, supply_chain, supervisor, safety…")
    tags: list[str] = Field(default_factory=list)
    value_lane: ValueLane
    priority: int
    assignee: str | None = None
    created_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    sla_state: str = "on_track"
    escalation_execution: str | None = None
    merged_into: str | None = None
    duplicates: list[str] = Field(default_factory=list)
    csat: Csat | None = None
    compensations: list[Compensation] = Field(default_factory=list)
    knowledge: list[KnowledgeSuggestion] = Field(default_factory=list, description="Top knowledge hits for the agent")
    version: int = Field(default=1, description="Optimistic lock: every change adds one")


class TicketView(Ticket):
    history: list[TicketEvent]
