"""The OpenSearch backend of knowledge search (opt-in: ``cdk deploy -c opensearch=serverless|domain``).

One index holds every brand's passages; every query is filtered by brand. BM25 runs on the same
jieba segmentation as the in-Lambda index (a whitespace-analysed ``tokens`` field), k-NN on an HNSW
graph (faiss engine, inner product on unit vectors). A search is one ``_msearch`` of three
searches: the ranking, a ``hybrid`` query whose scores the index's default search pipeline
normalises and combines; then BM25 alone and k-NN alone, whose top documents the answer rule needs.
Ingestion writes through the bulk API only (OpenSearch Serverless has no delete-by-query).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from livedesk.knowledge.documents import Passage
from livedesk.knowledge.hybrid import Filters, Hit, closeness, tokenize
from livedesk.understanding.embedders import embedding_input

if TYPE_CHECKING:
    import numpy as np
    from opensearchpy import OpenSearch

    from livedesk.knowledge.hybrid import HybridIndex
    from livedesk.understanding.embedders import Embedder

CANDIDATES = 50
LEXICAL_WEIGHT = 0.4  # the vector clause carries the rest
BULK_BYTES = 10 * 2**20  # keep bulk requests modest: Serverless caps their size
LOOKUP_BATCH = 1000  # passage ids per search when looking up Serverless document ids
KNN_DEPTH = 20  # k-NN's closest passages read for the margin: a document has a handful of passages
# Passage fields indexed as keywords/dates for filtering; the whole passage is stored alongside.
FIELDS = frozenset(
    {"brand_id", "doc_id", "kind", "lang", "sku", "category", "session_id", "promise_type", "channels", "effective_from", "effective_to"}
)


def opensearch_client(endpoint: str, service: str, region: str | None = None) -> OpenSearch:
    """HTTPS on port 443, each request signed (SigV4) with the function's credentials.
    ``endpoint``: the host, with or without https://; ``service``: aoss (Serverless) or es (a domain)."""
    import boto3
    from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection

    session = boto3.Session()
    return OpenSearch(
        hosts=[{"host": endpoint.removeprefix("https://").rstrip("/"), "port": 443}],
        http_auth=AWSV4SignerAuth(session.get_credentials(), region or session.region_name, service),
        use_ssl=True,
        verify_certs=True,
        connection_class=RequestsHttpConnection,
        timeout=30,
    )


def passage_id(record: dict[str, Any]) -> str:
    """The same for a passage as long as its text is unchanged, in every build."""
    digest = hashlib.sha256(record["text"].encode("utf-8")).hexdigest()[:16]
    return f"{record['brand_id']}:{record['doc_id']}:{digest}"


