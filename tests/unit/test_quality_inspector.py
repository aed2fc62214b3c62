"""Quality inspection rules on single replies and whole conversations (no AWS)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from livedesk.quality.inspector import Inspector, number
from livedesk.quality.model import BrandKnowledge, ClosedConversation, EarlierContact, PolicyTerms, StreamerPromise, TicketTiming, Turn
from livedesk.quality.rules import RuleSet

AT = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
SESSION = "live-2026-11-21-lb"
KNOWLEDGE = BrandKnowledge(
    policies=[
        PolicyTerms(doc_id="pol-v1", effective_from=date(2025, 1, 1), effective_to=date(2026, 9, 30), terms={"return_window_days": 7}),
        PolicyTerms(
            doc_id="pol-v2",
            effective_from=date(2026, 10, 1),
            terms={"return_window_days": 15, "quality_window_days": 30, "refund_hours": 48},
        ),
    ],
    promises=[
        StreamerPromise(
            doc_id="live-lb-01", session_id=SESSION, type="price", text="精华今晚直播间到手价199一瓶，平时卖269", at=AT, sku="LB-SERUM-30"
        ),
        StreamerPromise(doc_id="live-lb-01", session_id=SESSION, type="gift", text="买二送一，再送5ml小样两支", at=AT, sku="LB-SERUM-30"),
        StreamerPromise(doc_id="live-lb-01", session_id=SESSION, type="coupon", text="领满199减30的直播券", at=AT),
        StreamerPromise(
            doc_id="live-lb-01", session_id=SESSION, type="shipping_date", text="今晚拍的全部48小时内发出，最晚23号晚上发完", at=AT
        ),
    ],
)


@pytest.fixture(scope="module")
def inspector() -> Inspector:
    return Inspector(RuleSet.packaged())


def rules_in(inspector: Inspector, text: str, author: str = "agent", at: datetime = AT, session: str | None = SESSION) -> list[str]:
    turn = Turn(message_id="m1", author=author, author_id="amy", text=text, sent_at=at)  # type: ignore[arg-type]
    return sorted(f.rule_id for f in inspector.reply(turn, KNOWLEDGE, session, "LB-SERUM-30"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这款精华是全网最好的，100%有效！", ["absolute_claim", "absolute_claim"]),
        ("我们是销量第一的品牌", ["absolute_claim"]),
        ("This serum is the best on the market and 100% effective.", ["absolute_claim", "absolute_claim"]),
        ("您最好先在耳后试用一下，我们会第一时间处理", []),
        ("It's best to patch test first. Best regards, Amy", []),
        ("保证明天送到，放心", ["forbidden_promise"]),
        ("给您双倍赔偿，您加我微信聊", ["forbidden_promise", "forbidden_promise"]),
        ("I guarantee it arrives tomorrow.", ["forbidden_promise"]),
        ("I promise to check and get back to you today.", []),
        ("预计明天送达，具体以物流为准", []),
        ("你自己看详情页", ["rude_wording"]),
        ("说了多少遍了，爱买不买", ["rude_wording", "rude_wording"]),
        ("That's not my problem, read the description yourself.", ["rude_wording", "rude_wording"]),
        ("不知道您方便提供一下订单号吗？我帮您查一下", []),
        ("Whatever works best for you!", []),
    ],
)
def test_wording_rules_flag_claims_promises_and_rudeness_but_not_their_harmless_look_alikes(
    inspector: Inspector, text: str, expected: list[str]
) -> None:
    assert rules_in(inspector, text) == expected


def test_a_finding_names_its_rule_span_and_fix_with_personal_data_masked(inspector: Inspector) -> None:
    text = "您好，已登记您的电话13812345678。这款是全网最低价哦"
    turn = Turn(message_id="m1", author="agent", author_id="amy", text=text, sent_at=AT)
    findings = {f.rule_id: f for f in inspector.reply(turn, KNOWLEDGE)}
    phone = findings["personal_data"]
    assert phone.severity == "critical" and phone.author_id == "amy" and phone.span is not None
    assert text[phone.span[0] : phone.span[1]] == "13812345678"
    assert "13812345678" not in phone.excerpt and "138****5678" in phone.excerpt and "138****5678" in phone.suggestion
    claim = findings["absolute_claim"]
    assert text[claim.span[0] : claim.span[1]] == "全网最" and claim.suggestion and claim.excerpt == "这款是全网最低价哦"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("您的手机号 138 1234 5678 我记下了", ["personal_data"]),
        ("Your email jane.doe@example.com is on file.", ["personal_data"]),
        ("您的手机138****5678已更新", []),
        ("退货地址：浙江省杭州市余杭区文一西路998号 Lumi仓库", []),
        ("订单DD20261121001，运单SF1234567890", []),
    ],
)
def test_personal_data_written_out_by_an_agent_is_a_finding_masked_or_brand_data_is_not(
    inspector: Inspector, text: str, expected: list[str]
) -> None:
    assert rules_in(inspector, text) == expected


def test_the_bot_is_held_to_the_personal_data_rule_too(inspector: Inspector) -> None:
    assert rules_in(inspector, "您的手机号13812345678", author="bot") == ["personal_data"]
    assert rules_in(inspector, "您的手机号138****5678", author="bot") == []


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        ("亲，我们是7天无理由退货哦", AT, ["policy_contradiction"]),
        ("亲，我们支持15天无理由退货", AT, []),
        ("亲，我们是7天无理由退货哦", datetime(2026, 9, 1, tzinfo=UTC), []),  # the old policy was in force then
        ("We offer 7-day returns.", AT, ["policy_contradiction"]),
        ("You can return it within 15 days.", AT, []),
        ("過敏的話七天內可以申請退貨", AT, ["policy_contradiction"]),  # 30 days in force, traditional characters
        ("仓库收到退货后72小时内退款", AT, ["policy_contradiction"]),
        ("仓库收到退货后24小时内退款", AT, []),  # sooner than the policy's limit is not a contradiction
        ("Your refund arrives within 5 business days of the warehouse receiving it.", AT, ["policy_contradiction"]),
    ],
)
def test_a_reply_contradicting_the_policy_in_force_on_its_date_is_a_finding(
    inspector: Inspector, text: str, at: datetime, expected: list[str]
) -> None:
    assert rules_in(inspector, text, at=at, session=None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("亲，精华没有赠品哦", ["promise_contradiction"]),
        ("There's no free gift with the serum, sorry.", ["promise_contradiction"]),
        ("直播间到手价229", ["promise_contradiction"]),
        ("直播间到手价199，平时269", []),
        ("我们3天内发货", ["promise_contradiction"]),
        ("48小时内发出，放心", []),
        ("这次直播没有优惠券哦", ["promise_contradiction"]),
        ("买二送一，另外送两支小样，都会一起发", []),
    ],
)
def test_a_reply_contradicting_the_streamers_promise_is_a_finding(inspector: Inspector, text: str, expected: list[str]) -> None:
    assert rules_in(inspector, text) == expected


def test_promises_are_only_checked_against_the_session_the_conversation_came_from(inspector: Inspector) -> None:
    assert rules_in(inspector, "亲，精华没有赠品哦", session=None) == []
    assert rules_in(inspector, "亲，精华没有赠品哦", session="live-2026-11-18-tl") == []


def test_small_numbers_are_read_in_digits_chinese_and_english() -> None:
    assert [number(n) for n in ("15", "七", "十五", "三十", "二十一", "两", "seven", "thirty", "百")] == [15, 7, 15, 30, 21, 2, 7, 30, None]


def conversation(turns: list[tuple[str, str, int]], **changes: object) -> ClosedConversation:
    made = [
        Turn(
            message_id=f"m{n}", author=author, author_id="amy" if author == "agent" else None, text=text, sent_at=AT + timedelta(seconds=s)
        )  # type: ignore[arg-type]
        for n, (author, text, s) in enumerate(turns)
    ]
    ticket = TicketTiming(ticket_id="T1", assignee="amy", skill="after_sale", created_at=AT, first_response_due=AT + timedelta(seconds=60))
    fields: dict[str, object] = {
        "brand_id": "lumi-beauty",
        "conversation_id": "C1",
        "customer_id": "cust-1",
        "channel": "app_chat",
        "closed_at": made[-1].sent_at,
        "ticket": ticket.model_copy(update={"first_responded_at": next((t.sent_at for t in made if t.author == "agent"), None)}),
        "turns": made,
    }
    return ClosedConversation.model_validate({**fields, **changes})


def test_a_clean_conversation_scores_100(inspector: Inspector) -> None:
    closed = conversation(
        [
            ("customer", "面霜漏液了", 0),
            ("agent", "您好，非常抱歉，我马上为您登记补发。", 30),
            ("agent", "已登记补发，还有其他可以帮您的吗？", 90),
        ]
    )
    inspection = inspector.conversation(closed, KNOWLEDGE, AT + timedelta(hours=1))
    assert inspection.findings == [] and inspection.score == 100 and inspection.agent_scores == {"amy": 100}


def test_missing_greeting_and_closing_slow_first_response_and_reply_gaps_are_found_and_scored(inspector: Inspector) -> None:
    closed = conversation(
        [
            ("customer", "my parcel is late", 0),
            ("agent", "Checking now.", 200),  # no greeting, after the 60 s SLA
            ("customer", "any news?", 260),
            ("agent", "It ships tomorrow.", 260 + 400),  # a 400 s gap; no closing
        ]
    )
    inspection = inspector.conversation(closed, KNOWLEDGE, AT + timedelta(hours=1))
    found = sorted(f.rule_id for f in inspection.findings)
    assert found == ["first_response_breach", "missing_closing", "missing_greeting", "reply_gap"]
    # 100 − major 15 − minor 5 × 3
    assert inspection.score == 70 and inspection.agent_scores == {"amy": 70}
    gap = next(f for f in inspection.findings if f.rule_id == "reply_gap")
    assert gap.excerpt == "It ships tomorrow." and "any news" not in str(inspection), "no customer's words are kept"
    breach = next(f for f in inspection.findings if f.rule_id == "first_response_breach")
    assert "00:03:20" in breach.detail and "00:01:00" in breach.detail
    assert next(f for f in inspection.findings if f.rule_id == "missing_greeting").suggestion.startswith("Open the first reply")


def test_a_repeat_contact_within_the_window_is_found_once(inspector: Inspector) -> None:
    earlier = [
        EarlierContact(conversation_id="C0", started_at=AT - timedelta(days=3)),
        EarlierContact(conversation_id="Cold", started_at=AT - timedelta(days=30)),
    ]
    closed = conversation([("customer", "还是没收到", 0), ("agent", "您好，帮您查好了，谢谢耐心等待", 20)], earlier=earlier)
    repeat = [f for f in inspector.conversation(closed, KNOWLEDGE, AT).findings if f.rule_id == "repeat_contact"]
    assert len(repeat) == 1 and repeat[0].reference == "C0"


def test_a_disabled_rule_finds_nothing_and_a_broken_rule_file_is_refused() -> None:
    data = RuleSet.packaged().model_dump()
    data["wording"][0]["enabled"] = False
    assert rules_in(Inspector(RuleSet.model_validate(data)), "全网最好的精华") == []
    data["wording"][0]["terms"][0]["pattern"] = "(unclosed"
    with pytest.raises(ValueError, match="not a valid pattern"):
        RuleSet.model_validate(data)
    data = RuleSet.packaged().model_dump()
    data["policy"]["claims"][0]["patterns"] = ["(\\d+)天"]
    with pytest.raises(ValueError, match="captures its number"):
        RuleSet.model_validate(data)
