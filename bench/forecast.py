"""Forecast error and speed, and KPI computation speed.

Forecast: four weeks of hourly volume drawn (Poisson) from a daily curve with a live session every
other evening that multiplies it by four, at three volume levels. For each: the model's MAPE on
the held-out last 48 hours, the MAPE a forecast that knew the true expected volume would score on
the same draw (the floor set by chance alone), the learned session multiplier and the fit time.

KPIs: `compute` over a day of facts for 20,000 tickets and 100,000 messages.

    python bench/forecast.py
"""

from __future__ import annotations

import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "shared" / "python"))

from livedesk.analytics.facts import Fact
from livedesk.analytics.forecast import HELD_OUT, Session, forecast, mape
from livedesk.analytics.kpis import compute

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def curve(hour: datetime, peak: float) -> float:
    local = (hour.hour + 8) % 24
    return peak * (0.25 + 0.75 * max(0.0, math.sin((local - 7) / 24 * 2 * math.pi)))


def series(peak: float, rng: np.random.Generator) -> tuple[list[tuple[datetime, int]], list[float], list[Session]]:
    start = NOW - timedelta(days=28)
    sessions = [Session(start + timedelta(days=d, hours=12), start + timedelta(days=d, hours=14)) for d in range(0, 30, 2)]
    hours = [start + HOUR * n for n in range(28 * 24)]
    expected = [curve(h, peak) * (4 if any(s.covers(h) for s in sessions) else 1) for h in hours]
    counts = rng.poisson(expected)
    return list(zip(hours, (int(c) for c in counts), strict=True)), expected, sessions


def bench_forecast() -> None:
    print(f"{'peak/h':>7} {'MAPE %':>7} {'floor %':>8} {'session ×':>10} {'fit s':>6}")
    for peak in (10, 60, 400):
        rng = np.random.default_rng(7)
        history, expected, sessions = series(peak, rng)
        started = time.perf_counter()
        result = forecast(history, sessions, NOW)
        elapsed = time.perf_counter() - started
        actual = [float(n) for _, n in history[-HELD_OUT:]]
        floor = mape(actual, expected[-HELD_OUT:])
        print(f"{peak:>7} {result.mape:>7} {floor:>8} {result.live_session_multiplier:>10} {elapsed:>6.1f}")


def bench_kpis() -> None:
    rng = random.Random(3)
    start = NOW - timedelta(hours=24)
    facts: list[Fact] = []
    for n in range(100_000):
        at = start + timedelta(seconds=rng.uniform(0, 86_400))
        facts.append(
            Fact(
                kind="message",
                fact_id=f"m{n}",
                brand_id="b",
                at=at,
                conversation_id=f"c{n % 40_000}",
                customer_id=f"u{n % 30_000}",
                channel=rng.choice(["app_chat", "live_comment", "dm"]),
                handled_by=rng.choice(["bot", "person"]),
                polarity=rng.choice(["negative", "neutral", "positive"]),
                intent_confidence=rng.random(),
            )
        )
    for n in range(20_000):
        created = start + timedelta(seconds=rng.uniform(0, 80_000))
        due = {"first_response_due": (created + timedelta(minutes=3)).isoformat(), "resolution_due": (created + HOUR * 24).isoformat()}
        detail = {"severity": rng.choice(["P1", "P2", "P3", "P4"]), "channel": "app_chat", "skill": "after_sale", **due}
        facts.append(Fact(kind="ticket", fact_id=f"t{n}c", brand_id="b", at=created, ticket_id=f"t{n}", action="created", detail=detail))
        reply = created + timedelta(seconds=rng.expovariate(1 / 120))
        facts.append(Fact(kind="ticket", fact_id=f"t{n}r", brand_id="b", at=reply, ticket_id=f"t{n}", action="reply"))
        if rng.random() < 0.7:
            done = reply + timedelta(seconds=rng.expovariate(1 / 600))
            facts.append(Fact(kind="ticket", fact_id=f"t{n}d", brand_id="b", at=done, ticket_id=f"t{n}", action="resolve"))
    started = time.perf_counter()
    kpis = compute(facts, start, NOW)
    elapsed = time.perf_counter() - started
    print(f"KPIs over {len(facts):,} facts: {elapsed:.2f} s (first response p50 {kpis.first_response_seconds.p50:.0f} s)")


if __name__ == "__main__":
    bench_forecast()
    bench_kpis()
