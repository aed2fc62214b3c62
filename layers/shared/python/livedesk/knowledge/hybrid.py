"""The in-Lambda hybrid index: BM25 over jieba-segmented text plus dense vectors from an Embedder,
fused by reciprocal rank. One sub-index per brand, so no query can reach another brand's knowledge."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livedesk.knowledge.documents import Passage
from livedesk.knowledge.kinds import Kind
from livedesk.knowledge.topics import intent_reader, with_intent_profiles
from livedesk.models import Channel
from livedesk.understanding.embedders import embedding_input
from livedesk.understanding.normalize import normalize

if TYPE_CHECKING:
    import numpy as np

    from livedesk.understanding.embedders import Embedder

RRF_K = 60  # the usual reciprocal-rank-fusion constant
CANDIDATES = 50  # per retriever, before fusion
ARTIFACT_FORMAT = 1
LATIN = re.compile(r"[a-z0-9]+")
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
ANY_CHANNEL = ""


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Simplified, lower-case tokens: jieba's search-mode words for Chinese, words for Latin."""
    clean = normalize(text).text
    tokens = LATIN.findall(clean)
    for run in CJK_RUN.findall(clean):
        tokens += [word for word in _jieba().lcut_for_search(run) if word.strip()]
    return tokens


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[Kind] | None = None
    sku: str | None = None
    sku_only: bool = False  # with ``sku``: only passages tied to it, not those that apply to every SKU
    category: str | None = None
    lang: str | None = None
    session_id: str | None = None
    channel: str | None = None  # FAQs that may be used on this channel (those naming none may be used anywhere)
    on: date | None = None  # policies in force on this date; None: every version
    promise_types: frozenset[str] | None = None  # only streamer promises of these types (price, gift…)

    def mask(self, columns: Columns) -> np.ndarray:
        """The passages these filters admit, computed on whole columns (no loop per passage)."""
        import numpy as np

        allowed = np.ones(len(columns.kind), dtype=bool)
        if self.kinds is not None:
            allowed &= np.isin(columns.kind, [kind.value for kind in self.kinds])
        for value, column, only in ((self.sku, columns.sku, self.sku_only), (self.category, columns.category, False)):
            if value is not None:  # passages not tied to a SKU/category apply to all
                allowed &= (column == value) | ((column == "") & (not only))
        if self.promise_types is not None:
            allowed &= np.isin(columns.promise_type, sorted(self.promise_types))
        if self.lang is not None:
            allowed &= columns.lang == self.lang
        if self.session_id is not None:
            allowed &= (columns.kind != Kind.LIVE_SESSION.value) | (columns.session == self.session_id)
        if self.channel is not None:
            allowed &= columns.usable_on.get(self.channel, columns.usable_on[ANY_CHANNEL])
        if self.on is not None:
            day = self.on.toordinal()
            allowed &= (columns.effective_from <= day) & (day <= columns.effective_to)
        return allowed


@dataclass(frozen=True)
class Columns:
    """Filterable fields as arrays; "" stands for none, and dates are ordinals (always in force when absent)."""

    doc_id: np.ndarray
    kind: np.ndarray
    sku: np.ndarray
    category: np.ndarray
    lang: np.ndarray
    session: np.ndarray
    promise_type: np.ndarray
    usable_on: dict[str, np.ndarray]  # channel -> passages usable there (ANY_CHANNEL: those naming no channel)
    effective_from: np.ndarray
    effective_to: np.ndarray

    @classmethod
    def of(cls, records: list[dict[str, Any]]) -> Columns:
        """From passages as JSON records (what the artifact stores)."""
        import numpy as np

        def text(field: str) -> np.ndarray:
            return np.array([record.get(field) or "" for record in records], dtype=str)

        def day(field: str, absent: int) -> np.ndarray:
            return np.array([date.fromisoformat(r[field]).toordinal() if r.get(field) else absent for r in records], dtype=np.int64)

        return cls(
            doc_id=text("doc_id"),
            kind=text("kind"),
            sku=text("sku"),
            category=text("category"),
            lang=text("lang"),
            session=text("session_id"),
            promise_type=text("promise_type"),
            usable_on={
                channel: np.array([not r.get("channels") or channel in r["channels"] for r in records], dtype=bool)
                for channel in (ANY_CHANNEL, *Channel)
            },
            effective_from=day("effective_from", 0),
            effective_to=day("effective_to", 10**7),
        )


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # fused reciprocal-rank score
    lexical_rank: int | None  # 1-based, None when BM25 did not find it
    dense_rank: int | None
    similarity: float  # cosine of query and passage vectors
    margin: float  # how much closer than any other admitted document (negative: another one is closer)


