"""The next 48 hours for one brand: expected messages per hour from the history and the live-session
schedule, and the agents each hour needs for the lanes' first-response targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from livedesk.analytics.facts import Fact
from livedesk.analytics.forecast import Forecast, forecast, staff
from livedesk.analytics.kpis import compute
from livedesk.analytics.store import AnalyticsStore
from livedesk.tickets.sla import SlaPolicy

HISTORY = timedelta(days=28)
PROFILE = timedelta(days=7)  # the recent mix: how many messages need a person, how many are VIP, how long they take
DEFAULT_HANDLE_S = 300.0


class Forecaster:
    def __init__(self, store: AnalyticsStore, policy: SlaPolicy, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._policy = policy
        self._clock = clock

    def next_hours(self, brand_id: str, hours: int = 48) -> Forecast:
        now = self._clock()
        hour = now.replace(minute=0, second=0, microsecond=0)
        history = [(h, n) for h, n in self._store.volume(brand_id, hour - HISTORY, hour) if h < hour]
        sessions = self._store.sessions(brand_id, hour - HISTORY - timedelta(days=1), hour + timedelta(hours=hours))
        result = forecast(history, sessions, now, horizon=hours)
        facts = self._store.facts(brand_id, now - PROFILE, now)
        messages = [f for f in facts if f.kind == "message"]
        people = [f for f in messages if f.handled_by == "person"]
        handled = _handle_seconds(facts)
        first = self._policy.first_response
        staff(
            result.intervals,
            person_share=len(people) / len(messages) if messages else 0.5,
            vip_share=sum(f.lane == "vip" for f in people) / len(people) if people else 0.2,
            handle_seconds=handled or DEFAULT_HANDLE_S,
            vip_s=min(t.total_seconds() for lane, t in first.items() if lane.value == "vip"),
            normal_s=min(t.total_seconds() for lane, t in first.items() if lane.value == "normal"),
        )
        self._store.save_forecast(brand_id, result)
        return result

    def refresh_all(self) -> dict[str, float | None]:
        """The hourly schedule: every brand with facts; each brand's MAPE."""
        return {brand: self.next_hours(brand).mape for brand in self._store.brands()}


def _handle_seconds(facts: list[Fact]) -> float | None:
    """Mean time from the first agent action to the resolution, over the recent tickets."""
    if not facts:
        return None
    start = min(f.at for f in facts)
    end = max(f.at for f in facts) + timedelta(seconds=1)
    return compute(facts, start, end).handle_seconds.mean
