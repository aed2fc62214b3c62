"""A/B experiments without AWS: assignment, validation, results with intervals, and the desk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from insights.experiments import ExperimentDesk
from livedesk.analytics.facts import Fact
from livedesk.errors import Conflict, NotFound
from livedesk.experiments.model import Experiment, ExperimentDraft, Variant
from livedesk.experiments.results import MIN_MESSAGES, results, wilson
from livedesk.identity import Actor, Role

START = datetime(2026, 12, 1, tzinfo=UTC)
BRAND = "lumi-beauty"
DRAFT = ExperimentDraft(
    name="bolder bot",
    hypothesis="answering at lower confidence contains more without hurting CSAT",
    variants=[Variant(name="control", weight=50), Variant(name="bolder", weight=50, min_confidence=0.4, answer_similarity=0.85)],
)


def experiment(**changes: Any) -> Experiment:
    made = Experiment(**DRAFT.model_dump(), experiment_id="exp_1", brand_id=BRAND, status="running", started_at=START)
    return made.model_copy(update=changes)


def test_a_customer_always_gets_the_same_variant_and_the_split_follows_the_weights() -> None:
    running = experiment()
    assert {running.assign("cust-7").name for _ in range(5)} == {running.assign("cust-7").name}
    split = Counter(running.assign(f"cust-{n}").name for n in range(4000))
    assert abs(split["control"] / 4000 - 0.5) < 0.03
    uneven = experiment(variants=[Variant(name="control", weight=90), Variant(name="b", weight=10, min_confidence=0.6)])
    assert abs(Counter(uneven.assign(f"c{n}").name for n in range(4000))["b"] / 4000 - 0.10) < 0.02
    other = experiment(experiment_id="exp_2")
    assert [running.assign(f"c{n}").name for n in range(50)] != [other.assign(f"c{n}").name for n in range(50)], (
        "independent per experiment"
    )


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ([{"name": "control", "weight": 50}, {"name": "b", "weight": 40, "min_confidence": 0.4}], "add up to 100"),
        ([{"name": "control", "weight": 50, "min_confidence": 0.4}, {"name": "b", "weight": 50}], "the control"),
        ([{"name": "a", "weight": 50}, {"name": "a", "weight": 50, "min_confidence": 0.4}], "unique"),
    ],
)
def test_a_draft_that_cannot_be_compared_is_refused(variants: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExperimentDraft.model_validate({"name": "x", "variants": variants})


def test_wilson_intervals_hold_the_share_and_narrow_with_more_data() -> None:
    small, large = wilson(30, 60, MIN_MESSAGES), wilson(500, 1000, MIN_MESSAGES)
    assert small.low < 0.5 < small.high and large.low < 0.5 < large.high  # type: ignore[operator]
    assert (large.high - large.low) < (small.high - small.low) / 3  # type: ignore[operator]
    assert not small.enough_data and large.enough_data
    assert wilson(0, 0, 1).value is None


def message(customer: str, variant: str, bot: bool, minutes: float, conversation: str | None = None) -> Fact:
    return Fact(
        kind="message",
        fact_id=f"m-{customer}-{minutes}",
        brand_id=BRAND,
        at=START + timedelta(minutes=minutes),
        customer_id=customer,
        conversation_id=conversation or f"conv-{customer}",
        handled_by="bot" if bot else "person",
        experiment_id="exp_1",
        variant=variant,
    )


def ticket_event(ticket: str, action: str, minutes: float, variant: str | None = None, **detail: str) -> Fact:
    return Fact(
        kind="ticket",
        fact_id=f"t-{ticket}-{action}-{minutes}",
        brand_id=BRAND,
        at=START + timedelta(minutes=minutes),
        ticket_id=ticket,
        action=action,
        detail=detail,
        experiment_id="exp_1" if variant else None,
        variant=variant,
    )


def test_results_compare_each_variant_with_the_control_once_there_is_enough_data() -> None:
    facts = [message(f"c{n}", "control", bot=n % 2 == 0, minutes=n) for n in range(300)]
    facts += [message(f"b{n}", "bolder", bot=n % 4 != 0, minutes=n) for n in range(300)]
    for n in range(40):
        variant = "control" if n % 2 else "bolder"
        facts += [ticket_event(f"t{n}", "created", n, variant), ticket_event(f"t{n}", "resolve", n + 5)]
        facts += [ticket_event(f"t{n}", "csat", n + 9, score="5" if variant == "bolder" else "3")]
        if n % 5 == 0:
            facts.append(ticket_event(f"t{n}", "reopen", n + 10))
    read = results(experiment(), facts, START, START + timedelta(days=1))
    control, bolder = read.variants
    assert read.enough_data and (control.messages, bolder.messages, control.customers) == (300, 300, 300)
    assert (control.containment.value, bolder.containment.value) == (0.5, 0.75)
    change = bolder.versus_control["containment"]
    assert change.difference == 0.25 and change.significant and change.low > 0
    assert bolder.handoffs.value == 0.25 and bolder.first_contact_resolution.n == 20
    assert (control.csat.value, bolder.csat.value, control.csat.n) == (3.0, 5.0, 20)
    assert not control.csat.enough_data and not bolder.versus_control["csat"].significant, "20 answers are not enough to read CSAT"


def test_results_say_when_there_is_not_enough_data_yet() -> None:
    facts = [message("c1", "control", True, 1), message("b1", "bolder", False, 2), message("b1", "bolder", True, 3, "conv-b1-2")]
    read = results(experiment(), facts, START, START + timedelta(hours=1))
    assert not read.enough_data and "not enough data yet" in read.note and "control 1" in read.note
    assert read.variants[1].repeat_contact.value == 1.0, "b1 came back within a week"


@dataclass
class Fakes:
    saved: dict[str, Experiment] = field(default_factory=dict)
    audited: list[tuple[Any, ...]] = field(default_factory=list)
    recorded: list[Fact] = field(default_factory=list)

    def put(self, experiment: Experiment) -> None:
        self.saved[experiment.experiment_id] = experiment

    def get(self, brand_id: str, experiment_id: str) -> Experiment | None:
        found = self.saved.get(experiment_id)
        return found if found and found.brand_id == brand_id else None

    def all(self, brand_id: str) -> list[Experiment]:
        return [e for e in self.saved.values() if e.brand_id == brand_id]

    def running(self, brand_id: str) -> Experiment | None:
        return next((e for e in self.all(brand_id) if e.status == "running"), None)

    def facts(self, brand_id: str, start: datetime, end: datetime) -> list[Fact]:
        return [f for f in self.recorded if start <= f.at < end]

    def record(self, *args: Any) -> None:
        self.audited.append(args)


def test_the_desk_runs_one_experiment_at_a_time_and_stopping_returns_everyone_to_the_control() -> None:
    fakes = Fakes()
    desk = ExperimentDesk(fakes, fakes, fakes, lambda: START)
    admin = Actor(id="boss", brand_id=BRAND, role=Role.ADMIN)
    started = desk.start(admin, DRAFT)
    assert started.status == "running" and started.brand_id == BRAND and fakes.running(BRAND) == started
    with pytest.raises(Conflict, match="stop it first"):
        desk.start(admin, DRAFT)
    stopped = desk.stop(admin, started.experiment_id)
    assert stopped.status == "stopped" and stopped.stopped_at == START and fakes.running(BRAND) is None
    assert [a[1:3] for a in fakes.audited] == [("change", f"experiment/{started.experiment_id}")] * 2
    assert desk.start(admin, DRAFT).experiment_id != started.experiment_id, "a new one may start after the stop"
    with pytest.raises(NotFound):
        desk.results("thread-lab", started.experiment_id)


def test_a_variant_words_answers_and_surveys_and_may_change_who_is_vip() -> None:
    from livedesk.value import ValueRules
    from tickets.service import SURVEY, Surveys

    variant = Variant(
        name="warm",
        weight=50,
        answer_template={"zh": "亲～{answer} 还有问题随时问我哦", "en": "{answer} Anything else?"},
        survey={"zh": "给我们打个分吧（1–5）", "en": "How did we do? 1–5"},
        value_rules=ValueRules(vip_level_min=2),
    )
    assert variant.worded("今晚下单48小时内发货。", "zh") == "亲～今晚下单48小时内发货。 还有问题随时问我哦"
    assert variant.worded("Ships in 48 hours.", "fr") == "Ships in 48 hours.", "no template for the language: as it is"
    with pytest.raises(ValueError, match="exactly one"):
        Variant(name="bad", weight=50, answer_template={"zh": "没有占位符"})
    everyone_warm = experiment(variants=[Variant(name="control", weight=1), variant.model_copy(update={"weight": 99})])

    @dataclass
    class Running:
        found: Experiment | None

        def running(self, brand_id: str) -> Experiment | None:
            return self.found

    warm_customer = next(f"c{n}" for n in range(100) if everyone_warm.assign(f"c{n}").name == "warm")
    control_customer = next(f"c{n}" for n in range(1000) if everyone_warm.assign(f"c{n}").name == "control")
    surveys = Surveys(Running(everyone_warm))
    assert surveys.wording(BRAND, warm_customer, "en") == "How did we do? 1–5"
    assert surveys.wording(BRAND, control_customer, "en") == SURVEY["en"]
    assert Surveys(Running(None)).wording(BRAND, warm_customer, "zh") == SURVEY["zh"], "stopped: the control's wording"


def test_first_contact_resolution_is_the_kpis_own_definition() -> None:
    facts = [message("c1", "control", False, 1), message("b1", "bolder", False, 1)]
    for ticket, variant, extra in (("t1", "control", []), ("t2", "control", ["reply", "reply"]), ("t3", "control", ["transfer"])):
        facts += [ticket_event(ticket, "created", 1, variant), *[ticket_event(ticket, a, 2 + n) for n, a in enumerate(extra)]]
        facts.append(ticket_event(ticket, "resolve", 9))
    control = results(experiment(), facts, START, START + timedelta(days=1)).variants[0]
    assert (control.first_contact_resolution.value, control.first_contact_resolution.n) == (round(1 / 3, 4), 3)
