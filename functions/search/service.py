"""Knowledge search: hybrid ranking with filters, an answer only when it is confident, and a record
of every query the knowledge could not answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from livedesk.knowledge.contract import ANSWER_SIMILARITY, SearchHit, SearchRequest, SearchResult
from livedesk.knowledge.documents import Kind, Passage
from livedesk.knowledge.hybrid import Filters, Hit
from livedesk.understanding.normalize import normalize


class SearchIndex(Protocol):
    @property
    def embedder_name(self) -> str: ...

    def search(self, brand_id: str, query: str, filters: Filters, k: int, vector: Sequence[float] | None = None) -> list[Hit]: ...


class GapRecorder(Protocol):
    def record(
        self, brand_id: str, query: str, reason: str, top_doc_id: str | None, at: datetime, customer_id: str | None = None
    ) -> None: ...


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
        terms=passage.terms,
    )


def answer_text(passage: Passage) -> str:
    """What the bot says: the passage, and for a streamer's promise also when it was made."""
    if passage.kind is not Kind.LIVE_SESSION or passage.at is None:
        return passage.content
    if passage.lang == "en":
        return f"At {passage.at:%H:%M} on {passage.at:%b %d} the host said: “{passage.content}”"
    return f"主播在 {passage.at.month}月{passage.at.day}日 {passage.at:%H:%M} 说过：「{passage.content}」"


class KnowledgeSearch:
    def __init__(self, index: Callable[[], SearchIndex], gaps: GapRecorder, clock: Callable[[], datetime]) -> None:
        self._index = index
        self._gaps = gaps
        self._clock = clock

    def search(
        self,
        brand_id: str,
        request: SearchRequest,
        record_gap: bool = True,
        customer_id: str | None = None,
        vector: Sequence[float] | None = None,
        embedder: str | None = None,
    ) -> SearchResult:
        """``vector``: the query already embedded by ``embedder`` (routing embeds each message once);
        used when the index was built with the same embedder, else the query is embedded here."""
        now = self._clock()
        wanted = request.filters
        filters = Filters(
            kinds=frozenset(wanted.kinds) if wanted.kinds else None,
            sku=wanted.sku,
            category=wanted.category,
            lang=wanted.lang,
            session_id=wanted.live_session_id,
            channel=wanted.channel.value if wanted.channel else None,
            on=wanted.on or now.date(),
        )
        index = self._index()
        if vector is not None and embedder != index.embedder_name:
            vector = None
        hits = index.search(brand_id, request.query, filters, request.k, vector=vector)
        answering = frozenset(request.answer_kinds) if request.answer_kinds else frozenset(Kind)
        if wanted.live_session_id and Kind.LIVE_SESSION in answering:  # "the host said…": the session's promises come first
            session = Filters(kinds=frozenset({Kind.LIVE_SESSION}), session_id=wanted.live_session_id)
            promises = index.search(brand_id, request.query, session, 2, vector=vector)
            hits = [*promises, *(h for h in hits if h.passage.doc_id not in {p.passage.doc_id for p in promises})][: request.k]
        shown = [_hit(hit) for hit in hits]
        if not hits:
            reason = "no knowledge matches"
        else:
            top = hits[0]
            agreed = top.lexical_rank == 1 and top.dense_rank == 1
            if top.passage.kind not in answering:
                reason = f"the best match is a {top.passage.kind.value} passage, which does not answer this kind of question"
            elif agreed and top.similarity >= (request.min_similarity or ANSWER_SIMILARITY):
                return SearchResult(
                    hits=shown,
                    answer=answer_text(top.passage),
                    answer_doc_id=top.passage.doc_id,
                    reason="confident match",
                    embedder=index.embedder_name,
                )
            else:
                reason = (
                    f"low confidence: similarity {top.similarity:.2f} (needs {request.min_similarity or ANSWER_SIMILARITY})"
                    if agreed
                    else "low confidence: keyword and semantic search disagree on the best match"
                )
        if record_gap:
            masked = normalize(request.query).display  # phone and order numbers never reach the gap log
            self._gaps.record(brand_id, masked, reason, hits[0].passage.doc_id if hits else None, now, customer_id)
        return SearchResult(hits=shown, answer=None, reason=reason, embedder=index.embedder_name)
