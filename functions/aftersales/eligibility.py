"""May this order line be returned or exchanged, and what are the customer's rights? Pure rules over
the order and the brand's return policy as it stood when the order was delivered."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from livedesk.knowledge.contract import SearchHit
from livedesk.supply.ports import Order
from livedesk.tickets.returns import ReturnKind, ReturnReason, ReturnRequest

LEGAL_MINIMUM_DAYS = 7  # China's no-questions-asked return right for online sales
# Earlier returns of the line that hold its money: refunded, exchanged, or still on their way.
HOLDING = frozenset({"requested", "pickup_scheduled", "inspecting", "refunded", "exchanged"})


@dataclass(frozen=True)
class ReturnPolicy:
    doc_id: str | None
    text: str
    no_reason_days: int
    quality_days: int

    @classmethod
    def from_hit(cls, hit: SearchHit | None) -> ReturnPolicy:
        """The policy's machine-readable terms, else the days its text states, else the legal minimum."""
        if hit is None:
            return cls(None, "", LEGAL_MINIMUM_DAYS, LEGAL_MINIMUM_DAYS)
        stated = [int(days) for days in re.findall(r"(\d+)\s*(?:天|days?)", hit.content)]
        no_reason = int(hit.terms.get("return_window_days") or (stated[0] if stated else LEGAL_MINIMUM_DAYS))
        quality = int(hit.terms.get("quality_window_days") or no_reason)
        return cls(hit.doc_id, hit.content, max(no_reason, LEGAL_MINIMUM_DAYS), max(quality, no_reason))


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    window_days: int
    deadline: datetime | None
    refund_amount: float


def check(
    order: Order,
    customer_id: str,
    sku: str,
    reason: ReturnReason,
    policy: ReturnPolicy,
    now: datetime,
    earlier: Sequence[ReturnRequest] = (),
) -> Eligibility:
    """``earlier``: the line's other returns, from any ticket; refunds of a line never exceed what was paid for it."""
    lines = [line for line in order.lines if line.sku == sku]
    window = policy.no_reason_days if reason is ReturnReason.NO_REASON else policy.quality_days
    if order.customer_id != customer_id:
        return Eligibility(False, f"order {order.order_id} belongs to another customer", window, None, 0.0)
    if not lines:
        return Eligibility(False, f"{sku} is not in order {order.order_id}", window, None, 0.0)
    amount = round(sum(line.unit_price * line.quantity for line in lines), 2)
    if order.status == "cancelled":
        return Eligibility(False, f"order {order.order_id} was cancelled", window, None, 0.0)
    if order.delivered_at is None:
        return Eligibility(False, f"order {order.order_id} has not been delivered yet", window, None, amount)
    deadline = order.delivered_at + timedelta(days=window)
    if now > deadline:
        return Eligibility(False, f"the {window}-day window ended on {deadline.date().isoformat()}", window, deadline, amount)
    holding = [r for r in earlier if r.status in HOLDING]
    left = round(amount - sum(amount if r.kind is ReturnKind.EXCHANGE else (r.refund_amount or 0.0) for r in holding), 2)
    if holding and left <= 0:
        named = ", ".join(r.return_id for r in holding)
        return Eligibility(False, f"this order line is already returned or refunded ({named})", window, deadline, 0.0)
    return Eligibility(True, f"within the {window}-day window", window, deadline, left)
