from livedesk.understanding.normalize import customer_turns, normalize


def test_traditional_chinese_is_simplified_for_understanding_and_kept_for_display() -> None:
    result = normalize("再不處理我就去消協投訴")
    assert result.text == "再不处理我就去消协投诉"
    assert result.display == "再不處理我就去消協投訴"


def test_full_width_is_folded_and_latin_lowercased() -> None:
    assert normalize("ＷＨＥＲＥ　ＩＳ　ｍｙ　ｏｒｄｅｒ？").text == "where is my order?"


def test_phone_numbers_are_masked() -> None:
    result = normalize("我的电话 13812345678，或者 +86 139-8765-4321")
    assert result.phones == 2
    assert "138****5678" in result.display and "139****4321" in result.display
    assert "12345678" not in result.display
    assert "<phone>" in result.text and "1381234" not in result.text


def test_order_numbers_and_urls_are_recognised() -> None:
    result = normalize("订单号DD20261121000123还没发货 https://shop.example.com/o/1")
    assert result.order_numbers == ["DD20261121000123"]
    assert result.urls == ["https://shop.example.com/o/1"]
    assert "DD**********0123" in result.display
    assert result.text == "订单号 <order> 还没发货 <url>"


def test_emoji_repeats_and_shouting_become_features() -> None:
    result = normalize("WHERE IS MY PARCEL!!!!!! 😡😡 哈哈哈哈哈")
    assert result.emoji == 2
    assert result.exclamations == 6
    assert result.caps_ratio == 1.0
    assert result.text == "where is my parcel!! 哈哈"


def test_mixed_chinese_and_english() -> None:
    assert normalize("这个serum适合oily skin吗").text == "这个serum适合oily skin吗"


# Property-based: whatever a customer types, normalising never fails, never leaks, and is stable.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from livedesk.pii import find  # noqa: E402

typed = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
mobiles = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(typed)
def test_any_text_normalises_to_a_masked_display_and_a_stable_model_text(original: str) -> None:
    result = normalize(original)
    assert result.original == original
    assert not find(result.display)
    assert normalize(result.text).text == result.text  # the model text is already normal
    assert not any("A" <= c <= "Z" for c in result.text)
    assert 0.0 <= result.caps_ratio <= 1.0 and result.phones >= 0


@settings(max_examples=200, deadline=None)
@given(before=typed, phone=mobiles, after=typed)
def test_a_phone_anywhere_is_counted_masked_and_hidden_from_the_models(before: str, phone: str, after: str) -> None:
    result = normalize(f"{before} {phone} {after}")
    assert phone not in result.display and phone not in result.text
    assert result.phones >= 1


def test_a_call_transcript_is_read_as_what_the_customer_said() -> None:
    transcript = "坐席：您好，Lumi客服。\n客户：你好，我买的眼霜打开是分层的，\n是不是有问题？\n坐席：我帮您登记一下。"
    assert customer_turns(transcript) == "你好，我买的眼霜打开是分层的，\n是不是有问题？"
    assert customer_turns("Agent: zenvolt support.\nCustomer: my kettle leaks") == "my kettle leaks"


def test_text_without_speakers_is_left_as_it_is() -> None:
    assert customer_turns("Hi,\nmy order: DD20261201015\nThanks") == "Hi,\nmy order: DD20261201015\nThanks"
