"""The OpenSearch backend of knowledge search (opt-in: ``cdk deploy -c opensearch=true``).

One index holds every brand's passages; every query is filtered by brand. BM25 runs on the same
jieba segmentation as the in-Lambda index (a whitespace-analysed ``tokens`` field), k-NN on an HNSW
graph (faiss engine, inner product on unit vectors), and both run in one ``hybrid`` query whose
scores a search pipeline normalises and combines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from livedesk.knowledge.documents import Passage
from livedesk.knowledge.hybrid import Filters, Hit, tokenize
from livedesk.understanding.normalize import simplified

if TYPE_CHECKING:
    import numpy as np

    from livedesk.understanding.embedders import Embedder

CANDIDATES = 50
LEXICAL_WEIGHT = 0.4  # the vector clause carries the rest
# Passage fields indexed as keywords/dates for filtering; the whole passage is stored alongside.
FIELDS = frozenset({"brand_id", "doc_id", "kind", "lang", "sku", "category", "session_id", "channels", "effective_from", "effective_to"})


def index_body(dimension: int) -> dict[str, Any]:
    keyword = {"type": "keyword"}
    return {
        "settings": {"index": {"knn": True}},
        "mappings": {
            "properties": {
                "vector": {
                    "type": "knn_vector",
                    "dimension": dimension,
                    "method": {
                        "name": "hnsw",
                        "engine": "faiss",
                        "space_type": "innerproduct",
                        "parameters": {"m": 16, "ef_construction": 128},
                    },
                },
                "tokens": {"type": "text", "analyzer": "whitespace"},
                "passage": {"type": "object", "enabled": False},  # returned, never searched
                **dict.fromkeys(("brand_id", "doc_id", "kind", "lang", "sku", "category", "session_id", "channels"), keyword),
                "effective_from": {"type": "date"},
                "effective_to": {"type": "date"},
            }
        },
    }


def pipeline_body() -> dict[str, Any]:
    return {
        "description": "LiveDesk hybrid knowledge search: min-max normalised BM25 and k-NN, weighted mean",
        "phase_results_processors": [
            {
                "normalization-processor": {
                    "normalization": {"technique": "min_max"},
                    "combination": {"technique": "arithmetic_mean", "parameters": {"weights": [LEXICAL_WEIGHT, 1 - LEXICAL_WEIGHT]}},
                }
            }
        ],
    }


def filter_clauses(brand_id: str, filters: Filters) -> list[dict[str, Any]]:
    """The brand is always a filter; the other filters mirror ``Filters.mask``."""
    clauses: list[dict[str, Any]] = [{"term": {"brand_id": brand_id}}]
    if filters.kinds is not None:
        clauses.append({"terms": {"kind": sorted(kind.value for kind in filters.kinds)}})
    for field, value in (("sku", filters.sku), ("category", filters.category)):
        if value is not None:  # passages not tied to one apply to all
            clauses.append({"bool": {"should": [{"term": {field: value}}, {"bool": {"must_not": {"exists": {"field": field}}}}]}})
    if filters.lang is not None:
        clauses.append({"term": {"lang": filters.lang}})
    if filters.session_id is not None:
        clauses.append(
            {"bool": {"should": [{"term": {"session_id": filters.session_id}}, {"bool": {"must_not": {"term": {"kind": "live_session"}}}}]}}
        )
    if filters.channel is not None:
        clauses.append(
            {"bool": {"should": [{"term": {"channels": filters.channel}}, {"bool": {"must_not": {"exists": {"field": "channels"}}}}]}}
        )
    if filters.on is not None:
        day = filters.on.isoformat()
        in_force = [
            {"range": {"effective_from": {"lte": day}}},
            {
                "bool": {
                    "should": [{"range": {"effective_to": {"gte": day}}}, {"bool": {"must_not": {"exists": {"field": "effective_to"}}}}]
                }
            },
        ]
        clauses.append(
            {"bool": {"should": [{"bool": {"must_not": {"exists": {"field": "effective_from"}}}}, {"bool": {"filter": in_force}}]}}
        )
    return clauses


def search_body(tokens: list[str], vector: list[float], brand_id: str, filters: Filters, k: int) -> dict[str, Any]:
    clauses = filter_clauses(brand_id, filters)
    return {
        "size": k,
        "_source": {"excludes": ["vector", "tokens"]},
        "query": {
            "hybrid": {
                "queries": [
                    {"bool": {"must": {"match": {"tokens": " ".join(tokens)}}, "filter": clauses}},
                    {"knn": {"vector": {"vector": vector, "k": CANDIDATES, "filter": {"bool": {"filter": clauses}}}}},
                ]
            }
        },
    }


class OpenSearchIndex:
    def __init__(self, client: Any, index: str, embedder: Embedder, pipeline: str | None = None) -> None:
        self._client = client
        self._index = index
        self._pipeline = pipeline or f"{index}-hybrid"
        self.embedder = embedder

    @property
    def embedder_name(self) -> str:
        return self.embedder.name

    def create(self, dimension: int) -> None:
        self._client.transport.perform_request("PUT", f"/_search/pipeline/{self._pipeline}", body=pipeline_body())
        if not self._client.indices.exists(index=self._index):
            self._client.indices.create(index=self._index, body=index_body(dimension))

    def actions(self, passages: list[Passage], vectors: np.ndarray) -> Iterator[dict[str, Any]]:
        """Bulk actions; a passage's id is stable, so re-uploading a document replaces it."""
        for position, (passage, vector) in enumerate(zip(passages, vectors, strict=True)):
            yield {
                "_op_type": "index",
                "_index": self._index,
                "_id": f"{passage.brand_id}:{passage.doc_id}:{position}",
                "_source": {
                    "vector": [float(x) for x in vector],
                    "tokens": " ".join(tokenize(passage.text)),
                    "passage": passage.model_dump(mode="json"),
                    **{key: value for key, value in passage.model_dump(mode="json").items() if key in FIELDS and value not in (None, [])},
                },
            }

    def replace_document(self, brand_id: str, doc_id: str, passages: list[Passage]) -> None:
        from opensearchpy import helpers

        self.delete_document(brand_id, doc_id)
        if passages:
            vectors = self.embedder.embed([p.text for p in passages])
            helpers.bulk(self._client, self.actions(passages, vectors))

    def delete_document(self, brand_id: str, doc_id: str) -> None:
        query = {"query": {"bool": {"filter": [{"term": {"brand_id": brand_id}}, {"term": {"doc_id": doc_id}}]}}}
        self._client.delete_by_query(index=self._index, body=query)

    def search(self, brand_id: str, query: str, filters: Filters = Filters(), k: int = 5) -> list[Hit]:
        """Hits carry the pipeline's combined score (0–1) as both score and similarity; a document's
        best passage stands for it, so three passages per wanted hit are fetched."""
        vector = self.embedder.embed([simplified(query)])[0]
        body = search_body(tokenize(query), [float(x) for x in vector], brand_id, filters, k * 3)
        response = self._client.search(index=self._index, body=body, params={"search_pipeline": self._pipeline})
        hits: list[Hit] = []
        seen: set[str] = set()
        for hit in response["hits"]["hits"]:
            passage = Passage.model_validate(hit["_source"]["passage"])
            if passage.doc_id in seen:
                continue
            seen.add(passage.doc_id)
            score = float(hit["_score"])
            hits.append(Hit(passage, score, lexical_rank=None, dense_rank=None, similarity=score))
        return hits[:k]
