"""Three alert levels, thresholds in configuration (``alerts.json``, or ``ALERT_RULES`` with the same
JSON). The same rules run everywhere: the alerts function evaluates them on the facts, the queues'
DLQ depths and the functions' error counts; in AWS, CloudWatch alarms built from the same file
page for the red ones too.

- yellow (watch): message volume above the forecast by 10 % for 3 consecutive hours;
- orange (act): understanding confidence or bot containment below target over the last hour, so
  routing falls back to people;
- red (page): a dead-letter queue is not empty, a P1 ticket breached its SLA, or functions error.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import ConfigDict

from livedesk.modelbase import Model

PACKAGED = Path(__file__).with_name("alerts.json")


class Level(StrEnum):
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


class _Rules(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Yellow(_Rules):
    volume_over_forecast_ratio: float
    consecutive_intervals: int


class Orange(_Rules):
    window_minutes: int
    min_messages: int
    min_intent_confidence: float
    min_bot_containment: float


class Red(_Rules):
    dlq_messages: int
    p1_breaches: int
    window_minutes: int
    function_errors: int


class AlertRules(_Rules):
    yellow: Yellow
    orange: Orange
    red: Red

    @classmethod
    def load(cls, text: str | None = None) -> AlertRules:
        return cls.model_validate(json.loads(text or PACKAGED.read_text(encoding="utf-8")))


class Alert(Model):
    level: Level
    rule: str
    message: str
    value: float
    threshold: float
    at: datetime
    key: str  # one alert per rule and interval: the same condition seen again is not a new alert


class Signals(Model):
    """What the rules look at, gathered by the alerts function."""

    now: datetime
    hourly_volume: list[tuple[datetime, int, float | None]]  # (hour, messages, forecast), oldest first
    recent_messages: int
    recent_intent_confidence: float | None
    recent_bot_containment: float | None
    dlq_depths: dict[str, int]
    p1_breaches: list[str]  # ticket ids breached in the red window
    function_errors: dict[str, int]  # errors per function in the red window


def evaluate(rules: AlertRules, signals: Signals) -> list[Alert]:
    now = signals.now
    hour = now.replace(minute=0, second=0, microsecond=0)
    alerts: list[Alert] = []

    def fire(level: Level, rule: str, message: str, value: float, threshold: float, key: str) -> None:
        alerts.append(Alert(level=level, rule=rule, message=message, value=round(value, 4), threshold=threshold, at=now, key=key))

    wanted = rules.yellow.consecutive_intervals
    closed = [(h, n, f) for h, n, f in signals.hourly_volume if h < hour][-wanted:]
    ratios = [n / f for _, n, f in closed if f]
    if len(ratios) == wanted and all(r > rules.yellow.volume_over_forecast_ratio for r in ratios):
        fire(
            Level.YELLOW,
            "volume_over_forecast",
            f"volume above forecast for {wanted} hours (latest ×{ratios[-1]:.2f})",
            ratios[-1],
            rules.yellow.volume_over_forecast_ratio,
            f"volume_over_forecast#{closed[-1][0].isoformat()}",
        )
    orange = rules.orange
    if signals.recent_messages >= orange.min_messages:
        window = (now - timedelta(minutes=orange.window_minutes)).replace(second=0, microsecond=0).isoformat()
        confidence, containment = signals.recent_intent_confidence, signals.recent_bot_containment
        if confidence is not None and confidence < orange.min_intent_confidence:
            fire(
                Level.ORANGE,
                "intent_confidence",
                f"understanding confidence {confidence:.2f} over the last hour",
                confidence,
                orange.min_intent_confidence,
                f"intent_confidence#{window[:13]}",
            )
        if containment is not None and containment < orange.min_bot_containment:
            fire(
                Level.ORANGE,
                "bot_containment",
                f"the bot answered {containment:.0%} over the last hour",
                containment,
                orange.min_bot_containment,
                f"bot_containment#{window[:13]}",
            )
    red = rules.red
    for queue, depth in sorted(signals.dlq_depths.items()):
        if depth >= red.dlq_messages:
            fire(Level.RED, "dlq_not_empty", f"{depth} message(s) in {queue}", depth, red.dlq_messages, f"dlq#{queue}#{hour.isoformat()}")
    if len(signals.p1_breaches) >= red.p1_breaches:
        for ticket_id in signals.p1_breaches:
            fire(Level.RED, "p1_breach", f"P1 ticket {ticket_id} breached its SLA", 1, red.p1_breaches, f"p1#{ticket_id}")
    for function, errors in sorted(signals.function_errors.items()):
        if errors >= red.function_errors:
            fire(
                Level.RED,
                "error_spike",
                f"{errors} errors in {function} over {red.window_minutes} minutes",
                errors,
                red.function_errors,
                f"errors#{function}#{hour.isoformat()}",
            )
    return alerts
