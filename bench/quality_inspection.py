"""Quality inspection measured on labelled replies: python bench/quality_inspection.py [--half dev|test|all] [--errors N]

Each line of ``bench/data/quality_replies.jsonl`` (zh, zh-hant and en replies by agents and the bot,
written and labelled by hand with the findings a QA reviewer would raise) goes through the real
inspector with the packaged rule file, against the demo brands' policies and live-session promises
(``layers/shared/knowledge/demo``). Prints precision and recall per rule, overall and per language.

The set has two fixed halves (by a hash of each row's id): ``--half dev`` is the one to read errors
on while improving the rules; ``--half test`` is the one to report, and its errors are not printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "shared" / "python")]

from livedesk.knowledge.documents import passages  # noqa: E402
from livedesk.knowledge.loader import load_paths  # noqa: E402
from livedesk.quality.inspector import Inspector  # noqa: E402
from livedesk.quality.model import BrandKnowledge, Turn  # noqa: E402
from livedesk.quality.rules import RuleSet  # noqa: E402

DATA = ROOT / "bench" / "data" / "quality_replies.jsonl"
KNOWLEDGE = ROOT / "layers" / "shared" / "knowledge" / "demo"
RULES = ("absolute_claim", "forbidden_promise", "rude_wording", "personal_data", "policy_contradiction", "promise_contradiction")


def half_of(row_id: str) -> str:
    return "dev" if int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def knowledge_by_brand() -> dict[str, BrandKnowledge]:
    paths = [p for p in KNOWLEDGE.glob("*/*.jsonl") if p.name != "queries.jsonl"]
    records: dict[str, list[dict[str, object]]] = defaultdict(list)
    for document in load_paths(paths).documents:
        records[document.brand_id] += [p.model_dump(mode="json") for p in passages(document)]
    return {brand: BrandKnowledge.from_records(rows) for brand, rows in records.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--half", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--errors", type=int, default=0, help="print up to N wrong rows (not on the test half)")
    args = parser.parse_args()

    inspector = Inspector(RuleSet.packaged())
    knowledge = knowledge_by_brand()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [row for row in rows if args.half == "all" or half_of(row["id"]) == args.half]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    by_lang: dict[str, Counter[str]] = defaultdict(Counter)
    wrong = []
    for row in rows:
        turn = Turn(
            message_id=row["id"], author=row["author"], author_id="agent", text=row["text"], sent_at=datetime.fromisoformat(row["at"])
        )
        found = {
            f.rule_id for f in inspector.reply(turn, knowledge.get(row["brand_id"], BrandKnowledge()), row["live_session_id"], row["sku"])
        }
        found &= set(RULES)
        expected = set(row["expected"])
        for rule in RULES:
            outcome = "tp" if rule in found and rule in expected else "fp" if rule in found else "fn" if rule in expected else "tn"
            counts[rule][outcome] += 1
            by_lang[row["lang"]][outcome] += 1
        if found != expected:
            wrong.append((row, found))

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.3f}" if b else "n/a"

    def scores(c: Counter[str]) -> str:
        return f"precision {ratio(c['tp'], c['tp'] + c['fp'])}  recall {ratio(c['tp'], c['tp'] + c['fn'])}"

    total: Counter[str] = sum(counts.values(), Counter())
    with_findings = sum(1 for r in rows if r["expected"])
    print(f"{len(rows)} replies ({args.half}), {with_findings} with findings; rows fully right {len(rows) - len(wrong)}")
    print(f"overall: {scores(total)} (precision goal ≥ 0.90)")
    for rule in RULES:
        c = counts[rule]
        print(f"  {rule:22} {scores(c)}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})")
    for lang, c in sorted(by_lang.items()):
        print(f"  {lang:8} {scores(c)}")
    if args.half != "test":
        for row, found in wrong[: args.errors]:
            print(f"  {row['id']} expected {sorted(row['expected'])} found {sorted(found)}: {row['text'][:140]}")


if __name__ == "__main__":
    main()
