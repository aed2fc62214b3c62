"""Inquiry volume for the next 48 hours, and the agents it takes to keep the first-response SLA.

The model is statsmodels' SARIMAX on log(1 + messages per hour): AR(1) errors around an
hour-of-day profile, with one known driver, whether a live session is scheduled in the hour (on
the log scale its coefficient multiplies the expected volume). Its error is reported as MAPE on the last 48 hours of history,
forecast by a model fitted on the hours before them. Staffing is Erlang C per value lane.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field

from livedesk.modelbase import Model

HOUR = timedelta(hours=1)
SEASON = 24
HELD_OUT = 48


@dataclass(frozen=True)
class Session:
    start: datetime
    end: datetime

    def covers(self, hour: datetime) -> bool:
        return self.start < hour + HOUR and hour < self.end


class Interval(Model):
    hour: datetime
    expected: float = Field(description="Expected customer messages in the hour")
    live_session: bool
    agents_needed: int | None = None


class Forecast(Model):
    generated_at: datetime
    model: str
    history_hours: int
    mape: float | None = Field(description="Mean absolute percentage error on the held-out last 48 hours")
    live_session_multiplier: float | None = Field(description="How much a live session multiplies the expected volume")
    intervals: list[Interval]


def _live(hours: list[datetime], sessions: list[Session]) -> list[float]:
    return [1.0 if any(s.covers(h) for s in sessions) else 0.0 for h in hours]


def _regressors(hours: list[datetime], live: list[float] | None) -> object:
    """The live-session indicator (None: no session in the history to learn from), then one column
    per hour of the day but midnight."""
    import numpy as np

    columns = np.zeros((len(hours), SEASON))
    for row, hour in enumerate(hours):
        if hour.hour:
            columns[row, hour.hour] = 1.0
    if live is None:
        return columns[:, 1:]
    columns[:, 0] = live
    return columns


def _fit(hours: list[datetime], counts: list[float], live: list[float] | None) -> object:
    import warnings

    import numpy as np
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y, exog = np.log1p(np.asarray(counts)), np.asarray(_regressors(hours, live))
    # Start from ordinary least squares and the lag-1 correlation of its residuals: about four
    # times fewer L-BFGS iterations than statsmodels' own start. Order: [const, exog…, ar.L1, sigma2].
    ols, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), exog]), y, rcond=None)
    residuals = y - np.column_stack([np.ones(len(y)), exog]) @ ols
    phi = float(np.clip(np.corrcoef(residuals[:-1], residuals[1:])[0, 1], -0.95, 0.95)) if residuals.std() else 0.0
    start = np.r_[ols, phi, max(float(residuals.var()) * (1 - phi**2), 1e-6)]
    with warnings.catch_warnings():  # statsmodels' start-parameter warnings for short series
        warnings.simplefilter("ignore")
        model = SARIMAX(y, exog=exog, order=(1, 0, 0), trend="c")
        return model.fit(disp=False, maxiter=200, start_params=start)


def _predict(fitted: object, hours: list[datetime], live: list[float] | None) -> list[float]:
    import numpy as np

    values = fitted.forecast(steps=len(hours), exog=_regressors(hours, live))  # type: ignore[attr-defined]
    return [max(0.0, float(v)) for v in np.expm1(values)]


def mape(actual: list[float], predicted: list[float]) -> float | None:
    pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if a > 0]
    return round(100 * sum(abs(a - p) / a for a, p in pairs) / len(pairs), 2) if pairs else None


def forecast(history: list[tuple[datetime, int]], sessions: list[Session], now: datetime, horizon: int = 48) -> Forecast:
    """``history``: messages per hour, oldest first (missing hours count as zero)."""
    if not history:
        return Forecast(generated_at=now, model="none", history_hours=0, mape=None, live_session_multiplier=None, intervals=[])
    start, last = history[0][0], history[-1][0]
    by_hour = dict(history)
    hours = [start + HOUR * n for n in range(int((last - start) / HOUR) + 1)]
    counts = [float(by_hour.get(h, 0)) for h in hours]
    live = _live(hours, sessions)
    future = [last + HOUR * (n + 1) for n in range(horizon)]
    future_live = _live(future, sessions)
    if len(hours) < 3 * SEASON:  # too little history for a season: the hour-of-day mean
        means = {h.hour: [c for hh, c in zip(hours, counts, strict=True) if hh.hour == h.hour] for h in future}
        intervals = [
            Interval(hour=h, expected=round(sum(means[h.hour]) / max(1, len(means[h.hour])), 2), live_session=bool(x))
            for h, x in zip(future, future_live, strict=True)
        ]
        return Forecast(
            generated_at=now,
            model="hour-of-day mean",
            history_hours=len(hours),
            mape=None,
            live_session_multiplier=None,
            intervals=intervals,
        )
    held = min(HELD_OUT, len(hours) // 4)
    learned = any(live[:-held])  # the effect of a session can only be learned from sessions in the history
    check = _fit(hours[:-held], counts[:-held], live[:-held] if learned else None)
    error = mape(counts[-held:], _predict(check, hours[-held:], live[-held:] if learned else None))
    fitted = _fit(hours, counts, live if learned else None)
    multiplier = round(math.exp(float(fitted.params[1])), 2) if learned else None  # type: ignore[attr-defined]  # [const, live, ...]
    expected = _predict(fitted, future, future_live if learned else None)
    return Forecast(
        generated_at=now,
        model="SARIMAX AR(1) on log1p with hour-of-day and live-session regressors",
        history_hours=len(hours),
        mape=error,
        live_session_multiplier=multiplier,
        intervals=[
            Interval(hour=h, expected=round(e, 2), live_session=bool(x)) for h, e, x in zip(future, expected, future_live, strict=True)
        ],
    )


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact waits (Erlang C), by the stable Erlang B recursion."""
    if agents <= traffic:
        return 1.0
    blocked = 1.0
    for n in range(1, agents + 1):
        blocked = traffic * blocked / (n + traffic * blocked)
    return agents * blocked / (agents - traffic * (1 - blocked))


def agents_needed(contacts_per_hour: float, handle_seconds: float, answer_within_s: float, target: float = 0.8) -> int:
    """The fewest agents for which ``target`` of contacts are answered within ``answer_within_s``."""
    if contacts_per_hour <= 0:
        return 0
    traffic = contacts_per_hour * handle_seconds / 3600
    agents = max(1, math.ceil(traffic))
    while 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * answer_within_s / handle_seconds) < target:
        agents += 1
    return agents


def staff(intervals: list[Interval], person_share: float, vip_share: float, handle_seconds: float, vip_s: float, normal_s: float) -> None:
    """Agents per interval: people-bound contacts split by lane, each lane staffed to its own target."""
    for interval in intervals:
        people = interval.expected * person_share
        interval.agents_needed = agents_needed(people * vip_share, handle_seconds, vip_s) + agents_needed(
            people * (1 - vip_share), handle_seconds, normal_s
        )
