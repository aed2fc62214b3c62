"""Retrieval quality and latency on any knowledge files and any query file (development tool).

Query files are JSONL or CSV rows with ``query``, ``expected_ids`` (a list, or ids separated by
``|``) and optional ``brand_id``, ``lang`` and ``on`` (the date the question is asked, for policies).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from livedesk.files import read_rows
from livedesk.knowledge.hybrid import Filters, HybridIndex


@dataclass(frozen=True)
class Query:
    text: str
    expected: frozenset[str]
    brand_id: str | None
    lang: str
    on: date | None


def read_queries(path: Path) -> list[Query]:
    rows = read_rows(path)
    queries = []
    for number, row in enumerate(rows, start=1):
        expected = row.get("expected_ids") or []
        if isinstance(expected, str):
            expected = [part.strip() for part in expected.split("|") if part.strip()]
        if not str(row.get("query", "")).strip() or not expected:
            raise ValueError(f"{path}:{number}: every row needs a query and expected_ids")
        on = row.get("on")
        queries.append(
            Query(
                str(row["query"]),
                frozenset(expected),
                row.get("brand_id") or None,
                str(row.get("lang") or ""),
                date.fromisoformat(on) if on else None,
            )
        )
    return queries


def evaluate(index: HybridIndex, queries: list[Query], default_brand: str | None, on: date) -> dict[str, Any]:
    """R@1, R@5 and MRR@10 of the first expected document, and latency with and without the
    query embedding (embedded once up front for the second figure)."""
    vectors = index.embed_queries([q.text for q in queries])
    ranks: list[int | None] = []
    total_ms: list[float] = []
    search_ms: list[float] = []
    by_language: dict[str, list[int]] = {}
    for query, vector in zip(queries, vectors, strict=True):
        brand = query.brand_id or default_brand
        if brand is None:
            raise ValueError(f"query {query.text!r} names no brand: pass --brand")
        filters = Filters(on=query.on or on)
        started = time.perf_counter()
        index.search(brand, query.text, filters, k=10)
        total_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hits = index.search_vector(brand, query.text, vector, filters, k=10)
        search_ms.append((time.perf_counter() - started) * 1000)
        ids = [hit.passage.doc_id for hit in hits]
        rank = next((position for position, doc in enumerate(ids, start=1) if doc in query.expected), None)
        ranks.append(rank)
        if query.lang:
            by_language.setdefault(query.lang, []).append(int(rank == 1))
    count = len(queries)

    def cut(values: list[float], percentile: int) -> float:
        return round(statistics.quantiles(values, n=100)[percentile - 1], 2) if len(values) > 1 else round(values[0], 2)

    report: dict[str, Any] = {
        "queries": count,
        "documents_indexed": index.size,
        "recall_at_1": round(sum(r == 1 for r in ranks) / count, 4),
        "recall_at_5": round(sum(r is not None and r <= 5 for r in ranks) / count, 4),
        "mrr_at_10": round(sum(1 / r for r in ranks if r) / count, 4),
        "latency_ms": {"p50": cut(total_ms, 50), "p99": cut(total_ms, 99)},
        "latency_ms_without_query_embedding": {"p50": cut(search_ms, 50), "p99": cut(search_ms, 99)},
        "embedder": index.embedder.name,
    }
    if by_language:
        report["recall_at_1_by_language"] = {lang: round(sum(h) / len(h), 4) for lang, h in sorted(by_language.items())}
    return report
