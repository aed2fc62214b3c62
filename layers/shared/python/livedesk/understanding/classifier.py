"""Text classifiers at run time: a linear model over TF-IDF features, a sentence embedding, or both.

Training (``livedesk intents|polarity train``, scikit-learn) produces an artifact: the model kind,
the vocabulary, idf weights and coefficients of the lexical part, the coefficients of the dense part
(over the embedding of the message, the same vector knowledge search uses), a softmax temperature
fitted on cross-validated predictions and, for open-set tasks such as intents, an out-of-scope
threshold. It is saved as ``<task>.json`` (what describes the model) beside one ``.npy`` file per
weight array (float32): parsing a million coefficients as JSON took 1.4 s of every cold start.
Features are stored as sorted 64-bit hashes, not strings: polarity's 176,000 features as fixed-width
text were 16 MB to inflate (32 ms of a cold start). The arrays are memory-mapped, not read: a
message touches only the rows of its own features (reading the five models' 6 MB took 19 ms of
routing's cold start).
Inference is numpy: no scikit-learn at run time.

Kinds:
- ``lexical``: TF-IDF over tokens, CJK characters and n-grams, character trigrams of Latin words.
- ``embedding``: the message's multilingual embedding alone.
- ``fused``: one logistic regression over both feature sets (lexical detail + semantic similarity).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from livedesk.understanding.normalize import normalize

OUT_OF_SCOPE = "out_of_scope"
OOS_LABELS = frozenset({"oos", OUT_OF_SCOPE})
TOKEN = re.compile(r"<\w+>|[a-z0-9']+|[\u3400-\u9fff]")
MODELS = Path(__file__).parent / "models"
KINDS = ("lexical", "embedding", "fused")


def analyze(text: str) -> list[str]:
    """Features of already-normalised text: tokens (a CJK character is a token), their
    bigrams and trigrams, and character trigrams inside Latin words (robust to typos)."""
    tokens = TOKEN.findall(text)
    features = list(tokens)
    features += [f"{a} {b}" for a, b in pairwise(tokens)]
    features += [f"{a} {b} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)]
    for token in tokens:
        if len(token) > 3 and token.isascii() and token.isalnum():
            padded = f"#{token}#"
            features += [f"~{padded[i : i + 3]}" for i in range(len(padded) - 2)]
    return features


@dataclass(frozen=True)
class Prediction:
    label: str  # OUT_OF_SCOPE when the top label is oos or its confidence is below the threshold
    confidence: float
    ranked: tuple[tuple[str, float], ...]  # the top three raw labels with their probabilities

    def probability(self, label: str) -> float:
        return next((p for name, p in self.ranked if name == label), 0.0)


class MissingEmbedding(ValueError):
    """An embedding or fused model was asked without the message's vector."""


WEIGHT_KEYS = ("idf", "coef", "dense_coef")  # the artifact's weights: saved as arrays, not JSON


def feature_hashes(features: Sequence[str]) -> Any:
    """Stable 64-bit hashes of features (blake2b; Python's ``hash`` differs per process). Among a
    few hundred thousand features a collision has a chance of about one in 10^9."""
    import numpy as np

    digests = b"".join(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest() for feature in features)
    return np.frombuffer(digests, dtype="<u8")


def _sorted_by_hash(features: Sequence[str], *columns: Any) -> tuple[Any, ...]:
    """The features' hashes in ascending order, and each column's rows in the same order."""
    import numpy as np

    hashes = feature_hashes(features)
    order = np.argsort(hashes, kind="stable")
    return (hashes[order], *(column[order] for column in columns))


