"""Volume forecasting with live sessions as a known driver, and Erlang C staffing."""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from livedesk.analytics.forecast import Session, agents_needed, erlang_c, forecast, mape, staff

START = datetime(2026, 11, 3, tzinfo=UTC)


def history(days: int = 21, multiplier: float = 4.0) -> tuple[list[tuple[datetime, int]], list[Session]]:
    rng = random.Random(7)
    sessions = [
        Session(START + timedelta(days=d, hours=12), START + timedelta(days=d, hours=15)) for d in range(days + 3) if d % 7 in (1, 3, 5)
    ]
    counts = []
    for h in range(days * 24):
        hour = START + timedelta(hours=h)
        expected = 20 + 30 * max(0.0, math.sin((hour.hour - 6) / 24 * 2 * math.pi))
        if any(s.covers(hour) for s in sessions):
            expected *= multiplier
        counts.append((hour, max(0, round(rng.gauss(expected, expected**0.5)))))
    return counts, sessions


def test_the_forecast_learns_the_daily_shape_and_what_a_live_session_multiplies() -> None:
    counts, sessions = history()
    result = forecast(counts, sessions, START + timedelta(days=21))
    assert len(result.intervals) == 48 and result.intervals[0].hour == counts[-1][0] + timedelta(hours=1)
    assert result.mape is not None and result.mape < 25, result.mape
    assert result.live_session_multiplier == pytest.approx(4.0, rel=0.25)
    live = [i.expected for i in result.intervals if i.live_session]
    quiet_noon = [i.expected for i in result.intervals if not i.live_session and i.hour.hour == 13]
    assert live and min(live) > 2 * max(quiet_noon or [0]), "a scheduled session multiplies the expected volume"


def test_without_sessions_in_the_history_there_is_no_multiplier_to_learn() -> None:
    counts, _ = history(multiplier=1.0)
    result = forecast(counts, [], START + timedelta(days=21))
    assert result.live_session_multiplier is None and result.mape is not None


def test_a_short_history_falls_back_to_the_hour_of_day_mean() -> None:
    counts, _ = history(days=2)
    assert forecast(counts, [], START).model == "hour-of-day mean"
    assert forecast([], [], START).intervals == []


def test_erlang_c_matches_the_published_table() -> None:
    assert [round(erlang_c(n, 10.0), 4) for n in (11, 12, 13)] == [0.6821, 0.4494, 0.2853]
    assert erlang_c(10, 10.0) == 1.0, "as many agents as erlangs: everyone waits"


def test_staffing_meets_each_lanes_target() -> None:
    assert agents_needed(100, 240, 20) == 10  # 6.7 erlangs, 80 % within 20 s
    assert agents_needed(0, 240, 20) == 0
    counts, sessions = history()
    result = forecast(counts, sessions, START + timedelta(days=21))
    staff(result.intervals, person_share=0.4, vip_share=0.2, handle_seconds=300, vip_s=60, normal_s=180)
    busiest = max(result.intervals, key=lambda i: i.expected)
    quietest = min(result.intervals, key=lambda i: i.expected)
    assert busiest.agents_needed and quietest.agents_needed and busiest.agents_needed > quietest.agents_needed


def test_mape_ignores_hours_without_messages() -> None:
    assert mape([10, 0, 20], [12, 5, 18]) == 15.0
