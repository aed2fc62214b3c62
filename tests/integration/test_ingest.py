"""Ingestion on moto: knowledge files in the bucket become the published index; bad rows are
reported and the good rows still load; a delete removes a file's documents."""

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import numpy as np
import pytest

from ingest.service import FileReport, Ingestor, KnowledgeFiles
from livedesk.knowledge.gaps import IngestionReportRepository
from livedesk.knowledge.hybrid import HybridIndex
from livedesk.knowledge.store import ArtifactStore
from tests.integration.conftest import Aws, FakeContext

FAQ = {"kind": "faq", "lang": "zh", "source": "handbook", "category": "beauty"}
ROWS = [
    {**FAQ, "id": "faq-ship", "questions": ["几天发货", "什么时候发货"], "answer": "付款后48小时内发货。"},
    {**FAQ, "id": "faq-other", "brand_id": "oak-home", "questions": ["别的品牌"], "answer": "x"},
    {"id": "faq-broken", "kind": "faq"},
]


def test_uploads_become_the_index_and_deletes_remove_them(aws: Aws, load_handler: Any, context: FakeContext) -> None:
    s3, bucket = boto3.client("s3"), aws.bucket("KnowledgeBucket")
    s3.put_object(
        Bucket=bucket, Key="knowledge/lumi-beauty/faq.jsonl", Body="\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS).encode()
    )
    s3.put_object(Bucket=bucket, Key="knowledge/stray.jsonl", Body=b"{}")
    handler = load_handler("ingest")
    result = handler.handler({"rebuild": "manual"}, context)
    assert (result["files"], result["documents"], result["passages"], result["embedded"], result["rows_skipped"]) == (1, 1, 2, 2, 2)
    (report,) = IngestionReportRepository(aws.table("Knowledge")).for_brand("lumi-beauty")
    assert (
        report["documents"] == 1
        and any("faq.jsonl:3" in e for e in report["errors"])
        and any("not lumi-beauty" in e for e in report["errors"])
    )
    assert ArtifactStore(s3, bucket, "index/").current() is not None

    again = handler.handler({"Records": [{"messageId": "m1", "body": "{}"}]}, context)
    assert again == {"batchItemFailures": []}
    s3.delete_object(Bucket=bucket, Key="knowledge/lumi-beauty/faq.jsonl")
    s3.delete_object(Bucket=bucket, Key="knowledge/lumi-beauty/legacy.csv")
    emptied = handler.handler({"rebuild": "manual"}, context)
    assert (emptied["documents"], emptied["passages"]) == (0, 0)


class FixedEmbedder:
    name = "fixed-2"

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.tile(np.array([0.6, 0.8], dtype=np.float32), (len(texts), 1))


class Writer:
    """Records each sync; ``fail`` makes the next one raise."""

    def __init__(self) -> None:
        self.synced: list[tuple[int, int | None]] = []
        self.fail = False

    def sync(self, current: HybridIndex, previous: HybridIndex | None) -> tuple[int, int]:
        if self.fail:
            raise ConnectionError("OpenSearch is unreachable")
        self.synced.append((current.size, previous.size if previous else None))
        return current.size, previous.size if previous else 0


class NoReports:
    def record(self, report: FileReport, at: datetime) -> None:
        pass


def test_each_rebuild_syncs_the_opensearch_writer_before_publishing(aws: Aws) -> None:
    s3, bucket = boto3.client("s3"), aws.bucket("KnowledgeBucket")
    s3.put_object(Bucket=bucket, Key="knowledge/lumi-beauty/faq.jsonl", Body=json.dumps(ROWS[0], ensure_ascii=False).encode())
    store, writer = ArtifactStore(s3, bucket, "index/"), Writer()

    def ingestor(writer: Writer | None) -> Ingestor:
        return Ingestor(KnowledgeFiles(s3, bucket), store, FixedEmbedder, NoReports(), lambda: datetime.now(UTC), writer=writer)

    first = ingestor(writer).rebuild("manual")
    assert (first.opensearch_indexed, first.opensearch_deleted, writer.synced) == (2, 0, [(2, None)])
    second = ingestor(writer).rebuild("manual")
    assert writer.synced[-1] == (2, 2) and (second.opensearch_indexed, second.opensearch_deleted) == (2, 2)  # got the previous artifact
    published = store.current()
    writer.fail = True
    with pytest.raises(ConnectionError):
        ingestor(writer).rebuild("manual")
    assert store.current() == published  # nothing published: the retry still diffs against the same previous build
    assert ingestor(None).rebuild("manual").opensearch_indexed == 0  # the artifact backend has no writer
