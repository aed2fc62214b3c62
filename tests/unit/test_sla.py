"""SLA tiers and calendars come from configuration; due times count only open hours."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from livedesk.models import Severity, ValueLane
from livedesk.tickets.sla import Calendar, SlaPolicy

SHANGHAI = timezone(timedelta(hours=8))
POLICY = SlaPolicy.load()


def test_the_packaged_defaults() -> None:
    created = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)  # a Tuesday morning
    vip_first, _ = POLICY.due(created, ValueLane.VIP, Severity.P3)
    normal_first, p1_resolution = POLICY.due(created, ValueLane.NORMAL, Severity.P1)
    assert vip_first - created == timedelta(seconds=60) and normal_first - created == timedelta(seconds=180)
    assert p1_resolution - created == timedelta(hours=4)
    assert POLICY.tiers[Severity.P1].notify_supervisor_at_once and not POLICY.tiers[Severity.P3].notify_supervisor_at_once


def test_business_hours_stop_the_clock_overnight_and_on_holidays() -> None:
    after_close = datetime(2026, 11, 21, 21, 30, tzinfo=SHANGHAI)  # Saturday, closed since 20:00
    _, p3 = POLICY.due(after_close, ValueLane.NORMAL, Severity.P3)
    # Sunday 10-20 (10 h) + Monday 9-22 (13 h) + Tuesday 9-22 (13 h) + 12 h on Wednesday
    assert p3 == datetime(2026, 11, 25, 21, 0, tzinfo=SHANGHAI)
    _, p1 = POLICY.due(after_close, ValueLane.NORMAL, Severity.P1)
    assert p1 - after_close == timedelta(hours=4), "P1 runs around the clock"
    new_year = Calendar(timezone="Asia/Shanghai", hours={"thu": ("09:00", "18:00"), "fri": ("09:00", "18:00")}, holidays=["2026-01-01"])
    assert new_year.add(datetime(2025, 12, 31, 23, 0, tzinfo=UTC), timedelta(hours=2)) == datetime(2026, 1, 2, 11, 0, tzinfo=SHANGHAI)


def test_a_deployment_can_change_the_policy() -> None:
    custom = SlaPolicy.load(
        '{"tiers": {"P1": {"name": "a", "resolution": "PT2H", "calendar": "c"}, "P2": {"name": "b", "resolution": "PT8H", "calendar": "c"},'
        ' "P3": {"name": "c", "resolution": "P1D", "calendar": "c"}, "P4": {"name": "d", "resolution": "P2D", "calendar": "c"}},'
        ' "first_response": {"vip": "PT30S", "normal": "PT2M"}, "first_response_calendar": "c", "calendars": {"c": {"timezone": "UTC"}}}'
    )
    created = datetime(2026, 11, 24, tzinfo=UTC)
    assert custom.due(created, ValueLane.VIP, Severity.P1) == (created + timedelta(seconds=30), created + timedelta(hours=2))


def test_an_incomplete_policy_is_refused() -> None:
    with pytest.raises(ValidationError, match="incomplete"):
        SlaPolicy.load('{"tiers": {}, "first_response": {}, "first_response_calendar": "x", "calendars": {}}')


def test_a_breach_raises_the_tier() -> None:
    assert [POLICY.raised(s) for s in Severity] == [Severity.P1, Severity.P1, Severity.P2, Severity.P3]
