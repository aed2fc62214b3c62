"""Train and evaluate text classifiers on any labelled file (development tool, needs scikit-learn).

Files are CSV (a header with ``text`` and ``label`` columns) or JSONL (objects with ``text`` and
``label``); an optional ``lang`` column gives per-language figures. Rows labelled ``oos`` are
out-of-scope examples.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from livedesk.files import read_rows
from livedesk.understanding.classifier import OOS_LABELS, OUT_OF_SCOPE, Prediction, TextClassifier, analyze
from livedesk.understanding.normalize import normalize

TRAINER_VERSION = "tfidf-logreg-1"
SEED = 7
# Task -> open set: whether messages outside every label exist and must come out as out-of-scope.
TASKS = {"intents": True, "polarity": False}


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    lang: str


def read_examples(path: Path) -> list[Example]:
    rows = read_rows(path)
    examples = []
    for number, row in enumerate(rows, start=1):
        if not str(row.get("text", "")).strip() or not str(row.get("label", "")).strip():
            raise ValueError(f"{path}:{number}: every row needs a text and a label")
        examples.append(Example(str(row["text"]), str(row["label"]).strip(), str(row.get("lang") or "")))
    return examples


def split(examples: list[Example], test_size: float) -> tuple[list[Example], list[Example]]:
    from sklearn.model_selection import train_test_split

    labels = [e.label for e in examples]
    stratify = labels if min(Counter(labels).values()) >= 2 else None
    train, test = train_test_split(examples, test_size=test_size, random_state=SEED, stratify=stratify)
    return list(train), list(test)


def _fit_temperature(decision: Any, labels: list[int]) -> float:
    """The softmax temperature that minimises the log loss of cross-validated predictions."""
    best, best_loss = 1.0, math.inf
    for step in range(5, 301):
        temperature = step / 50
        loss = 0.0
        for row, label in zip(decision, labels, strict=True):
            scaled = [value / temperature for value in row]
            top = max(scaled)
            log_total = top + math.log(sum(math.exp(s - top) for s in scaled))
            loss += log_total - scaled[label]
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best


def _fit_threshold(probabilities: Any, labels: list[str], classes: list[str]) -> float:
    """The confidence below which a message is out of scope: the threshold with the best macro-F1
    on cross-validated predictions, at least 0.2 even when the data has no oos rows."""
    from sklearn.metrics import f1_score

    truth = [OUT_OF_SCOPE if label in OOS_LABELS else label for label in labels]
    best, best_f1 = 0.2, -1.0
    for step in range(20, 81, 2):
        threshold = step / 100
        predicted = []
        for row in probabilities:
            index = max(range(len(row)), key=lambda i: row[i])
            label = classes[index]
            predicted.append(OUT_OF_SCOPE if label in OOS_LABELS or row[index] < threshold else label)
        score = f1_score(truth, predicted, average="macro", zero_division=0)
        if score > best_f1 + 1e-9:
            best, best_f1 = threshold, score
    return best


def build_pipeline() -> Any:
    """TF-IDF over ``analyze`` features, then multinomial logistic regression; TextClassifier mirrors it."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=2),
        LogisticRegression(C=20.0, max_iter=5000),
    )


def train(examples: list[Example], data_digest: str, task: str = "intents") -> dict[str, Any]:
    """Fit on every example. Open-set tasks (intents) also get an out-of-scope threshold;
    closed-set ones (polarity) always answer with their top label."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [normalize(e.text).text for e in examples]
    labels = [e.label for e in examples]
    open_set = TASKS[task]
    pipeline = build_pipeline()
    folds = min(5, min(Counter(labels).values()))
    if folds >= 2:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
        decision = cross_val_predict(pipeline, texts, labels, cv=cv, method="decision_function")
        classes = sorted(set(labels))
        temperature = _fit_temperature(decision, [classes.index(label) for label in labels])
        probabilities = [_softmax([v / temperature for v in row]) for row in decision]
        threshold = _fit_threshold(probabilities, labels, classes) if open_set else 0.0
    else:
        temperature, threshold = 1.0, 0.2 if open_set else 0.0
    pipeline.fit(texts, labels)
    vectorizer, classifier = pipeline.steps[0][1], pipeline.steps[1][1]
    vocabulary = vectorizer.vocabulary_
    coef = classifier.coef_
    return {
        "task": task,
        "version": f"{TRAINER_VERSION}-{data_digest[:12]}",
        "trainer": TRAINER_VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_sha256": data_digest,
        "examples": len(examples),
        "labels": [str(label) for label in classifier.classes_],
        "temperature": temperature,
        "oos_threshold": threshold,
        "intercept": [round(float(v), 6) for v in classifier.intercept_],
        "idf": {feature: round(float(vectorizer.idf_[index]), 6) for feature, index in vocabulary.items()},
        "coef": {feature: [round(float(v), 6) for v in coef[:, index]] for feature, index in vocabulary.items()},
    }


def _softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.read_bytes())
    return sha.hexdigest()


def _expected_calibration_error(predictions: list[Prediction], labels: list[str], bins: int = 10) -> float:
    """How far the top label's confidence is from its accuracy, averaged over 10 confidence bins
    (0 is perfectly calibrated)."""
    binned: dict[int, list[tuple[float, bool]]] = {}
    for prediction, label in zip(predictions, labels, strict=True):
        top, confidence = prediction.ranked[0]
        binned.setdefault(min(int(confidence * bins), bins - 1), []).append((confidence, top == label))
    return sum(abs(sum(c for c, _ in rows) - sum(hit for _, hit in rows)) for rows in binned.values()) / len(labels)


def evaluate(model: TextClassifier, examples: list[Example]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    truth = [OUT_OF_SCOPE if e.label in OOS_LABELS else e.label for e in examples]
    normalized = [normalize(e.text).text for e in examples]
    started = time.perf_counter()
    predictions = [model.predict(text, normalized=True) for text in normalized]
    elapsed = time.perf_counter() - started
    predicted = [p.label for p in predictions]
    started = time.perf_counter()
    for e in examples:
        normalize(e.text)
    normalizing = time.perf_counter() - started
    labels = sorted(set(truth))
    report: dict[str, Any] = {
        "examples": len(examples),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "per_class_recall": {
            label: round(float(r), 4)
            for label, r in zip(labels, recall_score(truth, predicted, labels=labels, average=None, zero_division=0), strict=True)
        },
        "calibration_error": round(_expected_calibration_error(predictions, [e.label for e in examples]), 4),
        "latency_ms_per_message": round((elapsed + normalizing) / len(examples) * 1000, 4),
    }
    if OUT_OF_SCOPE in truth:
        oos = [p == OUT_OF_SCOPE for t, p in zip(truth, predicted, strict=True) if t == OUT_OF_SCOPE]
        report["oos_recall"] = round(sum(oos) / len(oos), 4)
    by_language: dict[str, list[int]] = {}
    for example, t, p in zip(examples, truth, predicted, strict=True):
        if example.lang:
            by_language.setdefault(example.lang, []).append(int(t == p))
    if by_language:
        report["accuracy_by_language"] = {lang: round(sum(hits) / len(hits), 4) for lang, hits in sorted(by_language.items())}
    return report
