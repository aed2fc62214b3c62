"""Each alert level fires on its rule, and only then."""

from datetime import UTC, datetime, timedelta

from livedesk.analytics.alerts import AlertRules, Level, Signals, evaluate

NOW = datetime(2026, 11, 24, 21, 10, tzinfo=UTC)
RULES = AlertRules.load()


def signals(**changes: object) -> Signals:
    hours = [NOW.replace(minute=0) - timedelta(hours=h) for h in (4, 3, 2, 1, 0)]
    calm = Signals(
        now=NOW,
        hourly_volume=[(h, 100, 100.0) for h in hours],
        recent_messages=100,
        recent_intent_confidence=0.9,
        recent_bot_containment=0.6,
        dlq_depths={"inbound-dlq": 0},
        p1_breaches=[],
        function_errors={"routing": 0},
    )
    return calm.model_copy(update=changes)


def fired(s: Signals) -> set[tuple[Level, str]]:
    return {(a.level, a.rule) for a in evaluate(RULES, s)}


def test_a_calm_desk_raises_nothing() -> None:
    assert fired(signals()) == set()


def test_yellow_after_three_hours_over_the_forecast() -> None:
    hours = [NOW.replace(minute=0) - timedelta(hours=h) for h in (3, 2, 1, 0)]
    over = [(hours[0], 115, 100.0), (hours[1], 112, 100.0), (hours[2], 120, 100.0), (hours[3], 5, 100.0)]
    assert fired(signals(hourly_volume=over)) == {(Level.YELLOW, "volume_over_forecast")}
    two_of_three = [(hours[0], 100, 100.0), (hours[1], 112, 100.0), (hours[2], 120, 100.0)]
    assert fired(signals(hourly_volume=two_of_three)) == set(), "the current hour is not yet an interval"


def test_orange_when_understanding_or_containment_drops_but_not_on_a_trickle() -> None:
    assert fired(signals(recent_intent_confidence=0.55)) == {(Level.ORANGE, "intent_confidence")}
    assert fired(signals(recent_bot_containment=0.1)) == {(Level.ORANGE, "bot_containment")}
    assert fired(signals(recent_bot_containment=0.1, recent_messages=5)) == set()


def test_red_for_a_dead_letter_a_p1_breach_or_an_error_spike() -> None:
    alerts = evaluate(RULES, signals(dlq_depths={"inbound-dlq": 2}, p1_breaches=["tkt_1"], function_errors={"routing": 7}))
    assert {(a.level, a.rule) for a in alerts} == {(Level.RED, "dlq_not_empty"), (Level.RED, "p1_breach"), (Level.RED, "error_spike")}
    assert all(a.key for a in alerts) and len({a.key for a in alerts}) == 3


def test_thresholds_come_from_configuration() -> None:
    strict = AlertRules.load(RULES.model_copy(update={"red": RULES.red.model_copy(update={"function_errors": 1})}).model_dump_json())
    assert {(a.level, a.rule) for a in evaluate(strict, signals(function_errors={"routing": 1}))} == {(Level.RED, "error_spike")}
