"""Personal data in Chinese and English text is found and masked, and masking loses nothing else."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from livedesk.pii import ID_CHECK, ID_WEIGHTS, PiiKind, find, luhn, mask


def _id_number(prefix17: str) -> str:
    return prefix17 + ID_CHECK[sum(int(d) * w for d, w in zip(prefix17, ID_WEIGHTS, strict=True)) % 11]


def _card(prefix: str) -> str:
    return next(prefix + str(d) for d in range(10) if luhn(prefix + str(d)))


ID_NUMBER = _id_number("11010519491231002")
CARD = _card("622202100112345678")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话是13812345678，快点发货", "我的电话是138****5678，快点发货"),
        ("call me on +86 138-1234-5678 please", "call me on 138****5678 please"),
        ("座机 010-62345678 找王先生", "座机 *******5678 找王先生"),
        (f"身份证号{ID_NUMBER}", f"身份证号1{'*' * 16}{ID_NUMBER[-1]}"),
        (f"退款到卡 {CARD}", "退款到卡 ****" + CARD[-4:]),
        ("邮箱 zhang.san@example.com 收发票", "邮箱 z***@example.com 收发票"),
        ("邮箱zhang.san@example.com，谢谢", "邮箱z***@example.com，谢谢"),  # no space after Chinese
        ("寄到221B Baker Street", "寄到****"),
        ("寄到广东省深圳市南山区科技园路18号3栋502室，谢谢", "寄到广东省深圳市南山区****，谢谢"),
        ("ship to 221B Baker Street, Apt 4 London", "ship to **** London"),
        ("我的手机号１３８１２３４５６７８", "我的手机号138****5678"),
    ],
)
def test_examples_are_masked_as_agents_expect(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_each_kind_is_named() -> None:
    text = f"13812345678 {ID_NUMBER} {CARD} a@b.cn 上海市徐汇区漕溪北路88号"
    assert [f.kind for f in find(text)] == [PiiKind.PHONE, PiiKind.ID_CARD, PiiKind.BANK_CARD, PiiKind.EMAIL, PiiKind.ADDRESS]


@pytest.mark.parametrize(
    "text",
    [
        "订单号 LD20261122001 什么时候发货",
        "这款面霜 50ml 多少钱，买2送1吗",
        "2026-11-22 19:45 的直播",
        "SKU-00123 还有货吗",
        "12345678901234",  # fails Luhn and is no phone: left alone
        "the 2 of us loved it",
        "request 31dcf148-5678-4080-a4a9-d14bcd412362 failed",  # a UUID, not a phone
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask(text) == text


mobiles = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)
id_numbers = st.from_regex(r"[1-6]\d{5}(19[5-9]\d|20[01]\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}", fullmatch=True).map(_id_number)
cards = st.from_regex(r"62\d{14,16}", fullmatch=True).map(_card)
emails = st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{2,8}\.(com|cn|net)", fullmatch=True)
secrets = st.one_of(mobiles, id_numbers, cards, emails)
words = st.text(alphabet=st.sampled_from(list("我要退货请问什么时候发快递了吗 the parcel is late,。！？")), max_size=30)
glue = st.sampled_from(["", " ", "，", "：", "是"])  # Chinese text often runs straight into a number


@settings(max_examples=300, deadline=None)
@given(before=words, left=glue, secret=secrets, right=glue, after=words)
@example(before="", left="", secret="a@vxaaaaaa.com", right="", after="")  # "vx" in a domain is no WeChat marker
@example(before="", left="", secret="13000000000", right=" ", after="ct")  # 130****0000 ct: no house number on "Ct"
def test_no_generated_secret_survives_masking(before: str, left: str, secret: str, right: str, after: str) -> None:
    masked = mask(f"{before}{left}{secret}{right}{after}")
    assert secret not in masked
    assert not find(masked)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_masking_is_idempotent_and_leaves_nothing_to_find(text: str) -> None:
    once = mask(text)
    assert mask(once) == once
    assert not find(once)


@settings(max_examples=200, deadline=None)
@given(words)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话138.1234.5678", "电话138****5678"),
        ("1 3 8 1 2 3 4 5 6 7 8 打我", "138****5678 打我"),
        ("手机一三八一二三四五六七八", "手机138****5678"),
        ("call 415-555-0123", "call ******0123"),
        ("(415) 555 0123 anytime", "******0123 anytime"),
        ("座机010 12345678", "座机*******5678"),
        ("021-6123 4567 转前台", "*******4567 转前台"),
        (f"身份证 {ID_NUMBER[:6]}-{ID_NUMBER[6:14]}-{ID_NUMBER[14:]}", f"身份证 1{'*' * 18}{ID_NUMBER[-1]}"),
        (f"身份证{ID_NUMBER[:17]}{'1' if ID_NUMBER[17] != '1' else '2'}错", f"身份证1{'*' * 16}{'1' if ID_NUMBER[17] != '1' else '2'}错"),
        (f"卡号{CARD[:4]}.{CARD[4:8]}.{CARD[8:12]}.{CARD[12:16]}.{CARD[16:]}", f"卡号****{CARD[-4:]}"),
        ("zhangsan at qq dot com 联系", "z***@qq.com 联系"),
        ("加我 wxid_8a7b6c5d4e 私聊", "加我 w*************e 私聊"),
        ("微信号：zhang_san88", "微信号：z*********8"),
        ("QQ 123456789 找我", "QQ 1*******9 找我"),
        ("护照号E12345678，海外直邮", "护照号E*******8，海外直邮"),
        ("my address is 1600 Amphitheatre Parkway, thanks", "my address is ****, thanks"),
        ("寄到北京市朝阳区望京SOHO T1 2305，谢谢", "寄到北京市朝阳区****，谢谢"),
    ],
)
def test_the_forms_people_write_personal_data_in_are_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text", ["一二三楼都有店吗", "微信支付可以吗", "QQ浏览器打不开链接", "please look at the photo", "error E01 on the desk"]
)
def test_words_that_introduce_accounts_are_not_accounts(text: str) -> None:
    assert mask(text) == text
