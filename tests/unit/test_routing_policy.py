from datetime import UTC, date, datetime, timedelta

from livedesk.models import Severity, ValueLane
from livedesk.value import CustomerValue, assess_value
from routing.policy import DEFAULT_SLA, decide

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
NORMAL = assess_value(CustomerValue(lifetime_spend=500, order_count=4, member_since=date(2023, 1, 1)), NOW)
VIP = assess_value(CustomerValue(vip_level=4, lifetime_spend=30000, order_count=40, member_since=date(2020, 1, 1)), NOW)


def test_product_safety_goes_to_the_safety_queue_as_p1() -> None:
    decision = decide("用了面霜脸上过敏起红疹", NORMAL)
    assert decision.intent == "product_safety"
    assert (decision.queue, decision.severity, decision.priority) == ("safety", Severity.P1, 1)
    assert decision.needs_human


def test_threat_goes_straight_to_a_supervisor() -> None:
    decision = decide("退款申请三天没人理，再不解决就投诉", NORMAL)
    assert decision.queue == "supervisor"
    assert decision.severity == Severity.P2
    assert decision.emotion.threat
    assert any("supervisor" in reason for reason in decision.reasons)


def test_answerable_question_stays_with_the_bot() -> None:
    decision = decide("Do you have the floor lamp in stock?", NORMAL)
    assert decision.intent == "stock_availability"
    assert decision.queue == "bot"
    assert not decision.needs_human
    assert decision.severity is None


def test_angry_customer_reaches_a_person_even_for_a_bot_intent() -> None:
    decision = decide("物流太差了！！快递到底到哪了，气死了", NORMAL)
    assert decision.intent == "logistics_tracking"
    assert decision.needs_human
    assert decision.queue == "logistics"


def test_not_understood_goes_to_a_person_not_a_wrong_bot_answer() -> None:
    decision = decide("嗯嗯嗯", NORMAL)
    assert decision.intent == "out_of_scope"
    assert decision.needs_human
    assert decision.queue == "general"


def test_vip_is_more_urgent_than_normal() -> None:
    text = "我要退款"
    assert decide(text, VIP).priority < decide(text, NORMAL).priority


def test_first_response_due_by_lane_and_p1_resolution() -> None:
    created = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    vip_first, _ = DEFAULT_SLA.due(created, ValueLane.VIP, Severity.P3)
    normal_first, p1_resolution = DEFAULT_SLA.due(created, ValueLane.NORMAL, Severity.P1)
    assert vip_first - created == timedelta(seconds=60)
    assert normal_first - created == timedelta(seconds=180)
    assert p1_resolution - created == timedelta(hours=4)


def test_an_unhappy_repeat_contact_goes_to_a_supervisor() -> None:
    history = CustomerValue(order_count=4, member_since=date(2023, 1, 1), recent_contacts=[NOW - timedelta(days=d) for d in (1, 2, 3)])
    decision = decide("快递到底什么时候到，太差了", assess_value(history, NOW))
    assert decision.queue == "supervisor"
    assert any("repeated contact" in reason for reason in decision.reasons)


def test_decisions_carry_the_value_tier_and_why() -> None:
    decision = decide("我要退款", VIP)
    assert decision.value_tier == "vip" and decision.value_lane is ValueLane.VIP
    assert any(reason.startswith("VIP") for reason in decision.reasons)


def test_a_person_is_chosen_by_skill() -> None:
    assert decide("我要退款", NORMAL).queue == "after_sale"
    assert decide("地址写错了，要改地址", NORMAL).queue == "logistics"
    assert decide("衣服色差太大，质量太差", NORMAL).queue == "supply_chain"
    assert decide("I want to talk to a real person", NORMAL).queue == "general"