def save(artifact: dict[str, Any], target: Path) -> None:
    """``target`` (``<task>.json``) gets what describes the model, a ``<task>.<array>.npy`` file beside
    it for each weight array."""
    import numpy as np

    features = list(artifact.get("idf", {}))
    hashes, idf, coef = _sorted_by_hash(
        features,
        np.array([artifact["idf"][f] for f in features], dtype=np.float32),
        np.array([artifact["coef"][f] for f in features], dtype=np.float32).reshape(len(features), len(artifact["labels"])),
    )
    arrays = {"features": hashes, "idf": idf, "coef": coef, "dense_coef": np.array(artifact.get("dense_coef", []), dtype=np.float32)}
    target.parent.mkdir(parents=True, exist_ok=True)
    files = {name: f"{target.stem}.{name}.npy" for name in arrays}
    for name, array in arrays.items():
        np.save(target.with_name(files[name]), array)
    described = {key: value for key, value in artifact.items() if key not in WEIGHT_KEYS} | {"weights": files}
    target.write_text(json.dumps(described, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")


class TextClassifier:
    def __init__(self, artifact: dict[str, Any], weights: dict[str, Any] | None = None) -> None:
        """``artifact`` as training returns it (weights included), or as saved with its ``weights`` arrays."""
        import numpy as np

        self.task: str = artifact.get("task", "intents")
        self.kind: str = artifact.get("kind", "lexical")
        self.embedder: str | None = artifact.get("embedder")
        self.version: str = artifact["version"]
        self.labels: list[str] = artifact["labels"]
        self.threshold: float = artifact["oos_threshold"]
        self.temperature: float = artifact["temperature"]
        self._intercept = np.array(artifact["intercept"], dtype=np.float64)
        # Features are looked up by binary search among their sorted hashes: no dict to build at cold start.
        if weights is None:
            names = list(artifact.get("idf", {}))
            self._features, self._idf, self._coef = _sorted_by_hash(
                names,
                np.array([artifact["idf"][f] for f in names], dtype=np.float64),
                np.array([artifact["coef"][f] for f in names], dtype=np.float64).reshape(len(names), len(self.labels)),
            )
            dense = artifact.get("dense_coef", [])
        else:
            self._features, self._idf, self._coef = weights["features"], weights["idf"], weights["coef"]
            if self._features.dtype.kind == "U":  # saved as text by an earlier version
                self._features, self._idf, self._coef = _sorted_by_hash(self._features.tolist(), self._idf, self._coef)
            dense = weights["dense_coef"]
        # One row per label, already multiplied by the weight the dense features had in training.
        self._dense = np.array(dense, dtype=np.float64) if len(dense) else None

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        import numpy as np

        artifact = json.loads(path.read_text(encoding="utf-8"))
        stored = artifact.get("weights")
        if stored is None:  # weights inline, as training returns them
            return cls(artifact)
        if isinstance(stored, str):  # one .npz, as earlier versions saved them
            with np.load(path.with_name(stored)) as weights:
                return cls(artifact, dict(weights))
        return cls(artifact, {name: np.load(path.with_name(file), mmap_mode="r") for name, file in stored.items()})

    @classmethod
    def packaged(cls, task: str) -> TextClassifier:
        """The model trained from the shipped data (``make models``)."""
        return cls.load(MODELS / f"{task}.json")

    @property
    def needs_vector(self) -> bool:
        return self.kind != "lexical"

    def _scores(self, text: str, vector: Sequence[float] | None = None) -> list[float]:
        import numpy as np

        scores = self._intercept.copy()
        if self.kind != "embedding":
            rows, counts = self._known_features(analyze(text))
            if len(rows):
                # Only the message's rows are read from the stored float32 arrays, and computed in float64.
                weights = (1.0 + np.log(counts.astype(np.float64))) * self._idf[rows].astype(np.float64)
                scores += weights @ self._coef[rows].astype(np.float64) / (np.linalg.norm(weights) or 1.0)
        if self.needs_vector:
            if vector is None:
                raise MissingEmbedding(f"the {self.kind} {self.task} model needs the message's {self.embedder} embedding")
            if self._dense is not None:
                scores += self._dense @ np.asarray(vector, dtype=np.float64)
        return [float(score) for score in scores]

    def _known_features(self, found: list[str]) -> tuple[Any, Any]:
        """The rows of the model's features among ``found``, and how often each occurs."""
        import numpy as np

        if not found or not len(self._features):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        query = feature_hashes(found)
        positions = np.minimum(np.searchsorted(self._features, query), len(self._features) - 1)
        return np.unique(positions[self._features[positions] == query], return_counts=True)

    def probabilities(self, normalized_text: str, vector: Sequence[float] | None = None) -> list[float]:
        scaled = [score / self.temperature for score in self._scores(normalized_text, vector)]
        top = max(scaled)
        exps = [math.exp(s - top) for s in scaled]
        total = sum(exps)
        return [e / total for e in exps]

    def distribution(self, text: str, *, normalized: bool = False, vector: Sequence[float] | None = None) -> dict[str, float]:
        """Every label's probability."""
        clean = text if normalized else normalize(text).text
        return dict(zip(self.labels, self.probabilities(clean, vector), strict=True))

    def predict(self, text: str, *, normalized: bool = False, vector: Sequence[float] | None = None) -> Prediction:
        clean = text if normalized else normalize(text).text
        ranked = sorted(zip(self.labels, self.probabilities(clean, vector), strict=True), key=lambda item: -item[1])
        label, confidence = ranked[0]
        if label in OOS_LABELS or confidence < self.threshold:
            label = OUT_OF_SCOPE
        return Prediction(label, round(confidence, 4), tuple((name, round(p, 4)) for name, p in ranked[:3]))