def index_body(dimension: int, pipeline: str) -> dict[str, Any]:
    keyword = {"type": "keyword"}
    return {
        # Every search of the index goes through the pipeline (_msearch names one per search only
        # from OpenSearch 2.18 on); its normalization processor leaves non-hybrid searches alone.
        "settings": {"index": {"knn": True, "search.default_pipeline": pipeline}},
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
                **dict.fromkeys(
                    ("passage_id", "brand_id", "doc_id", "kind", "lang", "sku", "category", "session_id", "promise_type", "channels"),
                    keyword,
                ),
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
    for field, value, only in (("sku", filters.sku, filters.sku_only), ("category", filters.category, False)):
        if value is not None and only:
            clauses.append({"term": {field: value}})
        elif value is not None:  # passages not tied to one apply to all
            clauses.append({"bool": {"should": [{"term": {field: value}}, {"bool": {"must_not": {"exists": {"field": field}}}}]}})
    if filters.promise_types is not None:
        clauses.append({"terms": {"promise_type": sorted(filters.promise_types)}})
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


def search_body(tokens: list[str], vector: list[float], brand_id: str, filters: Filters, k: int) -> list[dict[str, Any]]:
    """The ``_msearch`` lines: the hybrid ranking (with vectors, for each hit's cosine), then BM25
    alone for its top document and k-NN alone for its closest passages (enough to reach the second
    document, for the margin). The same filters apply to all three."""
    clauses = filter_clauses(brand_id, filters)
    lexical = {"bool": {"must": {"match": {"tokens": " ".join(tokens)}}, "filter": clauses}}
    dense = {"knn": {"vector": {"vector": vector, "k": CANDIDATES, "filter": {"bool": {"filter": clauses}}}}}
    top = {"size": 1, "_source": ["doc_id"]}
    header = {"ignore_unavailable": True}  # before the first ingest there is no index: no hits, as with no artifact
    return [
        header,
        {"size": k, "_source": {"excludes": ["tokens"]}, "query": {"hybrid": {"queries": [lexical, dense]}}},
        header,
        {**top, "query": lexical},
        header,
        {**top, "size": KNN_DEPTH, "query": dense},
    ]


def knn_cosine(score: float) -> float:
    """Undo the faiss inner-product score (1 + ip when ip >= 0, else 1 / (1 - ip)); on unit
    vectors the inner product is the cosine."""
    return score - 1 if score >= 1 else 1 - 1 / score


def cosine(query: np.ndarray, vector: list[float]) -> float:
    import numpy as np

    other = np.asarray(vector, dtype=np.float32)
    norms = float(np.linalg.norm(query) * np.linalg.norm(other))
    return float(query @ other) / norms if norms else 0.0


def _hits(response: dict[str, Any]) -> list[dict[str, Any]]:
    if "error" in response:
        raise RuntimeError(f"OpenSearch search failed: {response['error']}")
    return list(response["hits"]["hits"])


class OpenSearchWriter:
    """Creates the index and keeps it in step with the published artifact."""

    def __init__(self, client: Any, index: str, pipeline: str | None = None, custom_ids: bool = True) -> None:
        """``custom_ids``: False for OpenSearch Serverless vector collections, which reject a
        document id on index requests and assign their own."""
        self._client = client
        self._index = index
        self._pipeline = pipeline or f"{index}-hybrid"
        self._custom_ids = custom_ids

    def create(self, dimension: int) -> None:
        self._client.transport.perform_request("PUT", f"/_search/pipeline/{self._pipeline}", body=pipeline_body())
        if not self._client.indices.exists(index=self._index):
            self._client.indices.create(index=self._index, body=index_body(dimension, self._pipeline))

    def sync(self, current: HybridIndex, previous: HybridIndex | None) -> tuple[int, int]:
        """Index every passage of ``current`` with the vector it already has, and delete the passages
        only ``previous`` held. Returns how many documents were indexed and deleted."""
        from opensearchpy import helpers

        entries = [(passage_id(record), record, vector) for record, vector in current.records_and_vectors()]
        kept = {pid for pid, _, _ in entries}
        gone = {passage_id(record) for record, _ in previous.records_and_vectors()} - kept if previous else set()
        if entries:
            self.create(dimension=len(entries[0][2]))
        # Serverless gives the new copies new ids, so every copy from before is deleted by its own id.
        stale = sorted(gone) if self._custom_ids else self._document_ids(kept | gone)
        actions = [self._index_action(*entry) for entry in entries]
        actions += [{"_op_type": "delete", "_index": self._index, "_id": doc_id} for doc_id in stale]
        if actions:  # index first, then delete: a search never misses a live passage
            helpers.bulk(self._client, actions, max_chunk_bytes=BULK_BYTES, ignore_status=(404,))  # 404: already gone
        return len(entries), len(stale)

    def _index_action(self, pid: str, record: dict[str, Any], vector: np.ndarray) -> dict[str, Any]:
        action: dict[str, Any] = {
            "_op_type": "index",
            "_index": self._index,
            "_source": {
                "passage_id": pid,
                "vector": [float(x) for x in vector],
                "tokens": " ".join(tokenize(record["text"])),
                "passage": record,
                **{key: value for key, value in record.items() if key in FIELDS and value not in (None, [])},
            },
        }
        if self._custom_ids:
            action["_id"] = pid
        return action

    def _document_ids(self, passage_ids: set[str]) -> list[str]:
        """The ids OpenSearch gave every stored copy of these passages."""
        ordered, found = sorted(passage_ids), []
        for start in range(0, len(ordered), LOOKUP_BATCH):
            body = {"size": 10_000, "_source": False, "query": {"terms": {"passage_id": ordered[start : start + LOOKUP_BATCH]}}}
            response = self._client.search(index=self._index, body=body, ignore_unavailable=True)
            found += [hit["_id"] for hit in response["hits"]["hits"]]
        return found


class OpenSearchIndex(OpenSearchWriter):
    """The ``SearchIndex`` on OpenSearch; as a writer it also creates and syncs the index."""

    def __init__(self, client: Any, index: str, embedder: Embedder, pipeline: str | None = None, custom_ids: bool = True) -> None:
        super().__init__(client, index, pipeline, custom_ids)
        self.embedder = embedder

    @property
    def embedder_name(self) -> str:
        return self.embedder.name

    def search(
        self, brand_id: str, query: str, filters: Filters = Filters(), k: int = 5, vector: Sequence[float] | None = None
    ) -> list[Hit]:
        """Ranked by the pipeline's combined score (0–1). A hit has BM25's or k-NN's rank 1 when its
        document tops that search alone, and its similarity is the cosine of query and passage. A
        document's best passage stands for it, so three passages per wanted hit are fetched.
        ``vector``: the query's embedding when the caller has it already."""
        import numpy as np

        if vector is None:
            vector = self.embedder.embed([embedding_input(query)])[0]
        embedded = np.asarray(vector, dtype=np.float32)
        body = search_body(tokenize(query), [float(x) for x in embedded], brand_id, filters, k * 3)
        ranked, lexical, dense = (_hits(response) for response in self._client.msearch(index=self._index, body=body)["responses"])
        lexical_top = lexical[0]["_source"]["doc_id"] if lexical else None
        dense_top = dense[0]["_source"]["doc_id"] if dense else None
        # the two closest documents' cosines, for each hit's margin over the closest other document
        closest = [knn_cosine(float(hit["_score"])) for hit in _first_per_document(dense)[:2]]
        if len(closest) == 1 and len(dense) == KNN_DEPTH:  # the next document is no closer than the last passage read
            closest.append(knn_cosine(float(dense[-1]["_score"])))
        hits: list[Hit] = []
        for hit in _first_per_document(ranked):
            passage = Passage.model_validate(hit["_source"]["passage"])
            doc = passage.doc_id
            # k-NN's top document: its best passage's cosine, which k-NN scored
            similarity = knn_cosine(float(dense[0]["_score"])) if doc == dense_top else cosine(embedded, hit["_source"]["vector"])
            dense_rank = 1 if doc == dense_top else None
            cos, margin = closeness(similarity, dense_rank, closest)
            hits.append(Hit(passage, float(hit["_score"]), 1 if doc == lexical_top else None, dense_rank, cos, margin))
        return hits[:k]


def _first_per_document(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each document's first (best) passage among ranked hits, in their order."""
    firsts: dict[str, dict[str, Any]] = {}
    for hit in hits:
        firsts.setdefault(hit["_source"]["doc_id"], hit)
    return list(firsts.values())
