"""Dense FAQ search over the packaged seed knowledge (the knowledge-search issue adds hybrid ranking and ingestion)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from livedesk.models import Strict
from livedesk.understanding.embedders import Embedder

SEED_FAQ = Path(__file__).parent / "data" / "faq.jsonl"
ANSWER_THRESHOLD = 0.6


class SearchRequest(Strict):
    query: str = Field(min_length=1, max_length=500)
    k: int = Field(default=5, ge=1, le=20)


class SearchHit(BaseModel):
    id: str
    question: str
    answer: str
    score: float
    source: str


class SearchResult(BaseModel):
    hits: list[SearchHit]
    answer: str | None
    reason: str
    embedder: str


class FaqIndex:
    def __init__(self, embedder: Embedder, entries: list[dict[str, str]]) -> None:
        self._embedder = embedder
        self._entries = entries
        self._vectors = embedder.embed([entry["question"] for entry in entries])

    @classmethod
    def from_file(cls, embedder: Embedder, path: Path = SEED_FAQ) -> FaqIndex:
        entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return cls(embedder, entries)

    def search(self, brand_id: str, request: SearchRequest) -> SearchResult:
        allowed = np.array([entry["brand_id"] == brand_id for entry in self._entries])
        scores = self._vectors @ self._embedder.embed([request.query])[0]
        scores = np.where(allowed, scores, -np.inf)
        order = [int(i) for i in np.argsort(-scores)[: request.k] if np.isfinite(scores[i])]
        hits = [
            SearchHit(
                id=self._entries[i]["id"],
                question=self._entries[i]["question"],
                answer=self._entries[i]["answer"],
                score=round(float(scores[i]), 4),
                source=self._entries[i]["source"],
            )
            for i in order
        ]
        if not hits:
            return SearchResult(hits=[], answer=None, reason="no knowledge for this brand", embedder=self._embedder.name)
        if hits[0].score < ANSWER_THRESHOLD:
            return SearchResult(
                hits=hits, answer=None, reason=f"best score {hits[0].score} below {ANSWER_THRESHOLD}", embedder=self._embedder.name
            )
        return SearchResult(hits=hits, answer=hits[0].answer, reason="confident match", embedder=self._embedder.name)
