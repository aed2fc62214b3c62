from datetime import UTC, date, datetime, timedelta

from livedesk.models import ValueLane
from livedesk.value import CustomerValue, ValueRules, ValueTier, assess_value

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_tiers_by_the_default_rules() -> None:
    assert assess_value(CustomerValue(vip_level=3), NOW).tier is ValueTier.VIP
    assert assess_value(CustomerValue(lifetime_spend=25_000, order_count=30), NOW).tier is ValueTier.VIP
    assert assess_value(CustomerValue(order_count=12, member_since=date(2022, 1, 1)), NOW).tier is ValueTier.HIGH
    assert assess_value(CustomerValue(order_count=1, current_order_value=2_500), NOW).tier is ValueTier.HIGH
    assert assess_value(CustomerValue(order_count=1, member_since=date(2026, 11, 1)), NOW).tier is ValueTier.NEW
    assert assess_value(CustomerValue(), NOW).tier is ValueTier.NEW
    assert assess_value(CustomerValue(order_count=4, member_since=date(2023, 1, 1)), NOW).tier is ValueTier.NORMAL


def test_only_vips_get_the_vip_lane_unless_configured() -> None:
    high = CustomerValue(order_count=12, member_since=date(2022, 1, 1))
    assert assess_value(high, NOW).lane is ValueLane.NORMAL
    rules = ValueRules.model_validate_json('{"vip_lane_tiers": ["vip", "high"], "vip_level_min": 5}')
    assert assess_value(high, NOW, rules).lane is ValueLane.VIP
    assert assess_value(CustomerValue(vip_level=3), NOW, rules).tier is not ValueTier.VIP


def test_repeated_contacts_count_within_the_window() -> None:
    recent = [NOW - timedelta(days=d) for d in (0.5, 2, 6, 9, 30)]
    assessment = assess_value(CustomerValue(recent_contacts=recent), NOW)
    assert assessment.contacts_in_window == 3
    assert assessment.repeated_contact
    assert not assess_value(CustomerValue(recent_contacts=recent[:2]), NOW).repeated_contact
