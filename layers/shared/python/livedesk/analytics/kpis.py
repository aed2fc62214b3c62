"""Service KPIs computed from facts, never estimated: pure functions over a list of facts.

Definitions (times in seconds; percentiles are nearest-rank):
- first response: ticket created → the first agent reply.
- queue wait: ticket created → the first time a person took it (claim, assign, reply or takeover).
- handle time: taken → resolved.
- resolution rate: tickets created in the window and resolved by its end, over tickets created.
- first-contact resolution: resolved tickets never reopened or transferred, with at most one agent reply.
- repeat contact (7 days): conversations whose customer had another conversation in the 7 days before.
- abandonment: tickets whose first-response due passed before the window's end without any agent reply.
- bot containment: routed messages the bot answered, over routed messages (live-comment noise excluded).
- human transfer: conversations the bot answered in that later reached a person, over conversations the bot answered in.
- SLA attainment per tier: first responses (resolutions) on time over those due by the window's end or done.
- CSAT: mean, distribution 1–5; NPS (promoters 9–10 minus detractors 0–6, in points) when answers carry one.
- negative-emotion share: routed messages read as negative, over routed messages.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import fmean

from pydantic import Field

from livedesk.analytics.facts import Fact
from livedesk.modelbase import Model

TAKEN = frozenset({"claim", "assign", "reply", "takeover"})
RESPONSE_BUCKETS = ((30, "≤30 s"), (60, "≤1 min"), (180, "≤3 min"), (600, "≤10 min"), (3600, "≤1 h"), (math.inf, ">1 h"))
TIERS = ("P1", "P2", "P3", "P4")


class Slice(Model):
    """Restrict every KPI to one channel, live session, skill queue, intent or value lane."""

    channel: str | None = None
    live_session_id: str | None = None
    skill: str | None = None
    intent: str | None = None
    lane: str | None = None

    def admits(self, attributes: dict[str, str | None]) -> bool:
        return all(wanted is None or attributes.get(name) == wanted for name, wanted in self.model_dump().items())


class Distribution(Model):
    count: int
    p50: float | None
    p90: float | None
    mean: float | None


class SlaAttainment(Model):
    tickets: int
    first_response: float | None = Field(description="Share of due first responses made on time")
    resolution: float | None = Field(description="Share of due resolutions made on time")


class CsatSummary(Model):
    answers: int
    average: float | None
    distribution: dict[int, int]
    nps: float | None = None


class HourVolume(Model):
    hour: datetime
    messages: int
    forecast: float | None = None


class QualityOfService(Model):
    conversations_inspected: int
    average_score: float | None
    findings_by_rule: dict[str, int]


class Kpis(Model):
    window_from: datetime
    window_to: datetime
    slice: Slice
    messages: int
    tickets_created: int
    tickets_resolved: int
    first_response_seconds: Distribution
    first_response_histogram: dict[str, int]
    queue_wait_seconds: Distribution
    handle_seconds: Distribution
    resolution_rate: float | None
    first_contact_resolution: float | None
    repeat_contact_rate_7d: float | None
    abandonment_rate: float | None
    bot_containment: float | None
    human_transfer_rate: float | None
    sla_attainment: dict[str, SlaAttainment]
    csat: CsatSummary
    negative_emotion_share: float | None
    average_intent_confidence: float | None
    volume: list[HourVolume]
    quality: QualityOfService | None = Field(
        default=None, description="Quality inspection of the conversations closed in the window (none for an intent or lane slice)"
    )


@dataclass
class TicketLife:
    """One ticket's attributes (from its creation) and what happened to it, in order."""

    ticket_id: str
    created: datetime
    attributes: dict[str, str | None]
    severity: str
    first_response_due: datetime | None
    resolution_due: datetime | None
    events: list[Fact] = field(default_factory=list)

    def first(self, actions: frozenset[str] | set[str], by_agent: bool = False) -> datetime | None:
        for event in self.events:
            if event.action in actions and (not by_agent or event.actor not in ("customer", "sla", "routing", "escalation")):
                return event.at
        return None

    def count(self, action: str) -> int:
        return sum(event.action == action for event in self.events)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def distribution(values: list[float]) -> Distribution:
    return Distribution(count=len(values), p50=percentile(values, 0.5), p90=percentile(values, 0.9), mean=fmean(values) if values else None)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def ticket_lives(facts: list[Fact], until: datetime) -> dict[str, TicketLife]:
    lives: dict[str, TicketLife] = {}
    for fact in sorted((f for f in facts if f.kind == "ticket" and f.at <= until), key=lambda f: f.at):
        if fact.action == "created" and fact.ticket_id:
            detail = fact.detail
            lives[fact.ticket_id] = TicketLife(
                ticket_id=fact.ticket_id,
                created=fact.at,
                attributes={name: detail.get(name) for name in ("channel", "live_session_id", "skill", "intent", "lane")},
                severity=detail.get("severity", "P4"),
                first_response_due=_when(detail.get("first_response_due")),
                resolution_due=_when(detail.get("resolution_due")),
            )
        elif fact.ticket_id in lives:
            lives[fact.ticket_id].events.append(fact)
    return lives


