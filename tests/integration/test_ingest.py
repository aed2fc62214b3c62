"""Ingestion on moto: knowledge files in the bucket become the published index; bad rows are
reported and the good rows still load; a delete removes a file's documents."""

import json
from typing import Any

import boto3

from livedesk.knowledge.store import ArtifactStore
from livedesk.repositories import IngestionReportRepository
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
