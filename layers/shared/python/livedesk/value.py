"""Customer value: a profile's numbers become a value tier and a service lane, by configurable rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import ConfigDict, Field

from livedesk.modelbase import Model
from livedesk.models import ValueLane


class ValueTier(StrEnum):
    VIP = "vip"
    HIGH = "high"
    NORMAL = "normal"
    NEW = "new"


class CustomerValue(Model):
    """What the brand knows of a customer (CRM/ERP fields; all optional for unknown customers)."""

    lifetime_spend: float = 0.0
    order_count: int = 0
    vip_level: int = 0
    member_since: date | None = None
    current_order_value: float = 0.0
    recent_contacts: list[datetime] = Field(default_factory=list)


class ValueRules(Model):
    """Tier thresholds; a deployment overrides them with the VALUE_RULES environment variable (JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vip_level_min: int = 3
    vip_lifetime_spend: float = 20_000
    high_lifetime_spend: float = 3_000
    high_order_count: int = 10
    high_current_order_value: float = 2_000
    new_member_days: int = 30
    new_max_orders: int = 1
    repeat_contact_window_days: int = 7
    repeat_contact_min: int = 3
    vip_lane_tiers: frozenset[ValueTier] = frozenset({ValueTier.VIP})


class ValueAssessment(Model):
    tier: ValueTier
    lane: ValueLane
    contacts_in_window: int
    repeated_contact: bool
    reasons: list[str]


def assess_value(value: CustomerValue, now: datetime, rules: ValueRules = ValueRules()) -> ValueAssessment:
    reasons: list[str] = []
    if value.vip_level >= rules.vip_level_min or value.lifetime_spend >= rules.vip_lifetime_spend:
        tier = ValueTier.VIP
        reasons.append(f"VIP (level {value.vip_level}, lifetime spend {value.lifetime_spend:.0f})")
    elif (
        value.lifetime_spend >= rules.high_lifetime_spend
        or value.order_count >= rules.high_order_count
        or value.current_order_value >= rules.high_current_order_value
    ):
        tier = ValueTier.HIGH
        reasons.append(f"high value ({value.order_count} orders, current order {value.current_order_value:.0f})")
    elif value.order_count <= rules.new_max_orders and (
        value.member_since is None or (now.date() - value.member_since).days <= rules.new_member_days
    ):
        tier = ValueTier.NEW
        reasons.append("new customer")
    else:
        tier = ValueTier.NORMAL
    since = now - timedelta(days=rules.repeat_contact_window_days)
    contacts = sum(1 for moment in value.recent_contacts if moment >= since)
    repeated = contacts >= rules.repeat_contact_min
    if repeated:
        reasons.append(f"repeated contact ({contacts} in {rules.repeat_contact_window_days} days)")
    lane = ValueLane.VIP if tier in rules.vip_lane_tiers else ValueLane.NORMAL
    return ValueAssessment(tier=tier, lane=lane, contacts_in_window=contacts, repeated_contact=repeated, reasons=reasons)
