"""What inspection reads (a closed conversation and the brand's knowledge) and what it writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import ConfigDict, Field

from livedesk.modelbase import Model
from livedesk.quality.rules import FindingSeverity


class _Frozen(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Turn(_Frozen):
    message_id: str
    author: Literal["customer", "agent", "bot"]
    author_id: str | None = None
    text: str
    sent_at: datetime


class EarlierContact(_Frozen):
    conversation_id: str
    started_at: datetime


class TicketTiming(_Frozen):
    ticket_id: str
    assignee: str | None = None
    skill: str
    created_at: datetime
    first_response_due: datetime
    first_responded_at: datetime | None = None


class ClosedConversation(_Frozen):
    """A conversation as it stood when it closed: every turn, its ticket's timing, earlier contacts."""

    brand_id: str
    conversation_id: str
    customer_id: str
    channel: str
    lang: str = "zh"
    live_session_id: str | None = None
    sku: str | None = None
    closed_at: datetime
    ticket: TicketTiming | None = None
    turns: list[Turn]
    earlier: list[EarlierContact] = Field(default_factory=list)


class PolicyTerms(_Frozen):
    doc_id: str
    effective_from: date
    effective_to: date | None = None
    terms: dict[str, float]

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class StreamerPromise(_Frozen):
    doc_id: str
    session_id: str
    type: Literal["gift", "coupon", "price", "shipping_date"]
    text: str
    at: datetime
    sku: str | None = None


class BrandKnowledge(_Frozen):
    """The facts replies are checked against: policies with their machine-readable terms, and what
    streamers promised in each live session."""

    policies: list[PolicyTerms] = Field(default_factory=list)
    promises: list[StreamerPromise] = Field(default_factory=list)

    def term_in_force(self, term: str, on: date) -> tuple[float, str] | None:
        for policy in self.policies:
            if term in policy.terms and policy.in_force(on):
                return policy.terms[term], policy.doc_id
        return None

    def promises_for(self, session_id: str | None, sku: str | None, kind: str) -> list[StreamerPromise]:
        """The session's promises of a kind: the SKU's own and the session-wide ones."""
        if session_id is None:
            return []
        return [p for p in self.promises if p.session_id == session_id and p.type == kind and (sku is None or p.sku in (None, sku))]

    @classmethod
    def from_records(cls, records: list[dict[str, object]]) -> BrandKnowledge:
        """From the knowledge index's passages (``passages.json`` of the published artifact)."""
        policies: dict[str, PolicyTerms] = {}
        promises: list[StreamerPromise] = []
        for record in records:
            if record.get("kind") == "policy" and record.get("terms"):
                policies[str(record["doc_id"])] = PolicyTerms.model_validate(record)
            elif record.get("kind") == "live_session" and record.get("promise_type") and record.get("at"):
                promises.append(StreamerPromise.model_validate({**record, "type": record["promise_type"], "text": record["content"]}))
        return cls(policies=list(policies.values()), promises=promises)


class Finding(_Frozen):
    rule_id: str
    severity: FindingSeverity
    message_id: str | None = Field(default=None, description="The reply it is about; none for a conversation-wide finding")
    author: Literal["agent", "bot"] | None = None
    author_id: str | None = Field(default=None, description="The agent it is attributed to")
    span: tuple[int, int] | None = Field(default=None, description="Character offsets of the offending words in the reply")
    excerpt: str = Field(default="", description="The offending sentence, personal data masked")
    detail: str = ""
    suggestion: str
    reference: str | None = Field(default=None, description="The policy or live-session document contradicted, or the earlier conversation")


class Inspection(_Frozen):
    brand_id: str
    conversation_id: str
    customer_id: str
    ticket_id: str | None = None
    channel: str
    skill: str | None = None
    live_session_id: str | None = None
    agents: list[str]
    closed_at: datetime
    inspected_at: datetime
    rules_version: str
    findings: list[Finding]
    score: int = Field(ge=0, le=100)
    agent_scores: dict[str, int] = Field(default_factory=dict, description="100 minus the penalties of each agent's own findings")
