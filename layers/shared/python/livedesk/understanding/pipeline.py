"""Understanding a message once: normalise, classify the intent, assess the emotion."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from livedesk.models import EmotionAssessment
from livedesk.understanding.classifier import Prediction, TextClassifier
from livedesk.understanding.emotion import assess_emotion
from livedesk.understanding.normalize import NormalizedText, normalize


@dataclass(frozen=True)
class Understanding:
    normalized: NormalizedText
    intent: Prediction
    emotion: EmotionAssessment


class Understander:
    def __init__(self, intents: TextClassifier, polarity: TextClassifier) -> None:
        self.intents = intents
        self.polarity = polarity

    @property
    def version(self) -> str:
        return f"intents:{self.intents.version} polarity:{self.polarity.version}"

    def emotion(self, text: str | NormalizedText) -> EmotionAssessment:
        normalized = text if isinstance(text, NormalizedText) else normalize(text)
        return assess_emotion(normalized, self.polarity.predict(normalized.text, normalized=True))

    def understand(self, text: str | NormalizedText) -> Understanding:
        normalized = text if isinstance(text, NormalizedText) else normalize(text)
        intent = self.intents.predict(normalized.text, normalized=True)
        return Understanding(normalized, intent, self.emotion(normalized))


@cache
def packaged_understander() -> Understander:
    """The shipped models, loaded once per execution environment (at cold start)."""
    return Understander(TextClassifier.packaged("intents"), TextClassifier.packaged("polarity"))
