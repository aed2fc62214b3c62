"""What each FAQ is about in the intent model's terms, so the bot does not answer a question with an
FAQ that answers another kind of question ("is the cream in stock?" with the cream's texture FAQ,
"do you have a showroom?" with the FAQ on where the products are made).

An FAQ's *profile* is the mean of the intent model's top-three reading of its question variants,
computed when the index is built from the vectors the index holds anyway. A message's reading and an
FAQ's profile overlap by the sum over intents of the two probabilities' product; search gives an
FAQ's answer only when the overlap reaches ``TOPIC_OVERLAP`` (bench/search_answers.py measures it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

from livedesk.knowledge.documents import Passage
from livedesk.knowledge.kinds import Kind
from livedesk.understanding.embedders import EMBEDDERS

if TYPE_CHECKING:
    import numpy as np

    from livedesk.understanding.classifier import TextClassifier

PROFILE_LABELS = 5  # the profile keeps an FAQ's most likely intents
MIN_PROBABILITY = 0.01  # and drops the ones its questions hardly read as


@cache
def intent_reader(embedder_name: str) -> TextClassifier | None:
    """The shipped intent model when it reads vectors of this embedder (or none), else None: a profile
    from another embedder's vectors would be noise."""
    from livedesk.understanding.classifier import TextClassifier

    model = TextClassifier.packaged("intents")
    if model.needs_vector and getattr(EMBEDDERS.get(model.embedder or ""), "name", model.embedder) != embedder_name:
        return None
    return model


def with_intent_profiles(passages: Sequence[Passage], vectors: np.ndarray, reader: TextClassifier | None) -> list[Passage]:
    """The passages, each FAQ's with its profile: one passage per question variant, with its vector."""
    if reader is None:
        return list(passages)
    readings: dict[tuple[str, str], list[tuple[tuple[str, float], ...]]] = defaultdict(list)
    for passage, vector in zip(passages, vectors, strict=True):
        if passage.kind is Kind.FAQ:
            reading = reader.predict(passage.text, vector=vector if reader.needs_vector else None)
            readings[passage.brand_id, passage.doc_id].append(reading.ranked)
    profiles = {key: _profile(found) for key, found in readings.items()}
    return [
        passage.model_copy(update={"intents": profiles[passage.brand_id, passage.doc_id]}) if passage.kind is Kind.FAQ else passage
        for passage in passages
    ]


def _profile(readings: list[tuple[tuple[str, float], ...]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for ranked in readings:
        for label, probability in ranked:
            total[label] += probability / len(readings)
    kept = sorted(total.items(), key=lambda item: -item[1])[:PROFILE_LABELS]
    return {label: round(probability, 3) for label, probability in kept if probability >= MIN_PROBABILITY}


def overlap(reading: Mapping[str, float], profile: Mapping[str, float]) -> float:
    """How alike a message's intent reading and an FAQ's profile are: 0 (nothing shared) to 1."""
    return sum(probability * profile.get(label, 0.0) for label, probability in reading.items())
