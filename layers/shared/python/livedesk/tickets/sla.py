"""Severity tiers and their SLA targets, read from configuration (``sla.json``, or the ``SLA_POLICY``
environment variable holding the same JSON). Due times count only the hours of the tier's calendar."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, model_validator

from livedesk.modelbase import Model
from livedesk.models import Severity, ValueLane

PACKAGED = Path(__file__).with_name("sla.json")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Config(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Calendar(_Config):
    """Opening hours per weekday in one time zone, and closed days. No hours at all: always open."""

    timezone: str = "UTC"
    hours: dict[str, tuple[time, time]] = Field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @model_validator(mode="after")
    def _valid(self) -> Calendar:
        ZoneInfo(self.timezone)
        for day, (opens, closes) in self.hours.items():
            if day not in WEEKDAYS or (closes <= opens and closes != time(0)):
                raise ValueError(f"bad opening hours for {day!r}: {opens}-{closes}")
        return self

    @cached_property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def always_open(self) -> bool:
        return not self.hours and not self.holidays

    def _open_on(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.hours.get(WEEKDAYS[day.weekday()]) if self.hours else (time(0), time(0))
        if hours is None or day in self.holidays:
            return None
        opens = datetime.combine(day, hours[0], self._zone)
        closes = (
            datetime.combine(day + timedelta(days=1), time(0), self._zone)
            if hours[1] == time(0)
            else datetime.combine(day, hours[1], self._zone)
        )
        return opens, closes

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """``start`` plus ``duration`` of open time: time outside opening hours does not count."""
        if self.always_open:
            return start + duration
        moment, left = start.astimezone(self._zone), duration
        for _ in range(3660):  # ten years of days: a calendar that never opens is a configuration error
            window = self._open_on(moment.date())
            if window is not None and moment < window[1]:
                begin = max(moment, window[0])
                if begin + left <= window[1]:
                    return (begin + left).astimezone(start.tzinfo)
                left -= window[1] - begin
            moment = datetime.combine(moment.date() + timedelta(days=1), time(0), self._zone)
        raise ValueError("the calendar has no open hours")


class Tier(_Config):
    name: str
    first_response: timedelta | None = None  # caps the value lane's target (P1: one hour whatever the lane)
    resolution: timedelta
    calendar: str
    notify_supervisor_at_once: bool = False


class SlaPolicy(_Config):
    tiers: dict[Severity, Tier]
    first_response: dict[ValueLane, timedelta]
    first_response_calendar: str
    calendars: dict[str, Calendar]

    @model_validator(mode="after")
    def _complete(self) -> SlaPolicy:
        missing = (set(Severity) - set(self.tiers)) | (set(ValueLane) - set(self.first_response))
        unknown = {t.calendar for t in self.tiers.values()} | {self.first_response_calendar}
        if missing or unknown - set(self.calendars):
            raise ValueError(f"SLA policy incomplete: missing {sorted(missing)}, unknown calendars {sorted(unknown - set(self.calendars))}")
        return self

    @classmethod
    def load(cls, text: str | None = None) -> SlaPolicy:
        """The packaged policy, or the JSON given (a deployment's ``SLA_POLICY``)."""
        return cls.model_validate(json.loads(text or PACKAGED.read_text(encoding="utf-8")))

    def due(self, created_at: datetime, lane: ValueLane, severity: Severity) -> tuple[datetime, datetime]:
        """First-response and resolution due times."""
        tier = self.tiers[severity]
        first = self.first_response[lane]
        if tier.first_response is not None:
            first = min(first, tier.first_response)
        return (
            self.calendars[self.first_response_calendar].add(created_at, first),
            self.calendars[tier.calendar].add(created_at, tier.resolution),
        )

    def raised(self, severity: Severity) -> Severity:
        """The next tier up after a breach (P1 stays P1)."""
        order = list(Severity)
        return order[max(0, order.index(severity) - 1)]
