"""Knowledge search: hybrid ranking with filters, an answer only when it is confident, and a record
of every query the knowledge could not answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from livedesk.knowledge.contract import (
    ANSWER_MARGIN,
    ANSWER_SIMILARITY,
    PRODUCT_PROMISE_SIMILARITY,
    PROMISE_SIMILARITY,
    SEMANTIC_SIMILARITY,
    TOPIC_OVERLAP,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from livedesk.knowledge.documents import Passage
from livedesk.knowledge.hybrid import Filters, Hit
from livedesk.knowledge.kinds import Kind
from livedesk.knowledge.topics import overlap
from livedesk.understanding.normalize import normalize

ANSWER_CANDIDATES = 8  # hits weighed for an answer: the closest document may rank lower once fused with BM25


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


def confident_answer(
    hits: Sequence[Hit],
    answering: frozenset[Kind],
    min_similarity: float,
    product_promise: Hit | None = None,
    reading: Mapping[str, float] | None = None,
) -> tuple[Hit | None, str]:
    """The hit the bot may answer with, and why (or why not). The session's promise of the asked kind
    about the product the comment is on; or keyword and semantic search agree on the top hit (a live
    session's promises, searched apart, come first); or semantic search's closest document is close
    and clearly closer than every other one (a paraphrase shares few words with the passage it means).
    With the question's intent ``reading``, an FAQ answers only if its own questions read alike."""
    found, reason = _closest_answer(hits, answering, min_similarity, product_promise)
    if found is None or not reading or not found.passage.intents:
        return found, reason
    shared = overlap(reading, found.passage.intents)
    if shared < TOPIC_OVERLAP:
        asked, answers = max(reading, key=reading.__getitem__), max(found.passage.intents, key=found.passage.intents.__getitem__)
        return None, f"off topic: the closest FAQ answers {answers} questions, this reads as {asked} (overlap {shared:.2f})"
    return found, reason


def _closest_answer(
    hits: Sequence[Hit], answering: frozenset[Kind], min_similarity: float, product_promise: Hit | None
) -> tuple[Hit | None, str]:
    if product_promise is not None and product_promise.similarity >= PRODUCT_PROMISE_SIMILARITY:
        return product_promise, "the session's promise about this product"
    if not hits:
        return None, "no knowledge matches"
    top = hits[0]
    bar = max(min_similarity, PROMISE_SIMILARITY) if top.passage.kind is Kind.LIVE_SESSION else min_similarity
    if top.passage.kind in answering and top.lexical_rank == 1 and top.dense_rank == 1 and top.similarity >= bar:
        return top, "confident match"
    closest = max(hits, key=lambda hit: hit.similarity)
    runner_up = max((hit.similarity for hit in hits if hit is not closest), default=-1.0)
    margin = min(closest.margin, closest.similarity - runner_up)
    if closest.passage.kind not in answering:
        return None, f"the best match is a {closest.passage.kind.value} passage, which does not answer this kind of question"
    if closest.similarity < max(min_similarity, SEMANTIC_SIMILARITY):
        return None, f"low confidence: similarity {closest.similarity:.2f} (needs {max(min_similarity, SEMANTIC_SIMILARITY)})"
    if margin < ANSWER_MARGIN:
        return None, f"ambiguous: another document is almost as close (margin {margin:.3f}, needs {ANSWER_MARGIN})"
    return closest, "confident semantic match"


def _shown(hits: list[Hit], answer: Hit | None, k: int) -> list[Hit]:
    """The first ``k`` hits, the answer among them."""
    if answer is None or answer in hits[:k]:
        return hits[:k]
    return [answer, *(hit for hit in hits if hit.passage.doc_id != answer.passage.doc_id)][:k]


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
        hits = index.search(brand_id, request.query, filters, max(request.k, ANSWER_CANDIDATES), vector=vector)
        answering = frozenset(request.answer_kinds) if request.answer_kinds else frozenset(Kind)
        product_promise = None
        if wanted.live_session_id and Kind.LIVE_SESSION in answering:  # "the host said…": the session's promises come first
            session = Filters(kinds=frozenset({Kind.LIVE_SESSION}), session_id=wanted.live_session_id)
            promises = index.search(brand_id, request.query, session, 2, vector=vector)
            hits = [*promises, *(h for h in hits if h.passage.doc_id not in {p.passage.doc_id for p in promises})]
            product_promise = self._product_promise(index, brand_id, request, vector)
        answer, reason = confident_answer(hits, answering, request.min_similarity or ANSWER_SIMILARITY, product_promise, request.intents)
        shown = [_hit(hit) for hit in _shown(hits, answer, request.k)]
        if answer is not None:
            doc_id, embedder = answer.passage.doc_id, index.embedder_name
            return SearchResult(hits=shown, answer=answer_text(answer.passage), answer_doc_id=doc_id, reason=reason, embedder=embedder)
        if record_gap:
            masked = normalize(request.query).display  # phone and order numbers never reach the gap log
            self._gaps.record(brand_id, masked, reason, hits[0].passage.doc_id if hits else None, now, customer_id)
        return SearchResult(hits=shown, answer=None, reason=reason, embedder=index.embedder_name)

    @staticmethod
    def _product_promise(index: SearchIndex, brand_id: str, request: SearchRequest, vector: Sequence[float] | None) -> Hit | None:
        """The session's promise of an asked kind about the SKU the comment is on, if there is one."""
        wanted = request.filters
        if not (wanted.sku and request.promise_types):
            return None
        about = Filters(
            kinds=frozenset({Kind.LIVE_SESSION}),
            session_id=wanted.live_session_id,
            sku=wanted.sku,
            sku_only=True,
            promise_types=frozenset(request.promise_types),
        )
        found = index.search(brand_id, request.query, about, 1, vector=vector)
        return found[0] if found else None
