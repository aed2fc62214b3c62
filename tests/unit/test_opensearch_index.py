"""The OpenSearch backend's request bodies, recorded by a connection class instead of a cluster."""

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import numpy as np
import pytest
from opensearchpy import Connection, OpenSearch, RequestsHttpConnection

from livedesk.knowledge.contract import SearchRequest
from livedesk.knowledge.documents import Faq, passages
from livedesk.knowledge.hybrid import Filters, HybridIndex
from livedesk.knowledge.kinds import Kind
from livedesk.knowledge.opensearch_index import KNN_DEPTH, OpenSearchIndex, filter_clauses, knn_cosine, opensearch_client, passage_id
from search.service import KnowledgeSearch


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
OTHER = Faq(
    id="faq-2", brand_id="lumi-beauty", lang="zh", source="s", category="beauty", questions=["可以退货吗"], answer="未拆封15天内可退。"
)


def _client() -> OpenSearch:
    return OpenSearch(hosts=[{"host": "search.example", "port": 443}], connection_class=RecordingConnection)


@pytest.fixture
def index() -> OpenSearchIndex:
    RecordingConnection.requests.clear()
    RecordingConnection.response = {}
    return OpenSearchIndex(_client(), "livedesk-knowledge", FixedEmbedder())


def _hit(faq: Faq, score: float, vector: list[float]) -> dict[str, Any]:
    """A hybrid hit as the index returns it: the keyword fields, the passage and its vector."""
    return {"_score": score, "_source": {"doc_id": faq.id, "passage": passages(faq)[0].model_dump(mode="json"), "vector": vector}}


def _top(doc_id: str, score: float) -> dict[str, Any]:
    return {"hits": {"hits": [{"_score": score, "_source": {"doc_id": doc_id}}]}}


def test_the_index_is_hnsw_on_faiss_and_searched_through_the_hybrid_pipeline(index: OpenSearchIndex) -> None:
    index.create(dimension=3)
    (_, pipeline_url, pipeline), _, (_, index_url, body) = RecordingConnection.requests
    assert pipeline_url == "/_search/pipeline/livedesk-knowledge-hybrid"
    assert pipeline["phase_results_processors"][0]["normalization-processor"]["combination"]["parameters"]["weights"] == [0.4, 0.6]
    assert index_url == "/livedesk-knowledge" and body["settings"]["index"]["knn"] is True
    assert body["settings"]["index"]["search.default_pipeline"] == "livedesk-knowledge-hybrid"  # _msearch included
    vector = body["mappings"]["properties"]["vector"]
    assert (vector["type"], vector["dimension"], vector["method"]["name"], vector["method"]["engine"]) == ("knn_vector", 3, "hnsw", "faiss")


def test_a_products_promises_of_some_kinds_are_filtered_on_the_sku_alone_and_the_promise_type() -> None:
    about = Filters(sku="LB-SERUM-30", sku_only=True, promise_types=frozenset({"price", "coupon"}))
    assert filter_clauses("lumi-beauty", about)[1:] == [{"term": {"sku": "LB-SERUM-30"}}, {"terms": {"promise_type": ["coupon", "price"]}}]
    any_product = filter_clauses("lumi-beauty", Filters(sku="LB-SERUM-30"))[1]
    assert any_product["bool"]["should"][0] == {"term": {"sku": "LB-SERUM-30"}}  # passages for every SKU too