def compute(
    facts: list[Fact], start: datetime, end: datetime, where: Slice = Slice(), forecast: dict[datetime, float] | None = None
) -> Kpis:
    """Every KPI for facts in [start, end); ``facts`` may hold earlier ones (repeat contacts look back 7 days)."""
    messages = [
        f for f in facts if f.kind == "message" and start <= f.at < end and where.admits(f.model_dump(include=set(Slice.model_fields)))
    ]
    lives = [life for life in ticket_lives(facts, end).values() if start <= life.created < end and where.admits(life.attributes)]

    first_responses, waits, handles = [], [], []
    resolved = fcr = abandoned = 0
    sla: dict[str, list[tuple[bool | None, bool | None]]] = defaultdict(list)
    for life in lives:
        reply = life.first({"reply"})
        taken = life.first(TAKEN)
        done = life.first({"resolve"})
        if reply:
            first_responses.append((reply - life.created).total_seconds())
        if taken:
            waits.append((taken - life.created).total_seconds())
        if done:
            resolved += 1
            handles.append((done - (taken or life.created)).total_seconds())
            if not life.count("reopen") and not life.count("transfer") and life.count("reply") <= 1:
                fcr += 1
        if reply is None and life.first_response_due and life.first_response_due <= end:
            abandoned += 1
        first_met = (
            None
            if life.first_response_due is None or (reply is None and life.first_response_due > end)
            else bool(reply and reply <= life.first_response_due)
        )
        resolution_met = (
            None
            if life.resolution_due is None or (done is None and life.resolution_due > end)
            else bool(done and done <= life.resolution_due)
        )
        sla[life.severity].append((first_met, resolution_met))

    bot_answered, transferred = _handoffs(messages)
    csat_events = [f for f in facts if f.kind == "ticket" and f.action == "csat" and start <= f.at < end]
    scores = [int(f.detail["score"]) for f in csat_events if "score" in f.detail]
    nps_scores = [int(f.detail["nps"]) for f in csat_events if "nps" in f.detail]
    hours = Counter(f.at.replace(minute=0, second=0, microsecond=0) for f in messages)
    return Kpis(
        window_from=start,
        window_to=end,
        slice=where,
        messages=len(messages),
        tickets_created=len(lives),
        tickets_resolved=resolved,
        first_response_seconds=distribution(first_responses),
        first_response_histogram={
            label: sum(low < value <= high for value in first_responses)
            for (low, _), (high, label) in zip(((-math.inf, ""), *RESPONSE_BUCKETS[:-1]), RESPONSE_BUCKETS, strict=True)
        },
        queue_wait_seconds=distribution(waits),
        handle_seconds=distribution(handles),
        resolution_rate=share(resolved, len(lives)),
        first_contact_resolution=share(fcr, resolved),
        repeat_contact_rate_7d=_repeat_contacts([f for f in facts if f.kind == "message"], messages),
        abandonment_rate=share(abandoned, len(lives)),
        bot_containment=share(sum(f.handled_by == "bot" for f in messages), len(messages)),
        human_transfer_rate=share(len(transferred), len(bot_answered)),
        sla_attainment={tier: _attainment(sla[tier]) for tier in TIERS if sla[tier]},
        csat=CsatSummary(
            answers=len(scores),
            average=round(fmean(scores), 3) if scores else None,
            distribution={score: scores.count(score) for score in range(1, 6)},
            nps=_nps(nps_scores),
        ),
        negative_emotion_share=share(sum(f.polarity == "negative" for f in messages), len(messages)),
        average_intent_confidence=round(fmean(f.intent_confidence or 0 for f in messages), 4) if messages else None,
        volume=[HourVolume(hour=hour, messages=hours[hour], forecast=(forecast or {}).get(hour)) for hour in sorted(hours)],
    )


def _attainment(results: list[tuple[bool | None, bool | None]]) -> SlaAttainment:
    first = [met for met, _ in results if met is not None]
    resolution = [met for _, met in results if met is not None]
    return SlaAttainment(
        tickets=len(results), first_response=share(sum(first), len(first)), resolution=share(sum(resolution), len(resolution))
    )


def _handoffs(messages: list[Fact]) -> tuple[set[str], set[str]]:
    """Conversations the bot answered in, and those of them where a later message needed a person."""
    bot_since: dict[str, datetime] = {}
    transferred: set[str] = set()
    for fact in sorted(messages, key=lambda f: f.at):
        if not fact.conversation_id:
            continue
        if fact.handled_by == "bot":
            bot_since.setdefault(fact.conversation_id, fact.at)
        elif fact.conversation_id in bot_since:
            transferred.add(fact.conversation_id)
    return set(bot_since), transferred


def _repeat_contacts(all_messages: list[Fact], in_window: list[Fact]) -> float | None:
    """Of the conversations started in the window, the share whose customer wrote in another one in the 7 days before."""
    opened: dict[str, Fact] = {}
    by_customer: dict[str, list[Fact]] = defaultdict(list)
    for fact in sorted(all_messages, key=lambda f: f.at):
        if fact.conversation_id and fact.conversation_id not in opened:
            opened[fact.conversation_id] = fact
        if fact.customer_id:
            by_customer[fact.customer_id].append(fact)
    window_ids = {f.message_id for f in in_window}
    started = [opening for opening in opened.values() if opening.message_id in window_ids]
    repeated = sum(
        any(
            other.conversation_id != opening.conversation_id and opening.at - timedelta(days=7) <= other.at < opening.at
            for other in by_customer[opening.customer_id or ""]
        )
        for opening in started
    )
    return share(repeated, len(started))


def _nps(scores: list[int]) -> float | None:
    """Promoters (9–10) minus detractors (0–6), in points."""
    if not scores:
        return None
    return round(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores), 1)
