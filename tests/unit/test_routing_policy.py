from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from livedesk.knowledge.kinds import Kind
from livedesk.models import RoutingDecision, Severity, ValueLane
from livedesk.tickets.sla import SlaPolicy
from livedesk.understanding.classifier import Prediction
from livedesk.understanding.pipeline import packaged_understander
from livedesk.value import CustomerValue, ValueAssessment, assess_value
from routing.policy import SAFETY_PROBABILITY, BotAnswer, answer_kinds, confidence, may_answer, promise_types
from routing.policy import decide as decide_understood

UNDERSTANDER = packaged_understander()
KNOWLEDGE = BotAnswer("Every colour you can select on the product page is in stock.", "faq-stock-1")


def decide(text: str, value: ValueAssessment, knowledge: BotAnswer | None = KNOWLEDGE) -> RoutingDecision:
    """As routing does: knowledge is asked for an answer only when the bot may give one."""
    understood = UNDERSTANDER.understand(text)
    return decide_understood(understood, value, knowledge if may_answer(understood) else None, UNDERSTANDER.version)


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
    assert (decision.answer, decision.answer_source) == (KNOWLEDGE.text, "faq-stock-1")


def test_a_confident_intent_without_a_knowledge_answer_goes_to_its_skill_queue() -> None:
    for text, queue in (("这件卫衣是纯棉的吗", "pre_sale"), ("How do I pair the earbuds with my phone?", "technical")):
        decision = decide(text, NORMAL, knowledge=None)
        assert (decision.queue, decision.answer) == (queue, None)
        assert any("no confident knowledge answer" in reason for reason in decision.reasons)


def test_questions_about_the_customers_own_order_go_to_a_person_whatever_the_knowledge_says() -> None:
    for text in ("我的订单发货了吗", "where is my parcel, it has not arrived"):
        understood = UNDERSTANDER.understand(text)
        assert understood.intent.label in ("order_status", "logistics_tracking") and not may_answer(understood)
        decision = decide(text, NORMAL)
        assert (decision.queue, decision.answer) == ("logistics", None)


def test_the_bot_never_answers_matters_for_a_person_or_what_it_did_not_understand() -> None:
    for text in ("我要退款", "用了面霜脸上过敏起红疹", "帮我写一篇关于量子力学的论文"):
        assert not may_answer(UNDERSTANDER.understand(text))


def test_an_angry_customer_is_served_ahead_of_a_calm_one() -> None:
    calm, angry = decide("my refund has not arrived", NORMAL), decide("WHERE IS MY REFUND?!!! this is ridiculous", NORMAL)
    assert calm.queue == angry.queue == "after_sale"
    assert angry.priority < calm.priority


def test_angry_customer_reaches_a_person_even_for_a_bot_intent() -> None:
    decision = decide("物流太差了！！快递到底到哪了，气死了", NORMAL)
    assert decision.intent == "logistics_tracking"
    assert decision.needs_human
    assert decision.queue == "logistics"


def test_not_understood_goes_to_a_person_not_a_wrong_bot_answer() -> None:
    decision = decide("帮我写一篇关于量子力学的论文", NORMAL)
    assert decision.intent == "out_of_scope"
    assert decision.needs_human
    assert decision.queue == "general"


def test_vip_is_more_urgent_than_normal() -> None:
    text = "我要退款"
    assert decide(text, VIP).priority < decide(text, NORMAL).priority


def test_first_response_due_by_lane_and_p1_resolution() -> None:
    created = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    vip_first, _ = SlaPolicy.load().due(created, ValueLane.VIP, Severity.P3)
    normal_first, p1_resolution = SlaPolicy.load().due(created, ValueLane.NORMAL, Severity.P1)
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


def test_a_calm_after_sale_question_is_answered_from_knowledge_but_a_request_goes_to_a_person() -> None:
    question = decide("退款一般多久到账呀", NORMAL)
    assert (question.intent, question.queue, question.answer_source) == ("refund", "bot", "faq-stock-1")
    assert any("calm question about refund" in reason for reason in question.reasons)
    for request in ("我要退款，不想要了", "I want a refund for this order", "I typed the wrong address, please change it"):
        assert decide(request, NORMAL).queue in ("after_sale", "logistics"), request
    assert decide("退款怎么还没到账？？气死了，太慢了", NORMAL).needs_human, "unhappy: a person"


def test_an_unhappy_customer_gets_a_person_for_their_own_order_but_a_mildly_anxious_one_the_answer() -> None:
    status = BotAnswer("您的订单（尾号0003，气垫）已付款，预计 11月25日 前发货。", "supply:order")
    for text in ("我的锅到底啥时候到啊 等得烦死了", "my order is so late, really disappointed, when will it ship"):
        understood = UNDERSTANDER.understand(text)
        decision = decide_understood(understood, NORMAL, status, UNDERSTANDER.version)
        assert (decision.queue, decision.answer) == ("logistics", None), (text, decision.emotion)
        assert any("about their own order" in reason for reason in decision.reasons)
    calm = decide_understood(UNDERSTANDER.understand("我的订单什么时候发货"), NORMAL, status, UNDERSTANDER.version)
    assert (calm.queue, calm.answer_source) == ("bot", "supply:order")


def test_a_streamers_promise_answers_promise_questions_only() -> None:
    promise_question, stock_question = UNDERSTANDER.understand("主播说的买二送一还有吗"), UNDERSTANDER.understand("沙发有现货吗")
    assert promise_question.intent.label == "streamer_promise" and Kind.LIVE_SESSION in answer_kinds(promise_question)
    assert stock_question.intent.label == "stock_availability" and Kind.LIVE_SESSION not in answer_kinds(stock_question)
    assert Kind.FAQ in answer_kinds(stock_question)


