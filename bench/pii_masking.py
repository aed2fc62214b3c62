"""Personal-data masking on a labelled corpus: python bench/pii_masking.py [--data F] [--misses N]

``bench/data/pii_corpus.jsonl`` holds realistic zh/en customer messages, each with the personal data
it contains (kind and value; none for the ordinary messages, which carry order and tracking
numbers, prices, dates, sizes and model numbers). A value counts as found when the findings of
``livedesk.pii.find`` cover at least 80 % of its characters. Over-masking is read on the masked
text: the stretches of text between labelled values must come out intact (a region kept before an
address's "****" is intact), and ordinary messages must not change. Prints recall overall and per
kind, over-masking and the time per message.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "shared" / "python")]

from livedesk.pii import find, mask  # noqa: E402

DATA = ROOT / "bench" / "data" / "pii_corpus.jsonl"
COVERED = 0.8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--misses", type=int, default=0, help="print this many missed values and over-masked messages")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    found_by_kind: dict[str, list[bool]] = defaultdict(list)
    outside = outside_masked = clean = clean_changed = 0
    misses: list[str] = []
    started = time.perf_counter()
    for case in cases:
        text = case["text"]
        masked = [False] * len(text)
        for finding in find(text):
            masked[finding.start : finding.end] = [True] * (finding.end - finding.start)
        labelled = [False] * len(text)
        for item in case["pii"]:
            start = text.index(item["value"])
            end = start + len(item["value"])
            labelled[start:end] = [True] * (end - start)
            hit = sum(masked[start:end]) >= COVERED * (end - start)
            found_by_kind[item["kind"]].append(hit)
            if not hit:
                misses.append(f"missed {item['kind']} {item['value']!r} in {text!r} -> {mask(text)!r}")
        output = mask(text)
        for stretch in "".join(" " if flag else char for char, flag in zip(text, labelled, strict=True)).split(" "):
            outside += len(stretch)
            if stretch and stretch not in output:
                outside_masked += len(stretch)
                misses.append(f"over-masked {stretch!r} in {text!r} -> {output!r}")
        if not case["pii"]:
            clean += 1
            if mask(text) != text:
                clean_changed += 1
                misses.append(f"over-masked {text!r} -> {mask(text)!r}")
    elapsed = time.perf_counter() - started
    values = [hit for hits in found_by_kind.values() for hit in hits]
    print(f"{len(cases)} messages, {len(values)} labelled values, {clean} with none")
    print(f"recall {sum(values) / len(values):.3f} ({sum(values)}/{len(values)})")
    print("  per kind: " + ", ".join(f"{kind} {sum(h) / len(h):.2f} ({sum(h)}/{len(h)})" for kind, h in sorted(found_by_kind.items())))
    print(f"over-masking: {outside_masked / max(1, outside):.2%} of the characters outside personal data lost; ", end="")
    print(f"{clean_changed} of {clean} ordinary messages changed")
    print(f"find + mask: {elapsed / len(cases) * 1000:.3f} ms per message")
    for line in misses[: args.misses]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
