import pytest

from livedesk.understanding.normalize import normalize
from livedesk.understanding.triage import CommentKind, asks_for_information, signature, similarity, triage


@pytest.mark.parametrize(
    "text",
    [
        *(
            "666",
            "8888888",
            "😍😍😍",
            "来了来了",
            "打卡",
            "哈哈哈哈哈",
            "lol",
            "！！！",
            "1",
            "hello",
            "hello everyone",
            "yayyy",
            "Hi guys!!",
        ),
        *("已拍", "已下单！", "拍了拍了", "主播加油", "上车了", "gogogo", "just ordered!", "added to cart", "yesss"),
        *("大家晚上好呀", "666主播", "主播666", "已关注", "明天见~", "bye bye", "see you tomorrow", "lmao", "hi from NYC"),
    ],
)
def test_noise(text: str) -> None:
    assert triage(normalize(text)) is CommentKind.NOISE


@pytest.mark.parametrize(
    "text", ["链接在哪", "黑色还有吗", "几号链接", "多少钱？", "where is the link", "Is it waterproof", "能不能便宜点"]
)
def test_questions(text: str) -> None:
    assert triage(normalize(text)) is CommentKind.QUESTION


@pytest.mark.parametrize(
    "text", ["我要退款", "主播好美", "this is so pretty", "求链接", "主播我要退款", "love you guys", "hi from NYC, ship here"]
)
def test_statements(text: str) -> None:
    assert triage(normalize(text)) is CommentKind.STATEMENT


def test_near_identical_questions_share_a_signature_and_different_ones_do_not() -> None:
    asked = signature(normalize("链接在哪").text)
    assert similarity(asked, signature(normalize("链接在哪里").text)) >= 0.5
    assert similarity(asked, signature(normalize("鏈接在哪").text)) == 1.0
    assert similarity(asked, signature(normalize("黑色还有吗").text)) == 0.0


def test_a_question_asks_for_information_and_a_request_does_not() -> None:

    for text in ("退款多久到账", "能退吗", "how long does a refund take", "Can I return it?"):
        assert asks_for_information(normalize(text)), text
    for text in ("我要退款", "please change my address", "refund me pls"):
        assert not asks_for_information(normalize(text)), text