class BrandIndex:
    """Passages are kept as JSON records and become ``Passage`` models only when they are hits, so
    a large artifact loads without validating every passage."""

    def __init__(self, records: list[dict[str, Any]], vectors: np.ndarray, bm25: Any = None) -> None:
        import bm25s

        self.records = records
        self.vectors = vectors
        self.columns = Columns.of(records)
        if bm25 is None:
            bm25 = bm25s.BM25()
            bm25.index([tokenize(record["text"]) for record in records], show_progress=False)
        self._bm25 = bm25

    def save(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        (folder / "passages.json").write_text(json.dumps(self.records, ensure_ascii=False), encoding="utf-8")
        np.save(folder / "vectors.npy", self.vectors)
        self._bm25.save(str(folder / "bm25"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> BrandIndex:
        import bm25s
        import numpy as np

        records = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        return cls(records, np.load(folder / "vectors.npy"), bm25)

    def search(self, query_tokens: list[str], query_vector: np.ndarray, filters: Filters, k: int) -> list[Hit]:
        import numpy as np

        allowed = filters.mask(self.columns)
        if not allowed.any():
            return []
        lexical = np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32) if query_tokens else np.zeros(len(self.records))
        similarity = self.vectors @ query_vector
        lexical_order = _top(np.where(allowed & (lexical > 0), lexical, -np.inf))
        dense_order = _top(np.where(allowed, similarity, -np.inf))
        fused: dict[str, tuple[float, int, int | None, int | None]] = {}  # doc -> score, best passage, ranks
        closest: list[float] = []  # the two closest documents' best cosines
        for name, order in (("lexical", lexical_order), ("dense", dense_order)):
            seen_docs: set[str] = set()
            for index in order:
                doc = str(self.columns.doc_id[index])
                if doc in seen_docs:  # a document's best passage is its rank in this list
                    continue
                seen_docs.add(doc)
                rank = len(seen_docs)
                score, best, lexical_rank, dense_rank = fused.get(doc, (0.0, int(index), None, None))
                if name == "lexical":
                    lexical_rank = rank
                else:
                    dense_rank = rank
                    if rank <= 2:
                        closest.append(float(similarity[index]))
                    best = int(index) if lexical_rank is None or similarity[index] > similarity[best] else best
                fused[doc] = (score + 1.0 / (RRF_K + rank), best, lexical_rank, dense_rank)
        ranked = sorted(fused.values(), key=lambda item: -item[0])[:k]
        return [
            Hit(Passage.model_validate(self.records[best]), round(score, 6), lr, dr, *closeness(float(similarity[best]), dr, closest))
            for score, best, lr, dr in ranked
        ]


def closeness(similarity: float, dense_rank: int | None, closest: list[float]) -> tuple[float, float]:
    """A hit's cosine and its margin over the closest other document, given the two closest
    documents' cosines (the only document has margin 1; without semantic hits the margin is 0)."""
    if dense_rank == 1:
        return round(similarity, 4), round(similarity - closest[1], 4) if len(closest) > 1 else 1.0
    return round(similarity, 4), round(similarity - closest[0], 4) if closest else 0.0


def _top(scores: np.ndarray) -> Sequence[int]:
    import numpy as np

    finite = int(np.isfinite(scores).sum())
    count = min(CANDIDATES, finite)
    if count == 0:
        return []
    candidates = np.argpartition(-scores, count - 1)[:count]
    return [int(i) for i in candidates[np.argsort(-scores[candidates])]]


class HybridIndex:
    """The default ``SearchIndex``: built in memory from passages, one sub-index per brand; saved as
    an artifact folder (passages, vectors, BM25 matrices) that loads without re-embedding."""

    def __init__(
        self,
        embedder: Embedder,
        passages: list[Passage],
        vectors: np.ndarray | None = None,
        previous: HybridIndex | None = None,
        known: dict[str, np.ndarray] | None = None,
    ) -> None:
        """``previous``: an index built with the same embedder whose vectors are reused for
        passages with unchanged text, so a rebuild embeds only what changed; ``known``: more such
        vectors by text (made by the same embedder)."""
        import numpy as np

        self.embedder = embedder
        self.embedded = 0
        if vectors is None:
            known = dict(known or {})
            if previous is not None and previous.embedder.name == embedder.name:
                known |= previous.vectors_by_text()
            missing = sorted({p.text for p in passages if p.text not in known})
            if missing:
                known |= dict(zip(missing, np.asarray(embedder.embed(missing), dtype=np.float32), strict=True))
            self.embedded = len(missing)
            vectors = np.stack([known[p.text] for p in passages]) if passages else np.zeros((0, 1), dtype=np.float32)
        if any(passage.kind is Kind.FAQ for passage in passages):
            passages = with_intent_profiles(passages, vectors, intent_reader(embedder.name))
        rows: dict[str, list[int]] = {}
        for row, passage in enumerate(passages):
            rows.setdefault(passage.brand_id, []).append(row)
        self._brands = {
            brand: BrandIndex([passages[i].model_dump(mode="json") for i in members], vectors[members]) for brand, members in rows.items()
        }

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for brand, index in self._brands.items():
            index.save(folder / brand)
        manifest = {"format": ARTIFACT_FORMAT, "embedder": self.embedder.name, "brands": sorted(self._brands)}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, embedder: Embedder) -> HybridIndex:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest["format"] != ARTIFACT_FORMAT or manifest["embedder"] != embedder.name:
            raise ValueError(f"index at {folder} was built with {manifest['embedder']} (format {manifest['format']}), not {embedder.name}")
        index = cls.__new__(cls)
        index.embedder = embedder
        index.embedded = 0
        index._brands = {brand: BrandIndex.load(folder / brand) for brand in manifest["brands"]}
        return index

    @property
    def embedder_name(self) -> str:
        return self.embedder.name

    def records_and_vectors(self) -> Iterator[tuple[dict[str, Any], np.ndarray]]:
        """Every passage as its JSON record, with the vector already computed for it."""
        for index in self._brands.values():
            yield from zip(index.records, index.vectors, strict=True)

    def vectors_by_text(self) -> dict[str, np.ndarray]:
        return {record["text"]: index.vectors[row] for index in self._brands.values() for row, record in enumerate(index.records)}

    @property
    def size(self) -> int:
        return sum(len(index.records) for index in self._brands.values())

    def search(
        self, brand_id: str, query: str, filters: Filters = Filters(), k: int = 5, vector: Sequence[float] | None = None
    ) -> list[Hit]:
        """``vector``: the query's embedding when the caller has it already (routing embeds each message once)."""
        import numpy as np

        if brand_id not in self._brands:
            return []
        embedded = self.embed_queries([query])[0] if vector is None else np.asarray(vector, dtype=np.float32)
        return self.search_vector(brand_id, query, embedded, filters, k)

    def embed_queries(self, queries: list[str]) -> np.ndarray:
        return self.embedder.embed([embedding_input(query) for query in queries])

    def search_vector(self, brand_id: str, query: str, vector: np.ndarray, filters: Filters = Filters(), k: int = 5) -> list[Hit]:
        """The same search with the query already embedded."""
        index = self._brands.get(brand_id)
        return index.search(tokenize(query), vector, filters, k) if index else []
