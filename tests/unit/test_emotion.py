import pytest

from livedesk.models import EmotionCategory, Polarity
from livedesk.understanding.emotion import assess_emotion
from livedesk.understanding.pipeline import packaged_understander


@pytest.mark.parametrize(
    "text",
    ["快递三天了还没到，再不解决就投诉12315", "再不處理我就去消協投訴", "This is ridiculous, I will file a complaint"],
)
def test_threats_are_flagged_as_negative(text: str) -> None:
    emotion = assess_emotion(text)
    assert emotion.threat is True
    assert emotion.polarity is Polarity.NEGATIVE
    assert emotion.score < 0


def test_anxiety_in_chinese() -> None:
    emotion = assess_emotion("怎么还没发货，急用！！")
    assert emotion.category is EmotionCategory.ANXIETY
    assert emotion.intensity >= 0.6


def test_satisfaction_is_positive() -> None:
    emotion = assess_emotion("收到了，很喜欢，谢谢主播")
    assert emotion.polarity is Polarity.POSITIVE
    assert emotion.category is EmotionCategory.SATISFACTION
    assert not emotion.threat


def test_plain_question_is_neutral() -> None:
    emotion = assess_emotion("这款精华多少毫升？")
    assert emotion.polarity is Polarity.NEUTRAL
    assert emotion.intensity == 0
    assert emotion.matched_terms == []


def test_shouting_raises_the_intensity_of_anger() -> None:
    calm = assess_emotion("this is ridiculous")
    shouted = assess_emotion("THIS IS RIDICULOUS!!!")
    assert shouted.category is EmotionCategory.ANGER
    assert shouted.intensity > calm.intensity


def test_full_width_and_traditional_text_is_understood() -> None:
    assert assess_emotion("再不處理我就去消協投訴！！").threat


def test_ties_go_to_the_more_urgent_category_with_the_trained_model() -> None:
    emotion = packaged_understander().emotion("WHERE IS MY PARCEL, THIS IS RIDICULOUS!!!")
    assert (emotion.polarity, emotion.category) == (Polarity.NEGATIVE, EmotionCategory.ANGER)
    assert emotion.intensity >= 0.8


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("物流超快，包装也很仔细", Polarity.POSITIVE),
        ("arrived fast and well packed", Polarity.POSITIVE),
        ("still waiting for a reply after a week", Polarity.NEGATIVE),
        ("发什么快递", Polarity.NEUTRAL),
    ],
)
def test_the_polarity_model_reads_what_the_lexicon_misses(text: str, polarity: Polarity) -> None:
    emotion = packaged_understander().emotion(text)
    assert emotion.polarity is polarity and emotion.matched_terms == []
