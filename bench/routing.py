"""Routing throughput and latency on one core, warm.

Run: .venv/bin/python bench/routing.py   (part of `make bench`)

1. Understanding + decision: normalise, live-comment triage, intent, emotion and the three-dimensional
   decision, for every text of the shipped intent data, in batches of 10 (with a fixed knowledge
   answer: the search itself is measured by bench/search_index.py and bench/search_answers.py).
2. The routing handler end to end on in-process moto (DynamoDB, Step Functions): SQS batches of 10
   through Powertools batch + idempotency, the repositories and the escalation start, with a
   stand-in for the search function. moto's own cost dominates this figure; real DynamoDB calls
   take single-digit milliseconds each.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "layers" / "shared" / "python", ROOT / "functions"):
    sys.path.insert(0, str(path))

from livedesk.knowledge.contract import SearchHit, SearchRequest, SearchResult  # noqa: E402
from livedesk.knowledge.kinds import Kind  # noqa: E402
from livedesk.understanding.normalize import normalize  # noqa: E402
from livedesk.understanding.pipeline import packaged_understander  # noqa: E402
from livedesk.understanding.training import read_examples  # noqa: E402
from livedesk.understanding.triage import triage  # noqa: E402
from livedesk.value import CustomerValue, assess_value  # noqa: E402
from routing.policy import BotAnswer, decide, may_answer  # noqa: E402

TEXTS = [e.text for e in read_examples(ROOT / "layers" / "shared" / "training" / "intents.jsonl")]
BATCH = 10


def percentiles(per_message_ms: list[float]) -> str:
    cuts = statistics.quantiles(per_message_ms, n=100)
    return f"p50 {cuts[49]:.3f} ms  p99 {cuts[98]:.3f} ms"


def understanding_and_decision(rounds: int = 5) -> None:
    understander, answer = packaged_understander(), BotAnswer("付款后48小时内发货。", "faq-lb-001")
    now = datetime.now(UTC)
    value = assess_value(CustomerValue(lifetime_spend=800, order_count=3, member_since=date(2024, 1, 1)), now)

    def route(text: str) -> None:
        normalized = normalize(text)
        triage(normalized)
        understood = understander.understand(normalized)
        decide(understood, value, answer if may_answer(understood) else None, understander.version)

    for text in TEXTS[:200]:  # warm
        route(text)
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for offset in range(0, len(TEXTS), BATCH):
            batch_started = time.perf_counter()
            for text in TEXTS[offset : offset + BATCH]:
                route(text)
            size = len(TEXTS[offset : offset + BATCH])
            latencies += [(time.perf_counter() - batch_started) * 1000 / size] * size
    elapsed = time.perf_counter() - started
    print(f"understanding + decision {len(latencies) / elapsed:7.0f} msg/s/core  {percentiles(latencies)}  ({len(latencies)} messages)")


class StandInSearch:
    """Answers every other question, as the search function would for a well-covered brand."""

    def __init__(self) -> None:
        self.calls = 0

    def lookup(
        self, brand_id: str, request: SearchRequest, record_gap: bool, customer_id: str | None = None, vector: object = None
    ) -> SearchResult:
        self.calls += 1
        hit = SearchHit(
            doc_id="faq-lb-001",
            kind=Kind.FAQ,
            content="付款后48小时内发货。",
            matched="几天发货",
            score=0.03,
            similarity=0.93,
            source="bench",
            version=1,
        )
        answer = hit.content if self.calls % 2 else None
        return SearchResult(hits=[hit], answer=answer, answer_doc_id=hit.doc_id if answer else None, reason="bench", embedder="bench")


def handler_on_moto(batches: int = 30) -> None:
    import boto3
    from moto import mock_aws

    from infrastructure.local.stack import function_environment, provision_resources
    from infrastructure.local.template import Template

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "livedesk-bench-routing", 1024, "bench"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:livedesk-bench-routing"

        def get_remaining_time_in_millis(self) -> int:
            return 60_000

    os.environ.update({"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    from moto.core.botocore_stubber import BotocoreStubber

    # Count the AWS calls the handler makes per message and the time moto takes to serve them.
    in_moto = [0.0, 0]
    serve = BotocoreStubber.__call__

    def timed_serve(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return serve(self, event_name, request, **kwargs)
        finally:
            in_moto[0] += time.perf_counter() - started
            in_moto[1] += 1

    BotocoreStubber.__call__ = timed_serve  # type: ignore[method-assign]
    with mock_aws():
        template = Template.load(ROOT / "cdk.out" / "LiveDesk.template.json")
        provision_resources(template, boto3.client)
        os.environ.update({**function_environment(template, "routing"), "POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING"})
        import routing.handler as handler

        handler.router._knowledge = StandInSearch()

        def event(texts: list[str]) -> dict[str, Any]:
            records = []
            for text in texts:
                body = {
                    "channel": "app_chat",
                    "channel_message_id": uuid.uuid4().hex,
                    "customer_id": f"bench-{uuid.uuid4().hex[:8]}",
                    "text": text,
                    "sent_at": datetime.now(UTC).isoformat(),
                    "brand_id": "lumi-beauty",
                    "message_id": f"msg_{uuid.uuid4().hex[:24]}",
                    "received_at": datetime.now(UTC).isoformat(),
                }
                records.append(
                    {
                        "messageId": str(uuid.uuid4()),
                        "receiptHandle": "r",
                        "body": json.dumps(body, ensure_ascii=False),
                        "attributes": {
                            "ApproximateReceiveCount": "1",
                            "SentTimestamp": "1",
                            "SenderId": "s",
                            "ApproximateFirstReceiveTimestamp": "1",
                        },
                        "messageAttributes": {},
                        "md5OfBody": "m",
                        "eventSource": "aws:sqs",
                        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                        "awsRegion": "us-east-1",
                    }
                )
            return {"Records": records}

        latencies: list[float] = []
        with contextlib.redirect_stdout(io.StringIO()):  # the EMF metrics lines
            handler.handler(event(TEXTS[:BATCH]), Context())  # warm
            in_moto[:] = [0.0, 0]
            started = time.perf_counter()
            for n in range(batches):
                texts = TEXTS[(n * BATCH) % len(TEXTS) :][:BATCH]
                batch_started = time.perf_counter()
                assert handler.handler(event(texts), Context()) == {"batchItemFailures": []}
                latencies += [(time.perf_counter() - batch_started) * 1000 / len(texts)] * len(texts)
            elapsed = time.perf_counter() - started
    messages = len(latencies)
    print(f"routing handler on moto  {messages / elapsed:7.0f} msg/s/core  {percentiles(latencies)}  ({batches} SQS batches of 10)")
    own = elapsed - in_moto[0]
    print(
        f"  outside moto's dispatch (our code, Powertools, botocore) {own / messages * 1000:.2f} ms/msg = {messages / own:.0f} msg/s/core"
    )
    print(f"  {in_moto[1] / messages:.1f} AWS calls per message, served by moto in {in_moto[0] / in_moto[1] * 1000:.1f} ms each")


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core
    understanding_and_decision()
    handler_on_moto()
