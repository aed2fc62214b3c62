"""What callers send to knowledge search and get back: the HTTP API and routing's direct invoke.
Pure pydantic, so the routing zip can use it without the index's numpy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from livedesk.knowledge.kinds import Kind, PromiseType
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, Channel, Strict

# The bot answers with the top hit when BM25 and the vectors agree on it and its cosine is at least
# this (multilingual-e5 cosines sit between 0.75 and 0.95); bench/search_answers.py measures it.
ANSWER_SIMILARITY = 0.88
# A live session is one document, so BM25 and the vectors always agree on its promise: a promise
# answers when it is at least this close (on bench/routing_accuracy.py's dev half every promise this
# close answered its question, and every one that did not was further away).
PROMISE_SIMILARITY = 0.90
# A live comment on a product's card asking about a kind of promise (its price, its gift) is answered
# by the session's promise of that kind about that very product when it is at least this close: the
# product and the kind already match, the cosine only checks the question is about it (English
# questions about Chinese promises sit around 0.82–0.86).
PRODUCT_PROMISE_SIMILARITY = 0.80
# Or with semantic search's closest document, when it is at least this close and closer than any
# other document by ANSWER_MARGIN (two FAQs almost as close: the question is ambiguous).
SEMANTIC_SIMILARITY = 0.92
ANSWER_MARGIN = 0.015
# An FAQ answers only a question that reads like its own questions: the message's intent reading and
# the FAQ's intent profile (livedesk.knowledge.topics) must overlap by at least this much.
TOPIC_OVERLAP = 0.05


class SearchFilters(Strict):
    kinds: list[Kind] | None = Field(default=None, min_length=1)
    sku: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=64)
    lang: str | None = Field(default=None, pattern="^(zh|en)$")
    live_session_id: str | None = Field(default=None, pattern=IDENTIFIER, max_length=64)
    channel: Channel | None = Field(default=None, description="Only FAQs that may be used on this channel")
    on: date | None = Field(default=None, description="Policies in force on this date; default today")


class SearchRequest(Strict):
    query: str = Field(min_length=1, max_length=500)
    k: int = Field(default=5, ge=1, le=20)
    filters: SearchFilters = SearchFilters()
    answer_kinds: list[Kind] | None = Field(
        default=None,
        min_length=1,
        description="Kinds of passage that may answer (all when unset); the others are still shown as hits",
    )
    min_similarity: float | None = Field(
        default=None,
        ge=0.6,
        le=0.99,
        description=f"The similarity an answer needs (default {ANSWER_SIMILARITY}; an experiment may change it)",
    )
    promise_types: list[PromiseType] | None = Field(
        default=None,
        min_length=1,
        description="The kinds of streamer promise the question asks about: with a live session and a SKU, "
        "that session's promise of one of these kinds about that SKU answers first",
    )
    intents: dict[str, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None,
        max_length=5,
        description="How the caller's intent model read the question (label: probability): an FAQ answers "
        f"only when its own questions read alike (overlap at least {TOPIC_OVERLAP})",
    )


class SearchHit(Model):
    doc_id: str
    kind: Kind
    content: str = Field(description="The passage to show or say: the answer, facet, policy text, steps or promise")
    matched: str = Field(description="The text that matched the query")
    score: float = Field(description="Fused reciprocal-rank score")
    similarity: float
    source: str
    version: int
    sku: str | None = None
    live_session_id: str | None = None
    promised_at: datetime | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    terms: dict[str, float] = Field(default_factory=dict, description="A policy's machine-readable terms")


class SearchResult(Model):
    hits: list[SearchHit]
    answer: str | None
    answer_doc_id: str | None = None
    reason: str
    embedder: str


class KnowledgeQuery(Strict):
    """A direct invoke of the search function (routing asks it for every message it understands)."""

    brand_id: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER)
    request: SearchRequest
    record_gap: bool = Field(default=True, description="False when the caller only wants hits for an agent, not an answer")
    customer_id: str | None = Field(default=None, max_length=64, description="Whose question; erasure removes their gaps")
    vector: list[float] | None = Field(
        default=None, max_length=4096, description="The query's embedding, when the caller embedded the message already"
    )
    embedder: str | None = Field(default=None, max_length=128, description="The name of the embedder that made ``vector``")
