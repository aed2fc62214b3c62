from livedesk.understanding.normalize import normalize


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
