"""KPIs against hand-computed expectations on a small fixed event log (see the comments)."""

from datetime import UTC, datetime, timedelta

import pytest

from livedesk.analytics.facts import Fact
from livedesk.analytics.kpis import Slice, compute

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def message(
    n: str, minutes: float, customer: str, conversation: str, channel: str, handled_by: str, polarity: str, intent: str, confidence: float
) -> Fact:
    return Fact(
        kind="message",
        fact_id=f"m{n}",
        brand_id="b",
        at=at(minutes),
        message_id=f"m{n}",
        customer_id=customer,
        conversation_id=conversation,
        channel=channel,
        handled_by=handled_by,
        polarity=polarity,
        intent=intent,  # type: ignore[arg-type]
        intent_confidence=confidence,
        skill="bot" if handled_by == "bot" else "x",
        lane="normal",
    )


def event(ticket: str, minutes: float, action: str, actor: str = "amy", **detail: str) -> Fact:
    return Fact(
        kind="ticket",
        fact_id=f"{ticket}{action}{minutes}",
        brand_id="b",
        at=at(minutes),
        ticket_id=ticket,
        action=action,
        actor=actor,
        detail=detail,
    )


def created(
    ticket: str, minutes: float, channel: str, skill: str, severity: str, lane: str, first_due: float, resolution_due: float
) -> Fact:
    due = {"first_response_due": at(first_due).isoformat(), "resolution_due": at(resolution_due).isoformat()}
    return event(ticket, minutes, "created", "routing", channel=channel, skill=skill, severity=severity, lane=lane, intent="refund", **due)


LOG = [
    message("0", -4 * 24 * 60, "c3", "Z", "dm", "person", "negative", "complaint", 1.0),  # 4 days before: a repeat contact
    message("1", 0, "c1", "A", "app_chat", "bot", "neutral", "price_promotion", 0.9),
    message("2", 5, "c1", "A", "app_chat", "person", "negative", "refund", 0.8),  # conversation A: bot, then a person
    message("3", 10, "c2", "B", "live_comment", "bot", "neutral", "live_link", 0.95),
    message("4", 20, "c3", "C", "dm", "person", "negative", "complaint", 1.0),
    created("T1", 5, "app_chat", "after_sale", "P3", "normal", first_due=8, resolution_due=48 * 60),
    event("T1", 6, "claim"),
    event("T1", 7, "reply"),
    event("T1", 30, "resolve"),
    event("T1", 40, "csat", "customer", score="5"),
    created("T2", 20, "dm", "supervisor", "P2", "vip", first_due=21, resolution_due=50),
    event("T2", 25, "reply", "sue"),
    event("T2", 26, "transfer", "sue"),
    event("T2", 45, "resolve", "sue"),
    event("T2", 50, "csat", "customer", score="2", nps="3"),
    created("T3", 30, "live_comment", "pre_sale", "P4", "normal", first_due=33, resolution_due=72 * 60),  # never answered
]


def test_every_kpi_matches_the_hand_computed_value() -> None:
    k = compute(LOG, T0, at(60))
    assert (k.messages, k.tickets_created, k.tickets_resolved) == (4, 3, 2)
    assert (k.first_response_seconds.p50, k.first_response_seconds.p90, k.first_response_seconds.mean) == (120, 300, 210)  # 2 and 5 minutes
    assert (k.queue_wait_seconds.p50, k.queue_wait_seconds.p90) == (60, 300)  # T1 claimed after 1 min, T2 first taken by its reply
    assert (k.handle_seconds.p50, k.handle_seconds.p90, k.handle_seconds.mean) == (1200, 1440, 1320)  # taken → resolved: 24 and 20 min
    assert k.resolution_rate == pytest.approx(2 / 3, abs=1e-4)
    assert k.first_contact_resolution == 0.5  # T2 was transferred
    assert k.abandonment_rate == pytest.approx(1 / 3, abs=1e-4)  # T3 passed its due time unanswered
    assert k.bot_containment == 0.5 and k.human_transfer_rate == 0.5  # A went from the bot to a person, B did not
    assert k.repeat_contact_rate_7d == pytest.approx(1 / 3, abs=1e-4)  # C's customer wrote 4 days earlier
    assert k.negative_emotion_share == 0.5 and k.average_intent_confidence == 0.9125
    sla = {tier: (a.tickets, a.first_response, a.resolution) for tier, a in k.sla_attainment.items()}
    assert sla == {"P2": (1, 0.0, 1.0), "P3": (1, 1.0, 1.0), "P4": (1, 0.0, None)}
    assert (k.csat.answers, k.csat.average, k.csat.distribution, k.csat.nps) == (2, 3.5, {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}, -100.0)
    assert [(v.hour, v.messages) for v in k.volume] == [(T0, 4)]


def test_kpis_slice_by_channel_lane_and_skill() -> None:
    dm = compute(LOG, T0, at(60), Slice(channel="dm"))
    assert (dm.messages, dm.tickets_created, dm.first_response_seconds.p50) == (1, 1, 300)
    vip = compute(LOG, T0, at(60), Slice(lane="vip"))
    assert vip.tickets_created == 1 and set(vip.sla_attainment) == {"P2"}
    assert compute(LOG, T0, at(60), Slice(skill="pre_sale")).abandonment_rate == 1.0


def test_a_window_before_anything_happened_is_empty_not_an_error() -> None:
    empty = compute(LOG, at(-120), at(-60))
    assert (empty.messages, empty.resolution_rate, empty.bot_containment, empty.csat.average) == (0, None, None, None)


def test_the_report_never_overlaps_its_hour_labels_and_shows_the_quality_score() -> None:
    import re
    from itertools import pairwise

    from livedesk.analytics.kpis import QualityOfService
    from livedesk.analytics.report import bars, html_report

    hours = [f"04 {h:02d}:00" for h in range(24)]
    chart = bars("Messages per hour", hours, [("messages", [1.0] * 24)])
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="\d+" font-size="10" class="axis-label">\d\d \d\d:00', chart)]
    assert len(xs) >= 6, "enough hours are labelled to read the axis"
    assert min(b - a for a, b in pairwise(xs)) >= len(hours[0]) * 6, "no label runs into the next"
    kpis = compute([], at(0), at(60), Slice(), {}).model_copy(
        update={"quality": QualityOfService(conversations_inspected=3, average_score=81.7, findings_by_rule={"rude_wording": 2})}
    )
    page = html_report("lumi-beauty", kpis)
    assert "81.7 (3)" in page and "rude_wording 2" in page and '<meta charset="utf-8">' in page
