"""The knowledge model: FAQs, products, policies, processes and live-session records, each versioned
with language, tags and source, and the passages search indexes for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter, model_validator

from livedesk.knowledge.kinds import Kind, PromiseType
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, Channel


class _Document(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=IDENTIFIER, max_length=128)
    brand_id: str = Field(pattern=IDENTIFIER, max_length=64)
    lang: Literal["zh", "en"]
    tags: list[str] = Field(default_factory=list)
    source: str = Field(min_length=1)
    version: int = Field(default=1, ge=1)


class Faq(_Document):
    kind: Literal[Kind.FAQ] = Kind.FAQ
    category: str
    questions: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    answer: str = Field(min_length=1)
    channels: list[Channel] = Field(default_factory=list)  # empty: any channel
    sku: str | None = None


class Product(_Document):
    kind: Literal[Kind.PRODUCT] = Kind.PRODUCT
    sku: str = Field(min_length=1)
    name: str = Field(min_length=1)
    category: str
    price: float | None = Field(default=None, ge=0)
    parameters: dict[str, object] = Field(default_factory=dict)
    materials: str = ""
    size_chart: dict[str, object] | None = None
    care_usage: str = ""
    qc_standard: str = ""
    warranty: str = ""
    supplier: str = ""  # who makes it: voice-of-customer reports go back to them


class PolicyScope(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    categories: list[str] = Field(default_factory=list)  # empty: every category


class Policy(_Document):
    kind: Literal[Kind.POLICY] = Kind.POLICY
    policy_key: str = Field(min_length=1)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None  # None: still in force
    scope: PolicyScope = PolicyScope()
    terms: dict[str, float] = Field(default_factory=dict, description="Machine-readable terms, e.g. return_window_days")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Policy:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class Process(_Document):
    kind: Literal[Kind.PROCESS] = Kind.PROCESS
    title: str = Field(min_length=1)
    steps: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)


class Promise(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: PromiseType
    text: str = Field(min_length=1)
    at: datetime
    sku: str | None = None


class LiveSession(_Document):
    kind: Literal[Kind.LIVE_SESSION] = Kind.LIVE_SESSION
    session_id: str = Field(pattern=IDENTIFIER, max_length=64)
    streamer: str
    start: datetime
    end: datetime
    skus: list[str] = Field(default_factory=list)
    promises: list[Promise] = Field(default_factory=list)


Document = Annotated[Faq | Product | Policy | Process | LiveSession, Field(discriminator="kind")]
DOCUMENT = TypeAdapter(Document)


class Passage(Model):
    """The unit search ranks: one question variant, one product facet, one policy, one process or
    one streamer promise. ``text`` is what is matched; ``content`` is what is shown."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    brand_id: str
    kind: Kind
    lang: str
    text: str
    content: str
    version: int
    source: str
    sku: str | None = None
    category: str | None = None
    session_id: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    at: datetime | None = None
    channels: list[str] = Field(default_factory=list)  # an FAQ's channels; empty: any channel
    terms: dict[str, float] = Field(default_factory=dict)  # a policy's machine-readable terms
    promise_type: str | None = None  # a streamer promise's kind: gift, coupon, price, shipping_date
    intents: dict[str, float] = Field(default_factory=dict)  # an FAQ's intent profile (livedesk.knowledge.topics)


def passages(document: Faq | Product | Policy | Process | LiveSession) -> list[Passage]:
    common: dict[str, Any] = {"doc_id": document.id, "brand_id": document.brand_id, "kind": document.kind, "lang": document.lang}
    common |= {"version": document.version, "source": document.source}
    match document:
        case Faq():
            return [
                Passage(
                    **common,
                    text=question,
                    content=document.answer,
                    sku=document.sku,
                    category=document.category,
                    channels=document.channels,
                )
                for question in document.questions
            ]
        case Product():
            name = f"{document.name} {document.sku}"
            specs = "；".join(f"{key}: {value}" for key, value in document.parameters.items())
            facets = [
                f"{specs}。{document.materials}",
                f"尺码 size chart: {document.size_chart}" if document.size_chart else "",
                document.care_usage,
                f"{document.qc_standard}。{document.warranty}",
            ]
            return [
                Passage(**common, text=f"{name} {facet}", content=facet, sku=document.sku, category=document.category)
                for facet in facets
                if facet.strip("。 ")
            ]
        case Policy():
            categories = document.scope.categories
            return [
                Passage(
                    **common,
                    text=f"{document.title} {document.text}",
                    content=document.text,
                    category=categories[0] if len(categories) == 1 else None,
                    effective_from=document.effective_from,
                    effective_to=document.effective_to,
                    terms=document.terms,
                )
            ]
        case Process():
            steps = " ".join(f"{n}. {step}" for n, step in enumerate(document.steps, start=1))
            return [Passage(**common, text=f"{document.title} {steps}", content=steps)]
        case LiveSession():
            return [
                Passage(
                    **common,
                    text=f"{document.streamer} {promise.type} {promise.text}",
                    content=promise.text,
                    sku=promise.sku,
                    session_id=document.session_id,
                    at=promise.at,
                    promise_type=promise.type,
                )
                for promise in document.promises
            ]
