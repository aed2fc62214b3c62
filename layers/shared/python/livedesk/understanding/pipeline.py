"""Understanding a message once: normalise, embed, classify the intent, assess the emotion.

The shipped models are fused (TF-IDF + the multilingual embedding); the embedding is computed once
per message and handed on to knowledge search as its query vector, so nothing embeds twice."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from livedesk.models import EmotionAssessment
from livedesk.understanding.classifier import Prediction, TextClassifier
from livedesk.understanding.embedders import Embedder, QueryVector, embedder_named, embedding_input
from livedesk.understanding.emotion import assess_emotion
from livedesk.understanding.normalize import NormalizedText, read_message


@dataclass(frozen=True)
class Understanding:
    normalized: NormalizedText
    intent: Prediction
    emotion: EmotionAssessment
    vector: QueryVector | None = None  # the message's embedding, for knowledge search


class EmotionReader:
    """The polarity model, and optionally the emotion-category, intensity and threat models (without
    them the cue lexicon decides those): what the sentiment API needs, without the intent model."""

    def __init__(
        self,
        polarity: TextClassifier,
        embedder: Embedder | None = None,
        emotions: TextClassifier | None = None,
        intensity: TextClassifier | None = None,
        threats: TextClassifier | None = None,
    ) -> None:
        self.polarity = polarity
        self.emotions = emotions
        self.intensity = intensity
        self.threats = threats
        self.embedder = embedder
        self.models = self._emotion_models = [model for model in (polarity, emotions, intensity, threats) if model is not None]
        for model in self.models:
            if model.needs_vector and embedder is None:
                raise ValueError(f"the {model.kind} {model.task} model needs an embedder ({model.embedder})")

    @property
    def version(self) -> str:
        return " ".join(f"{model.task}:{model.version}" for model in self.models)

    def embed(self, normalized: NormalizedText) -> QueryVector | None:
        if self.embedder is None:
            return None
        values = self.embedder.embed([embedding_input(normalized.original)])[0]
        return QueryVector(self.embedder.name, tuple(float(v) for v in values))

    def emotion(self, text: str | NormalizedText, vector: QueryVector | None = None) -> EmotionAssessment:
        normalized = text if isinstance(text, NormalizedText) else read_message(text)
        if vector is None and any(model.needs_vector for model in self._emotion_models):
            vector = self.embed(normalized)
        values = vector.values if vector else None
        clean = normalized.text
        return assess_emotion(
            normalized,
            self.polarity.predict(clean, normalized=True, vector=values),
            self.emotions.distribution(clean, normalized=True, vector=values) if self.emotions else None,
            self.intensity.distribution(clean, normalized=True, vector=values) if self.intensity else None,
            self.threats.distribution(clean, normalized=True, vector=values).get("true", 0.0) if self.threats else None,
        )


class Understander(EmotionReader):
    """The intent model beside the emotion models: routing's reading of a message."""

    def __init__(self, intents: TextClassifier, reader: EmotionReader) -> None:
        super().__init__(reader.polarity, reader.embedder, reader.emotions, reader.intensity, reader.threats)
        if intents.needs_vector and reader.embedder is None:
            raise ValueError(f"the {intents.kind} {intents.task} model needs an embedder ({intents.embedder})")
        self.intents = intents
        self.models = [intents, *self.models]

    def understand(self, text: str | NormalizedText) -> Understanding:
        normalized = text if isinstance(text, NormalizedText) else read_message(text)
        vector = self.embed(normalized)
        intent = self.intents.predict(normalized.text, normalized=True, vector=vector.values if vector else None)
        return Understanding(normalized, intent, self.emotion(normalized, vector), vector)


EMOTION_TASKS = ("polarity", "emotions", "intensity", "threats")


@cache
def packaged_emotion_reader() -> EmotionReader:
    """The shipped emotion models and their embedder, loaded once per execution environment."""
    polarity, *others = [TextClassifier.packaged(task) for task in EMOTION_TASKS]
    key = _embedder_key([polarity, *others])
    return EmotionReader(polarity, embedder_named(key) if key else None, *others)


@cache
def packaged_understander() -> Understander:
    """The shipped models and the embedder they were trained for, loaded once per execution
    environment (at cold start)."""
    intents, reader = TextClassifier.packaged("intents"), packaged_emotion_reader()
    _embedder_key([intents, *reader.models])  # one embedder for all five
    return Understander(intents, reader)


def _embedder_key(models: list[TextClassifier]) -> str | None:
    wanted = {model.embedder for model in models if model.needs_vector}
    if len(wanted) > 1:
        raise ValueError(f"the shipped models need different embedders: {sorted(map(str, wanted))}")
    return wanted.pop() if wanted else None
