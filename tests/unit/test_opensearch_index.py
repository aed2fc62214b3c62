"""The OpenSearch backend's request bodies, recorded by a connection class instead of a cluster."""

import json
from datetime import date
from typing import Any, ClassVar

import numpy as np
import pytest
from opensearchpy import Connection, OpenSearch

from livedesk.knowledge.documents import Faq, Kind, passages
from livedesk.knowledge.hybrid import Filters
from livedesk.knowledge.opensearch_index import OpenSearchIndex


class RecordingConnection(Connection):
    requests: ClassVar[list[tuple[str, str, Any]]] = []
    response: ClassVar[dict[str, Any]] = {}

    def perform_request(self, method: str, url: str, params: Any = None, body: Any = None, *args: Any, **kwargs: Any) -> Any:
        text = body.decode() if isinstance(body, bytes) else body
        lines = [json.loads(line) for line in text.splitlines() if line.strip()] if text else []
        RecordingConnection.requests.append((method, url, lines[0] if len(lines) == 1 else lines or None))
        if url.endswith("/_bulk"):
            return 200, {}, json.dumps({"took": 1, "errors": False, "items": []})
        if method == "HEAD":
            return 404, {}, ""
        return 200, {}, json.dumps(RecordingConnection.response or {"acknowledged": True})


class FixedEmbedder:
    name = "fixed-3"

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.array([0.6, 0.8, 0.0], dtype=np.float32), (len(texts), 1))


FAQ = Faq(
    id="faq-1",
    brand_id="lumi-beauty",
    lang="zh",
    source="s",
    category="beauty",
    questions=["几天发货", "什么时候发"],
    answer="48小时内发货。",
)


@pytest.fixture
def index() -> OpenSearchIndex:
    RecordingConnection.requests.clear()
    RecordingConnection.response = {}
    client = OpenSearch(hosts=[{"host": "search.example", "port": 443}], connection_class=RecordingConnection)
    return OpenSearchIndex(client, "livedesk-knowledge", FixedEmbedder())


def test_the_index_is_hnsw_on_faiss_and_the_pipeline_fuses_bm25_and_knn(index: OpenSearchIndex) -> None:
    index.create(dimension=3)
    (_, pipeline_url, pipeline), _, (_, index_url, body) = RecordingConnection.requests
    assert pipeline_url == "/_search/pipeline/livedesk-knowledge-hybrid"
    assert pipeline["phase_results_processors"][0]["normalization-processor"]["combination"]["parameters"]["weights"] == [0.4, 0.6]
    assert index_url == "/livedesk-knowledge" and body["settings"]["index"]["knn"] is True
    vector = body["mappings"]["properties"]["vector"]
    assert (vector["type"], vector["dimension"], vector["method"]["name"], vector["method"]["engine"]) == ("knn_vector", 3, "hnsw", "faiss")


def test_the_query_is_one_hybrid_query_filtered_by_brand_kind_and_date(index: OpenSearchIndex) -> None:
    RecordingConnection.response = {"hits": {"hits": []}}
    filters = Filters(kinds=frozenset({Kind.POLICY}), on=date(2026, 11, 22), session_id="live-1")
    index.search("lumi-beauty", "退貨規則", filters, k=5)
    ((method, url, body),) = RecordingConnection.requests
    assert method == "POST" and url.startswith("/livedesk-knowledge/_search")
    lexical, knn = body["query"]["hybrid"]["queries"]
    assert lexical["bool"]["must"]["match"]["tokens"] == "退货 规则"  # traditional folded, jieba-segmented
    clauses = lexical["bool"]["filter"]
    assert clauses[0] == {"term": {"brand_id": "lumi-beauty"}} and {"terms": {"kind": ["policy"]}} in clauses
    assert "2026-11-22" in json.dumps(clauses) and "live-1" in json.dumps(clauses)
    assert knn["knn"]["vector"]["filter"]["bool"]["filter"] == clauses and knn["knn"]["vector"]["vector"] == pytest.approx([0.6, 0.8, 0.0])


def test_hits_come_back_as_passages_one_per_document(index: OpenSearchIndex) -> None:
    first, second = passages(FAQ)
    RecordingConnection.response = {
        "hits": {"hits": [{"_score": 0.9, "_source": {"passage": p.model_dump(mode="json")}} for p in (first, second)]}
    }
    (hit,) = index.search("lumi-beauty", "发货", k=5)
    assert hit.passage == first and hit.score == 0.9


def test_re_uploading_a_document_replaces_its_passages(index: OpenSearchIndex) -> None:
    index.replace_document("lumi-beauty", "faq-1", passages(FAQ))
    (_, delete_url, delete), (_, bulk_url, bulk) = RecordingConnection.requests
    assert delete_url == "/livedesk-knowledge/_delete_by_query"
    assert delete["query"]["bool"]["filter"] == [{"term": {"brand_id": "lumi-beauty"}}, {"term": {"doc_id": "faq-1"}}]
    assert bulk_url == "/_bulk" and len(bulk) == 4  # an action line and a source line per passage
    action, source = bulk[0], bulk[1]
    assert action == {"index": {"_id": "lumi-beauty:faq-1:0", "_index": "livedesk-knowledge"}}
    assert source["tokens"] == "几天 发货" and source["brand_id"] == "lumi-beauty" and len(source["vector"]) == 3


def test_the_channel_filter_admits_faqs_naming_it_and_passages_naming_none(index: OpenSearchIndex) -> None:
    RecordingConnection.response = {"hits": {"hits": []}}
    index.search("lumi-beauty", "几号链接", Filters(channel="live_comment"), k=3)
    ((_, _, body),) = RecordingConnection.requests
    clauses = body["query"]["hybrid"]["queries"][0]["bool"]["filter"]
    channel = {"term": {"channels": "live_comment"}}
    assert {"bool": {"should": [channel, {"bool": {"must_not": {"exists": {"field": "channels"}}}}]}} in clauses