def test_one_msearch_holds_the_hybrid_ranking_and_bm25_and_knn_alone_all_filtered(index: OpenSearchIndex) -> None:
    RecordingConnection.response = {"responses": [{"hits": {"hits": []}}] * 3}
    filters = Filters(kinds=frozenset({Kind.POLICY}), on=date(2026, 11, 22), session_id="live-1")
    index.search("lumi-beauty", "退貨規則", filters, k=5)
    ((method, url, lines),) = RecordingConnection.requests
    assert (method, url) == ("POST", "/livedesk-knowledge/_msearch")
    header, hybrid, lexical_header, lexical, dense_header, dense = lines
    assert header == lexical_header == dense_header == {"ignore_unavailable": True}  # no index yet: no hits
    assert hybrid["size"] == 15 and hybrid["_source"] == {"excludes": ["tokens"]}  # vectors come back, for the cosine
    ranked_lexical, ranked_knn = hybrid["query"]["hybrid"]["queries"]
    assert ranked_lexical == lexical["query"] and ranked_knn == dense["query"]
    assert lexical["size"] == 1 and dense["size"] == KNN_DEPTH  # k-NN reads on to the second document, for the margin
    assert lexical["query"]["bool"]["must"]["match"]["tokens"] == "退货 规则"  # traditional folded, jieba-segmented
    clauses = lexical["query"]["bool"]["filter"]
    assert clauses[0] == {"term": {"brand_id": "lumi-beauty"}} and {"terms": {"kind": ["policy"]}} in clauses
    assert "2026-11-22" in json.dumps(clauses) and "live-1" in json.dumps(clauses)
    knn = dense["query"]["knn"]["vector"]
    assert knn["filter"]["bool"]["filter"] == clauses and knn["vector"] == pytest.approx([0.6, 0.8, 0.0])


def test_when_every_passage_read_is_the_top_documents_the_margin_is_taken_from_the_last_one(index: OpenSearchIndex) -> None:
    """The next document lies beyond what k-NN returned: it is no closer than the last passage read."""
    ranked = {"hits": {"hits": [_hit(FAQ, 0.9, [0.6, 0.8, 0.0])]}}
    knn = {"hits": {"hits": [{"_score": 1.95 - n * 0.001, "_source": {"doc_id": "faq-1"}} for n in range(KNN_DEPTH)]}}
    RecordingConnection.response = {"responses": [ranked, _top("faq-1", 3.1), knn]}
    (only,) = index.search("lumi-beauty", "几天发货", k=5)
    assert only.margin == pytest.approx((KNN_DEPTH - 1) * 0.001)


def test_hits_take_ranks_from_bm25_and_knn_alone_and_the_cosine_as_similarity(index: OpenSearchIndex) -> None:
    ranked = {"hits": {"hits": [_hit(FAQ, 0.9, [0.6, 0.8, 0.0]), _hit(FAQ, 0.8, [0.6, 0.8, 0.0]), _hit(OTHER, 0.5, [0.0, 1.0, 0.0])]}}
    closest = (("faq-1", 1.95), ("faq-1", 1.9), ("faq-2", 1.8))
    knn = {"hits": {"hits": [{"_score": score, "_source": {"doc_id": doc}} for doc, score in closest]}}
    RecordingConnection.response = {"responses": [ranked, _top("faq-1", 3.1), knn]}
    first, second = index.search("lumi-beauty", "几天发货", k=5)  # one hit per document
    assert (first.passage.doc_id, first.score, first.lexical_rank, first.dense_rank, first.similarity) == ("faq-1", 0.9, 1, 1, 0.95)
    # margins over the closest other document: faq-2's best passage is the next document k-NN found
    assert (first.margin, second.margin) == (pytest.approx(0.15), pytest.approx(-0.15))
    assert (second.passage.doc_id, second.score, second.lexical_rank, second.dense_rank, second.similarity) == (
        "faq-2",
        0.5,
        None,
        None,
        0.8,
    )


def test_an_opensearch_answer_is_confident_when_both_searches_agree() -> None:
    RecordingConnection.requests.clear()
    ranked = {"hits": {"hits": [_hit(FAQ, 0.9, [0.6, 0.8, 0.0])]}}
    RecordingConnection.response = {"responses": [ranked, _top("faq-1", 3.1), _top("faq-1", 1.93)]}
    index = OpenSearchIndex(_client(), "livedesk-knowledge", FixedEmbedder())

    class NoGaps:
        def record(self, *args: object) -> None:
            raise AssertionError("a confident answer is not a gap")

    result = KnowledgeSearch(lambda: index, NoGaps(), lambda: datetime(2026, 11, 22, tzinfo=UTC)).search(
        "lumi-beauty", SearchRequest(query="几天发货")
    )
    assert (result.answer, result.answer_doc_id, result.reason) == ("48小时内发货。", "faq-1", "confident match")


