"""The insights service's alerts on in-memory stores: each level from its signals, sent once to its
level's channel, and the platform's own alerts kept apart from any brand's."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from insights.service import PLATFORM, Insights
from livedesk.analytics.alerts import Alert, AlertRules
from livedesk.analytics.facts import Fact
from tests.factories import NOW
from tests.fakes import FakeAnalytics

BRAND = "lumi"


class Platform:
    def __init__(self) -> None:
        self.depths: dict[str, int] = {"inbound-dlq": 0}
        self.errors: dict[str, int] = {}

    def dlq_depths(self) -> dict[str, int]:
        return self.depths

    def function_errors(self, since: datetime) -> dict[str, int]:
        return self.errors


class Channel:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Alert]] = []

    def send(self, brand_id: str, alert: Alert) -> None:
        self.sent.append((brand_id, alert))


class NoInspections:
    def between(self, brand_id: str, start: datetime, end: datetime) -> list[Any]:
        return []


def _insights() -> tuple[Insights, FakeAnalytics, Platform, Channel]:
    store, platform, channel = FakeAnalytics(), Platform(), Channel()
    insights = Insights(
        store=store,  # type: ignore[arg-type]
        catalog=None,  # type: ignore[arg-type]
        gap_log=None,
        infrastructure=platform,
        alerts=channel,
        rules=AlertRules.load(),
        clock=lambda: NOW,
        inspections=NoInspections(),  # type: ignore[arg-type]
    )
    return insights, store, platform, channel


def _message(n: int, handled_by: str, at: datetime = NOW) -> Fact:
    return Fact(kind="message", fact_id=f"m{n}", brand_id=BRAND, at=at - timedelta(seconds=n), intent_confidence=0.9, handled_by=handled_by)


def test_a_p1_breach_fires_red_once_and_goes_to_its_channel_once() -> None:
    insights, store, _, channel = _insights()
    store.record(
        Fact(
            kind="ticket",
            fact_id="b1",
            brand_id=BRAND,
            at=NOW - timedelta(minutes=1),
            ticket_id="t1",
            action="first_response_breached",
            detail={"was": "P1"},
        )
    )
    first = insights.evaluate_alerts(BRAND)
    again = insights.evaluate_alerts(BRAND)
    assert [(a.level.value, a.rule) for a in first] == [("red", "p1_breach")] and first == again
    assert [(brand, alert.rule) for brand, alert in channel.sent] == [(BRAND, "p1_breach")]


def test_low_bot_containment_fires_orange_and_a_full_dead_letter_queue_is_the_platforms_red() -> None:
    insights, store, platform, channel = _insights()
    for n in range(30):
        store.record(_message(n, "person"))
    platform.depths["inbound-dlq"] = 3
    fired = {(a.level.value, a.rule) for a in insights.evaluate_alerts(BRAND)}
    assert {("orange", "bot_containment"), ("red", "dlq_not_empty")} <= fired
    owners = {(brand, alert.rule) for brand, alert in channel.sent}
    assert (PLATFORM, "dlq_not_empty") in owners and (BRAND, "dlq_not_empty") not in owners


def test_a_quiet_brand_has_no_alerts_and_the_scheduled_run_covers_every_brand_with_facts() -> None:
    insights, store, _, channel = _insights()
    for n in range(30):
        store.record(_message(n, "bot"))
    assert insights.evaluate_alerts(BRAND) == [] and channel.sent == []
    assert insights.evaluate_all() == {BRAND: 0}
