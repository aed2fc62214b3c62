"""Text classifiers at run time: a linear model over TF-IDF features, a sentence embedding, or both.

Training (``livedesk intents|polarity train``, scikit-learn) exports one JSON artifact: the model
kind, the vocabulary, idf weights and coefficients of the lexical part, the coefficients of the
dense part (over the embedding of the message, the same vector knowledge search uses), a softmax
temperature fitted on cross-validated predictions and, for open-set tasks such as intents, an
out-of-scope threshold. Inference is plain Python: no scikit-learn at run time.

Kinds:
- ``lexical``: TF-IDF over tokens, CJK characters and n-grams, character trigrams of Latin words.
- ``embedding``: the message's multilingual embedding alone.
- ``fused``: one logistic regression over both feature sets (lexical detail + semantic similarity).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
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


class TextClassifier:
    def __init__(self, artifact: dict[str, Any]) -> None:
        self.task: str = artifact.get("task", "intents")
        self.kind: str = artifact.get("kind", "lexical")
        self.embedder: str | None = artifact.get("embedder")
        self.version: str = artifact["version"]
        self.labels: list[str] = artifact["labels"]
        self.threshold: float = artifact["oos_threshold"]
        self.temperature: float = artifact["temperature"]
        self._intercept: list[float] = artifact["intercept"]
        self._idf: dict[str, float] = artifact.get("idf", {})
        self._coef: dict[str, list[float]] = artifact.get("coef", {})
        # One row per label, already multiplied by the weight the dense features had in training.
        self._dense: list[list[float]] = artifact.get("dense_coef", [])

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def packaged(cls, task: str) -> TextClassifier:
        """The model trained from the shipped data (``make models``)."""
        return cls.load(MODELS / f"{task}.json")

    @property
    def needs_vector(self) -> bool:
        return self.kind != "lexical"

    def _scores(self, text: str, vector: Sequence[float] | None = None) -> list[float]:
        scores = list(self._intercept)
        if self.kind != "embedding":
            counts = Counter(feature for feature in analyze(text) if feature in self._idf)
            weights = {feature: (1.0 + math.log(n)) * self._idf[feature] for feature, n in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for feature, weight in weights.items():
                for index, coefficient in enumerate(self._coef[feature]):
                    scores[index] += coefficient * weight / norm
        if self.needs_vector:
            if vector is None:
                raise MissingEmbedding(f"the {self.kind} {self.task} model needs the message's {self.embedder} embedding")
            values = list(vector)
            for index, row in enumerate(self._dense):
                scores[index] += sum(c * v for c, v in zip(row, values, strict=True))
        return scores

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