def test_a_price_question_asks_for_the_products_price_or_coupon_promise_and_a_stock_question_for_none() -> None:
    price_question = UNDERSTANDER.understand("how much is the serum tonight?")
    assert price_question.intent.label == "price_promotion" and promise_types(price_question) == ["price", "coupon"]
    assert promise_types(UNDERSTANDER.understand("沙发有现货吗")) is None


def test_an_invoice_question_is_answered_but_an_invoice_request_goes_to_after_sale() -> None:
    question = decide("能开发票吗", NORMAL)
    assert (question.intent, question.queue) == ("invoice", "bot")
    request = decide("麻烦给我订单DD20261124003开一张增值税专用发票，公司抬头杭州某某科技有限公司", NORMAL)
    assert (request.intent, request.queue, request.answer) == ("invoice", "after_sale", None)


def test_alike_intents_add_up_to_the_confidence_of_what_to_do() -> None:
    split = Prediction("logistics_tracking", 0.49, (("logistics_tracking", 0.49), ("order_status", 0.45), ("stock_availability", 0.02)))
    assert confidence(split) == pytest.approx(0.94), "either way the order is looked up"
    other = Prediction("stock_availability", 0.49, (("stock_availability", 0.49), ("order_status", 0.45), ("lottery", 0.02)))
    assert confidence(other) == 0.49, "a stock question is looked up by product, not by order"
    pre_sale = Prediction("price_promotion", 0.46, (("price_promotion", 0.46), ("streamer_promise", 0.3), ("refund", 0.2)))
    assert confidence(pre_sale) == pytest.approx(0.76), "knowledge or the pre-sale queue answers either; a refund is another matter"


@pytest.mark.parametrize(
    "text",
    [
        "扫地机一直报错E5 重启也没用",
        "the fryer shows error E3 and stopped heating",
        "破壁机启动后没反应 按什么都不行",
        "when I press the sync button on the fryer it beeps and nothing happens",
    ],
)
def test_a_product_that_stopped_working_goes_to_a_technician_not_to_the_manual(text: str) -> None:
    understood = UNDERSTANDER.understand(text)
    assert understood.intent.label == "installation_usage" and not may_answer(understood)
    decision = decide_understood(understood, NORMAL, None, UNDERSTANDER.version)
    assert decision.queue == "technical" and "technician" in decision.reasons[2]
    assert may_answer(UNDERSTANDER.understand("扫地机怎么连手机App")), "a how-to question is still answered"


def test_an_experiment_variant_moves_the_bots_confidence_threshold_and_wording() -> None:
    from livedesk.experiments.model import Variant
    from routing.service import Arm

    understood = UNDERSTANDER.understand("口红有几个色号")
    sure = confidence(understood.intent)
    stricter = Arm("exp_1", Variant(name="strict", weight=50, min_confidence=min(0.95, sure + 0.01)))
    assert Arm().min_confidence == 0.5 and may_answer(understood, Arm().min_confidence)
    assert not may_answer(understood, stricter.min_confidence)
    held_back = decide_understood(understood, NORMAL, None, UNDERSTANDER.version, min_confidence=stricter.min_confidence)
    assert held_back.needs_human and "not understood with confidence" in " ".join(held_back.reasons)
    warmer = Arm("exp_1", Variant(name="warm", weight=50, courtesy={"praise": {"zh": "爱你们！", "en": "Love you too!"}}))
    assert (warmer.courtesy("praise", "en"), warmer.courtesy("praise", "zh"), warmer.courtesy("chitchat", "zh")) == (
        "Love you too!",
        "爱你们！",
        None,
    )
    assert Arm().courtesy("praise", "zh") is None and Arm().answer_similarity is None


def test_a_possible_safety_incident_reaches_the_safety_queue_though_another_reading_is_likelier() -> None:
    understood = UNDERSTANDER.understand("the air fryer smoked and tripped our power, I'll report you if nobody calls me")
    complaint_first = Prediction("complaint", 0.74, (("complaint", 0.74), ("product_safety", SAFETY_PROBABILITY), ("ask_human", 0.01)))
    decision = decide_understood(replace(understood, intent=complaint_first), NORMAL, None, UNDERSTANDER.version)
    assert (decision.queue, decision.severity) == ("safety", Severity.P1)
    unlikely = Prediction("complaint", 0.9, (("complaint", 0.9), ("product_safety", SAFETY_PROBABILITY / 2)))
    assert decide_understood(replace(understood, intent=unlikely), NORMAL, None, UNDERSTANDER.version).queue == "supervisor"


@pytest.mark.parametrize(
    ("text", "queue"),
    [
        ("落地灯明天要是我不在家 能让快递放隔壁邻居那吗", "logistics"),
        ("can you leave it with the neighbour tomorrow? the floor lamp", "logistics"),
        ("沙发送的两个抱枕少了一个 帮我补一下", "after_sale"),
        ("the gift the host promised wasn't in the box, please resend it", "after_sale"),
    ],
)
def test_a_request_only_a_person_can_carry_out_goes_to_the_queue_that_does_it_even_with_a_knowledge_answer(text: str, queue: str) -> None:
    decision = decide(text, NORMAL)
    assert (decision.queue, decision.severity, decision.answer) == (queue, Severity.P3, None)


def test_an_angry_request_for_a_person_goes_to_a_supervisor_and_a_calm_one_to_the_general_queue() -> None:
    fed_up = "I've been waiting a week for someone to answer. Escalate this please, I'm done being patient"
    assert decide(fed_up, NORMAL).queue == "supervisor"
    for calm in ("can i talk to a real person please", "I want to talk to a real person", "我要找真人客服 不要機器人"):
        assert decide(calm, NORMAL).queue == "general"