def test_knn_scores_turn_back_into_inner_products() -> None:
    assert knn_cosine(1.9) == pytest.approx(0.9)  # 1 + ip
    assert knn_cosine(0.8) == pytest.approx(-0.25)  # 1 / (1 - ip)
    assert knn_cosine(1.0) == 0.0


def test_the_channel_filter_admits_faqs_naming_it_and_passages_naming_none(index: OpenSearchIndex) -> None:
    RecordingConnection.response = {"responses": [{"hits": {"hits": []}}] * 3}
    index.search("lumi-beauty", "几号链接", Filters(channel="live_comment"), k=3)
    ((_, _, lines),) = RecordingConnection.requests
    clauses = lines[1]["query"]["hybrid"]["queries"][0]["bool"]["filter"]
    channel = {"term": {"channels": "live_comment"}}
    assert {"bool": {"should": [channel, {"bool": {"must_not": {"exists": {"field": "channels"}}}}]}} in clauses


def _expected_id(doc_id: str, text: str) -> str:
    return f"lumi-beauty:{doc_id}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _indexes() -> tuple[HybridIndex, HybridIndex]:
    embedder = FixedEmbedder()
    previous = HybridIndex(embedder, passages(FAQ) + passages(OTHER))
    edited = FAQ.model_copy(update={"questions": ["几天发货", "多久发货"]})  # one question reworded, OTHER deleted
    return HybridIndex(embedder, passages(edited)), previous


def test_a_sync_indexes_every_passage_under_a_stable_id_and_deletes_the_stale_ones(index: OpenSearchIndex) -> None:
    current, previous = _indexes()
    assert index.sync(current, previous) == (2, 2)
    *_, (_, bulk_url, bulk) = RecordingConnection.requests
    assert bulk_url == "/_bulk"
    actions, sources = bulk[0:4:2], bulk[1:4:2]
    assert actions == [
        {"index": {"_index": "livedesk-knowledge", "_id": _expected_id("faq-1", "几天发货")}},
        {"index": {"_index": "livedesk-knowledge", "_id": _expected_id("faq-1", "多久发货")}},
    ]
    assert sources[0]["vector"] == pytest.approx([0.6, 0.8, 0.0]) and sources[0]["tokens"] == "几天 发货"
    assert sources[0]["passage_id"] == actions[0]["index"]["_id"] and sources[0]["brand_id"] == "lumi-beauty"
    assert sources[0]["passage"]["content"] == "48小时内发货。"
    assert sorted(line["delete"]["_id"] for line in bulk[4:]) == sorted(
        [_expected_id("faq-1", "什么时候发"), _expected_id("faq-2", "可以退货吗")]
    )
    assert passage_id(passages(FAQ)[0].model_dump(mode="json")) == _expected_id("faq-1", "几天发货")


def test_on_serverless_a_sync_lets_opensearch_name_the_documents_and_deletes_every_older_copy() -> None:
    RecordingConnection.requests.clear()
    RecordingConnection.response = {"hits": {"hits": [{"_id": "aoss-1"}, {"_id": "aoss-2"}]}}
    writer = OpenSearchIndex(_client(), "livedesk-knowledge", FixedEmbedder(), custom_ids=False)
    current, previous = _indexes()
    assert writer.sync(current, previous) == (2, 2)
    *_, (_, lookup_url, lookup), (_, _, bulk) = RecordingConnection.requests
    assert lookup_url.startswith("/livedesk-knowledge/_search")
    assert len(lookup["query"]["terms"]["passage_id"]) == 4  # the passages kept and the passages gone
    assert [line for line in bulk if "index" in line] == [{"index": {"_index": "livedesk-knowledge"}}] * 2
    assert [line["delete"]["_id"] for line in bulk if "delete" in line] == ["aoss-1", "aoss-2"]


def test_the_client_signs_for_its_service_over_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    client = opensearch_client("https://abc.us-east-1.aoss.amazonaws.com", "aoss", region="us-east-1")
    (connection,) = client.transport.connection_pool.connections
    assert isinstance(connection, RequestsHttpConnection)
    assert connection.host == "https://abc.us-east-1.aoss.amazonaws.com:443"
    assert connection.session.auth.service == "aoss" and connection.session.auth.signer.region == "us-east-1"
