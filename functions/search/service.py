"""Knowledge search: hybrid ranking with filters, an answer only when it is confident, and a record
of every query the knowledge could not answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, Field

from livedesk.knowledge.documents import Kind
from livedesk.knowledge.hybrid import Filters, Hit
from livedesk.models import IDENTIFIER, Strict
from livedesk.understanding.normalize import normalize

# An answer needs the top hit to be first for both BM25 and the vectors and a cosine of at least
# this (multilingual-e5 cosines sit between 0.75 and 0.95); see the README for how it was chosen.
ANSWER_SIMILARITY = 0.88


class SearchFilters(Strict):
    kinds: list[Kind] | None = Field(default=None, min_length=1)
    sku: str | None = Field(default=None, max_length=64)
    category: str | None = Field(default=None, max_length=64)
    lang: str | None = Field(default=None, pattern="^(zh|en)$")
    live_session_id: str | None = Field(default=None, pattern=IDENTIFIER, max_length=64)
    on: date | None = Field(default=None, description="Policies in force on this date; default today")


class SearchRequest(Strict):
    query: str = Field(min_length=1, max_length=500)
    k: int = Field(default=5, ge=1, le=20)
    filters: SearchFilters = SearchFilters()


class SearchHit(BaseModel):
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


class SearchResult(BaseModel):
    hits: list[SearchHit]
    answer: str | None
    answer_doc_id: str | None = None
    reason: str
    embedder: str


class SearchIndex(Protocol):
    @property
    def embedder_name(self) -> str: ...

    def search(self, brand_id: str, query: str, filters: Filters, k: int) -> list[Hit]: ...


class GapRecorder(Protocol):
    def record(self, brand_id: str, query: str, reason: str, top_doc_id: str | None, at: datetime) -> None: ...


def _hit(hit: Hit) -> SearchHit:
    passage = hit.passage
    return SearchHit(
        doc_id=passage.doc_id,
        kind=passage.kind,
        content=passage.content,
        matched=passage.text,
        score=hit.score,
        similarity=hit.similarity,
        source=passage.source,
        version=passage.version,
        sku=passage.sku,
        live_session_id=passage.session_id,
        promised_at=passage.at,
        effective_from=passage.effective_from,
        effective_to=passage.effective_to,
    )


class KnowledgeSearch:
    def __init__(self, index: Callable[[], SearchIndex], gaps: GapRecorder, clock: Callable[[], datetime]) -> None:
        self._index = index
        self._gaps = gaps
        self._clock = clock

    def search(self, brand_id: str, request: SearchRequest) -> SearchResult:
        now = self._clock()
        wanted = request.filters
        filters = Filters(
            kinds=frozenset(wanted.kinds) if wanted.kinds else None,
            sku=wanted.sku,
            category=wanted.category,
            lang=wanted.lang,
            session_id=wanted.live_session_id,
            on=wanted.on or now.date(),
        )
        index = self._index()
        hits = index.search(brand_id, request.query, filters, request.k)
        if wanted.live_session_id:  # "the host said…": the session's own promises come first
            promises = index.search(
                brand_id, request.query, Filters(kinds=frozenset({Kind.LIVE_SESSION}), session_id=wanted.live_session_id), 2
            )
            hits = [*promises, *(h for h in hits if h.passage.doc_id not in {p.passage.doc_id for p in promises})][: request.k]
        shown = [_hit(hit) for hit in hits]
        if not hits:
            reason = "no knowledge matches"
        else:
            top = hits[0]
            agreed = top.lexical_rank == 1 and top.dense_rank == 1
            if agreed and top.similarity >= ANSWER_SIMILARITY:
                return SearchResult(
                    hits=shown,
                    answer=top.passage.content,
                    answer_doc_id=top.passage.doc_id,
                    reason="confident match",
                    embedder=index.embedder_name,
                )
            reason = (
                f"low confidence: similarity {top.similarity:.2f} (needs {ANSWER_SIMILARITY})"
                if agreed
                else "low confidence: keyword and semantic search disagree on the best match"
            )
        masked = normalize(request.query).display  # phone and order numbers never reach the gap log
        self._gaps.record(brand_id, masked, reason, hits[0].passage.doc_id if hits else None, now)
        return SearchResult(hits=shown, answer=None, reason=reason, embedder=index.embedder_name)
