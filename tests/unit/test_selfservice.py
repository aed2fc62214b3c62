"""Self-service from the supply chain, in Chinese and English, on the demo world held in memory."""

from datetime import UTC, datetime

import pytest

from infrastructure.local.world import InMemorySupply
from livedesk.understanding.normalize import normalize
from routing.selfservice import Question, SelfService

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def ask(text: str, customer: str, intent: str = "order_status", brand: str = "lumi-beauty", fail: bool = False, **extra: object):  # type: ignore[no-untyped-def]
    normalized = normalize(text)
    question = Question(
        brand_id=brand,
        customer_id=customer,
        text=normalized.text,
        lang=normalized.lang,
        references=tuple(normalized.order_numbers),
        **extra,  # type: ignore[arg-type]
    )
    return SelfService(InMemorySupply(NOW, fail=fail)).lookup(intent, question, NOW)


def test_the_one_recent_order_is_answered_with_its_parcel_and_eta_in_chinese() -> None:
    lookup = ask("我的快递到哪了", "cust-1003", intent="logistics_tracking")
    assert lookup is not None and lookup.source == "supply:shipment" and lookup.handoff is None
    assert "尾号7011" in lookup.answer and "南京转运中心" in lookup.answer and "预计" in lookup.answer
    assert "DD20261127011" not in lookup.answer  # only the tail of the number is said


def test_a_paid_order_gets_its_shipping_date_in_english() -> None:
    lookup = ask("when will my order ship?", "cust-3001", brand="thread-lab")
    assert lookup is not None and lookup.source == "supply:order"
    assert lookup.answer.startswith("Your order ending 0040") and "will ship by" in lookup.answer


def test_another_customers_order_is_refused_without_a_word_about_it() -> None:
    lookup = ask("DD20261127011 到哪了", "cust-1002")
    assert lookup is not None and lookup.answer is None and "not this customer's" in (lookup.handoff or "")
    assert lookup.facts == []


def test_several_recent_orders_get_a_question_back_unless_one_is_named() -> None:
    vague = ask("where is my order", "cust-1004")
    assert vague is not None and vague.source == "clarify" and "Which one" in vague.answer
    assert "ending 1015" in vague.answer and "ending 9008" in vague.answer
    named = ask("我的柔肤水到哪了", "cust-1004", intent="logistics_tracking")
    assert named is not None and named.source == "supply:shipment" and "尾号9008" in named.answer
    by_number = ask("订单DD20261201015什么时候发货", "cust-1004")
    assert by_number is not None and by_number.source == "supply:order" and "已付款" in by_number.answer


@pytest.mark.parametrize(
    ("text", "customer", "why"),
    [
        ("我的订单什么时候发货", "cust-1005", "promised shipping date has passed"),  # delayed past its promise
        ("where's my parcel??", "cust-1006", "late or stuck"),  # the ETA passed
        ("我的快递呢", "cust-1007", "no recent order"),  # nothing to look up
        ("DD20269999999 到哪了", "cust-1003", "no order or parcel with that number"),  # unknown order
    ],
)
def test_what_self_service_cannot_settle_goes_to_a_person_with_what_it_found(text: str, customer: str, why: str) -> None:
    lookup = ask(text, customer)
    assert lookup is not None and lookup.answer is None and why in (lookup.handoff or "")


def test_a_delivered_order_the_customer_did_not_receive_goes_to_a_person() -> None:
    lookup = ask("显示签收了但是我没收到", "cust-1001")
    assert lookup is not None and lookup.answer is None and "not received" in (lookup.handoff or "")
    assert ask("has my cream arrived", "cust-1001").answer.startswith("Your order ending 4003")  # type: ignore[union-attr]


def test_a_time_out_of_the_supply_chain_is_a_handoff_never_an_answer() -> None:
    lookup = ask("我的快递到哪了", "cust-1003", fail=True)
    assert lookup is not None and lookup.answer is None and lookup.source == "supply:unavailable"


