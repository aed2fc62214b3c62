import pytest

from livedesk.models import EmotionCategory, Polarity
from livedesk.understanding.classifier import Prediction
from livedesk.understanding.emotion import ANGRY_INTENSITY, assess_emotion
from livedesk.understanding.pipeline import packaged_emotion_reader, packaged_understander


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


@pytest.mark.parametrize(
    "text",
    ["Is my data safe? There was a security issue with the app.", "No complaints, arrived on time.", "我不是投诉哈，就是想问下发票"],
)
def test_words_that_contain_a_cue_or_deny_a_complaint_are_no_threat(text: str) -> None:
    assert assess_emotion(text).threat is False


@pytest.mark.parametrize("text", ["我要发小红书让大家看看", "See you in small claims court.", "Dispute opened with my bank, 110 is next"])
def test_threats_beyond_the_word_complaint_are_flagged(text: str) -> None:
    assert assess_emotion(text).threat is True


def test_the_threat_model_decides_and_a_cue_halves_the_evidence_it_needs() -> None:
    assert assess_emotion("we will talk about this in a different place", threat=0.7).threat is True
    assert assess_emotion("我要发小红书让大家看看", threat=0.3).threat is True
    assert assess_emotion("我要发小红书让大家看看", threat=0.1).threat is False


def test_a_threat_is_strong_whatever_the_intensity_model_says() -> None:
    emotion = assess_emotion("再不退款就投诉", intensity={"high": 0.1, "low": 0.8, "none": 0.1})
    assert emotion.intensity >= 0.8 and emotion.threat


@pytest.mark.parametrize(("high", "low", "strong"), [(0.6, 0.3, True), (0.3, 0.6, False), (0.45, 0.45, True)])
def test_intensity_is_strong_exactly_when_the_model_finds_high_likelier_than_low(high: float, low: float, strong: bool) -> None:
    emotion = assess_emotion("快递还没到，有点着急", intensity={"high": high, "low": low, "none": 1 - high - low})
    assert (emotion.intensity >= ANGRY_INTENSITY) is strong


def test_the_category_model_chooses_among_the_categories_the_polarity_allows() -> None:
    emotion = assess_emotion("还没到", categories={"satisfaction": 0.5, "anxiety": 0.3, "anger": 0.2}, polarity=_negative())
    assert emotion.category is EmotionCategory.ANXIETY


def _negative() -> Prediction:
    return Prediction("negative", 0.9, (("negative", 0.9), ("neutral", 0.08), ("positive", 0.02)))


@pytest.mark.parametrize(
    ("text", "not_read_as"),
    [
        ("不是不好，就是有点贵", Polarity.NEGATIVE),
        ("not bad at all, really happy with it", Polarity.NEGATIVE),
        ("没有不满意，挺好的", Polarity.NEGATIVE),
        ("不怎么样，有点失望", Polarity.POSITIVE),
        ("wasn't what I hoped for", Polarity.POSITIVE),
    ],
)
def test_negation_is_read_by_the_shipped_models(text: str, not_read_as: Polarity) -> None:
    """A negated word must not decide alone: 不好 in 不是不好 is no complaint, 好 in 不怎么样 no praise."""
    assert packaged_understander().emotion(text).polarity is not not_read_as


@pytest.mark.parametrize(
    "text",
    [
        "真是太棒了，等了半个月还没发货",
        "你们客服效率真高啊，三天回一句",
        "Wow, five days to answer one email, impressive.",
        "Great, another delay. Love that for me.",
    ],
)
def test_sarcasm_is_read_as_negative(text: str) -> None:
    assert packaged_understander().emotion(text).polarity is Polarity.NEGATIVE


def test_a_transcript_is_assessed_from_the_customer_s_words_not_the_agent_s() -> None:
    calm = "坐席：非常抱歉让您久等了，给您带来不好的体验真的很抱歉。\n客户：好的，那我的订单什么时候发货？"
    assert packaged_understander().emotion(calm).polarity is Polarity.NEUTRAL


def test_the_sentiment_apis_reader_reads_as_routing_does_without_the_intent_model() -> None:
    reader = packaged_emotion_reader()
    assert [model.task for model in reader.models] == ["polarity", "emotions", "intensity", "threats"]
    for text in ("再不解决就投诉", "Great, another delay. Love that for me.", "谢谢 收到了 很好用"):
        assert reader.emotion(text) == packaged_understander().emotion(text)
