"""Facts: what the KPIs are computed from. Each is one event the other functions already record —
a customer message with its routing decision, a reply, a ticket history event — turned into a flat
record when the table streams hand it over."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from livedesk import keys
from livedesk.modelbase import Model
from livedesk.understanding.normalize import normalize

TEXT_KEPT = 500  # characters of a customer's message kept (masked) for voice-of-customer examples


class Fact(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: Literal["message", "reply", "ticket"]
    fact_id: str  # unique per event: a replayed stream record maps to the same id
    brand_id: str
    at: datetime
    # message
    message_id: str | None = None
    conversation_id: str | None = None
    customer_id: str | None = None
    channel: str | None = None
    live_session_id: str | None = None
    sku: str | None = None
    intent: str | None = None
    intent_confidence: float | None = None
    skill: str | None = None
    lane: str | None = None
    polarity: str | None = None
    handled_by: Literal["bot", "person"] | None = None
    experiment_id: str | None = None  # the running experiment the customer was assigned in, and the variant
    variant: str | None = None
    text: str | None = None  # the customer's words, phone and order numbers masked
    # reply
    author: str | None = None
    # ticket event
    ticket_id: str | None = None
    action: str | None = None
    actor: str | None = None
    detail: dict[str, str] = Field(default_factory=dict)


def from_conversation_item(item: dict[str, Any]) -> Fact | None:
    """A new item of the conversations table: a customer's routed message, or a bot/agent reply."""
    if not str(item.get("sk", "")).startswith(keys.MESSAGE_SK):
        return None
    parsed = keys.conversation_of(item["pk"])
    if parsed is None:
        return None
    brand_id, conversation_id = parsed
    author = item.get("author", "customer")
    if author != "customer":
        return Fact(
            kind="reply",
            fact_id=f"reply#{item['message_id']}",
            brand_id=brand_id,
            at=item["sent_at"],
            message_id=item["message_id"],
            conversation_id=conversation_id,
            channel=item.get("channel"),
            author=author,
            ticket_id=item.get("ticket_id"),
        )
    routing = item.get("routing")
    if not routing:
        return None
    emotion = routing.get("emotion", {})
    return Fact(
        kind="message",
        fact_id=f"message#{item['message_id']}",
        brand_id=brand_id,
        at=item["sent_at"],
        message_id=item["message_id"],
        conversation_id=conversation_id,
        customer_id=item.get("customer_id"),
        channel=item.get("channel"),
        live_session_id=item.get("live_session_id"),
        sku=item.get("sku"),
        intent=routing.get("intent"),
        intent_confidence=float(routing.get("intent_confidence", 0)),
        skill=routing.get("queue"),
        lane=routing.get("value_lane"),
        polarity=emotion.get("polarity"),
        handled_by="person" if routing.get("needs_human") else "bot",
        experiment_id=routing.get("experiment_id"),
        variant=routing.get("variant"),
        text=normalize(str(item.get("text", ""))[:TEXT_KEPT]).display,
    )


def from_history_item(item: dict[str, Any]) -> Fact:
    """A new ticket history event."""
    parsed = keys.ticket_of(item["pk"])
    if parsed is None:
        raise ValueError(f"not a ticket history key: {item['pk']!r}")
    brand_id, ticket_id = parsed
    detail = item.get("detail") or {}
    return Fact(
        kind="ticket",
        fact_id=f"ticket#{ticket_id}#{item['sk']}",
        brand_id=brand_id,
        at=item["at"],
        ticket_id=ticket_id,
        action=item.get("action"),
        actor=item.get("actor"),
        detail={str(k): str(v) for k, v in detail.items()},
        experiment_id=detail.get("experiment_id"),
        variant=detail.get("variant"),
    )