def test_stock_per_colour_and_size() -> None:
    red = ask("口红03号色还有货吗", "viewer-1", intent="stock_availability", sku="LB-LIPST-01")
    assert red is not None and red.answer == "#03 正红 有货。"
    sold_out = ask("#02还有吗", "viewer-1", intent="stock_availability", sku="LB-LIPST-01")
    assert sold_out is not None and "暂时缺货（预计12月10日补货）" in sold_out.answer
    black = ask("hoodie black L in stock?", "viewer-2", intent="stock_availability", brand="thread-lab", sku="TL-HOODIE-01")
    assert black is not None and black.answer is not None and "sold out: 黑色/L (no restock date yet)" in black.answer
    every_black = ask("黑色还有哪些码", "viewer-2", intent="stock_availability", brand="thread-lab", sku="TL-HOODIE-01")
    assert every_black is not None and "黑色/M、黑色/S 有货" in every_black.answer and "黑色/L" in every_black.answer


def test_a_stock_question_about_no_known_product_is_left_to_knowledge_or_a_person() -> None:
    assert ask("还有货吗", "viewer-3", intent="stock_availability") is None
    assert ask("还有货吗", "viewer-3", intent="stock_availability", sku="LB-NOPE-00") is None


def test_the_product_search_found_names_the_stock_question() -> None:
    lookup = ask("雾绿色还有吗", "viewer-4", intent="stock_availability", brand="zenvolt", candidate_skus=("ZV-FRYER-01",))
    assert lookup is not None and "雾绿 暂时缺货（预计12月15日补货）" in lookup.answer


def test_a_product_merely_like_the_question_counts_only_when_the_question_names_its_variant() -> None:
    like = {"intent": "stock_availability", "products_like": lambda: ("LB-GIFTB-26", "LB-LIPST-01", "LB-RETIN-30")}
    coral = ask("is the lipstick in #05 peach coral in stock?", "viewer-8", **like)
    assert coral is not None and coral.answer is not None and coral.answer.startswith("In stock: #05 蜜桃珊瑚")
    assert ask("is the lipstick in stock? need 5 of them", "viewer-8", **like) is None, "a bare 5 names no shade"
    assert ask("is the lipstick in stock?", "viewer-8", **like) is None, "no variant named: which product is unsure"


def test_a_live_comment_names_its_product_from_the_sessions_cart_by_link_number_or_name() -> None:
    session = {"live_session_id": "live-2026-11-19-oh"}  # oak-home's cart: 1 sofa 3-seat, 2 sofa 2-seat, 3 lamp, 4 mattress…
    by_link = ask("3号链接还有货吗", "viewer-5", intent="stock_availability", brand="oak-home", **session)
    assert by_link is not None and by_link.source == "supply:stock"
    assert by_link.answer == "Oak Home Arc Floor Lamp：matte black 有货；cream white 暂时缺货（暂无补货时间）。"
    mattress = ask("床墊有現貨嗎", "viewer-6", intent="stock_availability", brand="oak-home", **session)
    assert mattress is not None and "床垫" in mattress.answer and "仅剩7件" in mattress.answer
    assert mattress.facts == ["OH-MATT-18 all: 7 available"]
    in_english = ask("is link 4 in stock", "viewer-7", intent="stock_availability", brand="oak-home", **session)
    assert in_english is not None and in_english.answer == "Only a few left: 橡木家·云眠乳胶独立弹簧床垫 1.8×2.0m (7)."


def test_a_cart_number_past_its_end_or_an_unnamed_product_is_no_answer() -> None:
    session = {"live_session_id": "live-2026-11-19-oh"}
    assert ask("20号链接还有货吗", "viewer-8", intent="stock_availability", brand="oak-home", **session) is None
    assert ask("还有货吗", "viewer-8", intent="stock_availability", brand="oak-home", **session) is None
    assert ask("沙发有货吗", "viewer-8", intent="stock_availability", brand="oak-home", live_session_id="live-unknown") is None


def test_other_matters_are_no_self_service() -> None:
    assert ask("我要退款", "cust-1003", intent="refund") is None


@pytest.mark.parametrize(
    "text",
    [
        "帮我加急一下 能不能今天就发",
        "快递放到门口就行，帮我备注一下",
        "能不能约周末送 工作日没人",
        "please expedite my order",
        "can you leave it with the neighbour at 1202? deliver to the front desk",
    ],
)
def test_a_change_to_the_order_or_its_delivery_goes_to_a_person_with_the_order_attached(text: str) -> None:
    lookup = ask(text, "cust-1003", intent="logistics_tracking")
    assert lookup is not None and lookup.answer is None and "a person arranges it" in (lookup.handoff or "")
    assert lookup.facts and "7011" in lookup.facts[0], "the agent sees the order the bot looked up"
