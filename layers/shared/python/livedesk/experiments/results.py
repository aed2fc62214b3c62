"""An experiment's results from the analytics facts: each variant's containment, handoffs, first-contact
resolution, CSAT and repeat contact, with 95 % confidence intervals, sample sizes, the difference
from the control, and whether there is enough data yet to read them."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import fmean, stdev

from pydantic import Field

from livedesk.analytics.facts import Fact
from livedesk.experiments.model import Experiment
from livedesk.modelbase import Model

Z = 1.96  # 95 %
MIN_MESSAGES = 100  # per variant before containment and handoffs are read
MIN_TICKETS = 30  # per variant before FCR and CSAT are read
REPEAT_WINDOW = timedelta(days=7)


class Estimate(Model):
    value: float | None = Field(description="A share (0–1) or, for CSAT, the mean score")
    low: float | None
    high: float | None
    n: int = Field(description="The sample it is computed on")
    enough_data: bool


class Difference(Model):
    difference: float = Field(description="This variant minus the control")
    low: float
    high: float
    significant: bool = Field(description="The 95 % interval excludes zero, with enough data on both sides")


class VariantResult(Model):
    variant: str
    weight: int
    customers: int
    messages: int
    containment: Estimate
    handoffs: Estimate
    first_contact_resolution: Estimate
    csat: Estimate
    repeat_contact: Estimate
    versus_control: dict[str, Difference] = Field(default_factory=dict)


class ExperimentResults(Model):
    experiment: Experiment
    window_from: datetime
    window_to: datetime
    enough_data: bool
    note: str
    variants: list[VariantResult]


def wilson(successes: int, n: int, minimum: int) -> Estimate:
    if n == 0:
        return Estimate(value=None, low=None, high=None, n=0, enough_data=False)
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return Estimate(value=round(p, 4), low=round(low, 4), high=round(high, 4), n=n, enough_data=n >= minimum)


def mean(values: list[float], minimum: int) -> Estimate:
    if not values:
        return Estimate(value=None, low=None, high=None, n=0, enough_data=False)
    average = fmean(values)
    half = Z * stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("inf")
    low, high = (None, None) if math.isinf(half) else (round(average - half, 3), round(average + half, 3))
    return Estimate(value=round(average, 3), low=low, high=high, n=len(values), enough_data=len(values) >= minimum)


def difference(variant: Estimate, control: Estimate, share: bool) -> Difference | None:
    """Shares: Newcombe's interval from the two Wilson intervals (sound at 0 % and 100 %, unlike
    Wald's); means: the normal interval from the two standard errors."""
    v, c = variant, control
    if v.value is None or c.value is None or v.low is None or c.low is None or v.high is None or c.high is None:
        return None
    delta = v.value - c.value
    if share:
        low = delta - math.hypot(v.value - v.low, c.high - c.value)
        high = delta + math.hypot(v.high - v.value, c.value - c.low)
    else:
        spread = math.hypot((v.high - v.value) / Z, (c.high - c.value) / Z)
        low, high = delta - Z * spread, delta + Z * spread
    significant = variant.enough_data and control.enough_data and (low > 0 or high < 0)
    return Difference(difference=round(delta, 4), low=round(low, 4), high=round(high, 4), significant=significant)


def results(experiment: Experiment, facts: list[Fact], start: datetime, end: datetime) -> ExperimentResults:
    """``facts``: the brand's facts of [start, end). Messages and tickets count by the experiment id
    routing stamped on them (a message routed while the experiment ran counts, whenever it was
    sent); a counted ticket's later events (resolution, reopening, CSAT) count with it."""
    mine = [f for f in facts if f.experiment_id == experiment.experiment_id]
    messages: dict[str, list[Fact]] = defaultdict(list)
    for fact in mine:
        if fact.kind == "message" and fact.variant:
            messages[fact.variant].append(fact)
    ticket_variant = {f.ticket_id: f.variant for f in mine if f.kind == "ticket" and f.action == "created" and f.variant}
    events: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.kind == "ticket" and fact.ticket_id in ticket_variant:
            events[str(fact.ticket_id)].append(fact)
    rows: list[VariantResult] = []
    for variant in experiment.variants:
        routed = messages.get(variant.name, [])
        bot = sum(1 for f in routed if f.handled_by == "bot")
        tickets = [sorted(evs, key=lambda f: f.at) for tid, evs in events.items() if ticket_variant[tid] == variant.name]
        resolved = [t for t in tickets if any(f.action == "resolve" for f in t)]
        first_time = sum(1 for t in resolved if _first_contact(t))
        scores = [float(f.detail["score"]) for t in tickets for f in t if f.action == "csat" and "score" in f.detail]
        rows.append(
            VariantResult(
                variant=variant.name,
                weight=variant.weight,
                customers=len({f.customer_id for f in routed}),
                messages=len(routed),
                containment=wilson(bot, len(routed), MIN_MESSAGES),
                handoffs=wilson(len(routed) - bot, len(routed), MIN_MESSAGES),
                first_contact_resolution=wilson(first_time, len(resolved), MIN_TICKETS),
                csat=mean(scores, MIN_TICKETS),
                repeat_contact=_repeat_contact(routed, MIN_MESSAGES),
            )
        )
    control = rows[0]
    for row in rows[1:]:
        for metric, share in (
            ("containment", True),
            ("handoffs", True),
            ("first_contact_resolution", True),
            ("csat", False),
            ("repeat_contact", True),
        ):
            found = difference(getattr(row, metric), getattr(control, metric), share)
            if found is not None:
                row.versus_control[metric] = found
    enough = all(row.containment.enough_data for row in rows)
    short = [f"{row.variant} {row.messages}" for row in rows if not row.containment.enough_data]
    note = (
        f"enough data to compare containment and handoffs; FCR and CSAT need {MIN_TICKETS} tickets a variant"
        if enough
        else f"not enough data yet: each variant needs {MIN_MESSAGES} messages (so far {', '.join(short)})"
    )
    return ExperimentResults(experiment=experiment, window_from=start, window_to=end, enough_data=enough, note=note, variants=rows)


def _first_contact(events: list[Fact]) -> bool:
    """As the KPIs define it: never reopened or transferred, with at most one agent reply."""
    return not any(f.action in ("reopen", "transfer") for f in events) and sum(f.action == "reply" for f in events) <= 1


def _repeat_contact(routed: list[Fact], minimum: int) -> Estimate:
    """Customers who started another conversation within 7 days of one, of all the variant's customers."""
    starts: dict[str, dict[str, datetime]] = defaultdict(dict)
    for fact in routed:
        if fact.customer_id and fact.conversation_id:
            seen = starts[fact.customer_id]
            seen[fact.conversation_id] = min(seen.get(fact.conversation_id, fact.at), fact.at)
    repeated = 0
    for conversations in starts.values():
        times = sorted(conversations.values())
        repeated += any(b - a <= REPEAT_WINDOW for a, b in pairwise(times))
    return wilson(repeated, len(starts), minimum)
