"""Return eligibility: the window of the policy in force at delivery, the customer's own order line."""

from datetime import UTC, datetime, timedelta

from aftersales.eligibility import LEGAL_MINIMUM_DAYS, ReturnPolicy, check
from livedesk.knowledge.contract import SearchHit
from livedesk.knowledge.kinds import Kind
from livedesk.supply.ports import Order, OrderLine
from livedesk.tickets.returns import ReturnKind, ReturnReason, ReturnRequest

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
POLICY = ReturnPolicy("pol-1", "签收后15天内支持无理由退货", no_reason_days=15, quality_days=30)


def _order(delivered_days_ago: float | None, status: str = "delivered") -> Order:
    delivered = NOW - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
    return Order(
        order_id="o1",
        customer_id="c1",
        status=status,  # type: ignore[arg-type]
        lines=[OrderLine(sku="S1", name="serum", quantity=2, unit_price=199)],
        amount=398,
        paid_at=NOW - timedelta(days=30),
        delivered_at=delivered,
    )


def test_within_the_window_the_line_is_returnable_for_its_price() -> None:
    verdict = check(_order(10), "c1", "S1", ReturnReason.NO_REASON, POLICY, NOW)
    assert (verdict.eligible, verdict.window_days, verdict.refund_amount) == (True, 15, 398)
    assert verdict.deadline == NOW + timedelta(days=5)


def test_quality_problems_have_their_own_longer_window() -> None:
    assert not check(_order(20), "c1", "S1", ReturnReason.NO_REASON, POLICY, NOW).eligible
    assert check(_order(20), "c1", "S1", ReturnReason.QUALITY, POLICY, NOW).eligible


def test_what_cannot_be_returned_says_why() -> None:
    reasons = {
        "another customer": check(_order(1), "c2", "S1", ReturnReason.NO_REASON, POLICY, NOW).reason,
        "not in the order": check(_order(1), "c1", "S9", ReturnReason.NO_REASON, POLICY, NOW).reason,
        "not delivered": check(_order(None, "shipped"), "c1", "S1", ReturnReason.NO_REASON, POLICY, NOW).reason,
        "window": check(_order(16), "c1", "S1", ReturnReason.NO_REASON, POLICY, NOW).reason,
    }
    assert "belongs to another customer" in reasons["another customer"]
    assert reasons["not in the order"] == "S9 is not in order o1"
    assert "has not been delivered" in reasons["not delivered"]
    assert reasons["window"].startswith("the 15-day window ended on")


def test_the_policy_comes_from_its_terms_else_its_text_and_never_below_the_legal_minimum() -> None:
    def hit(content: str, terms: dict[str, float]) -> SearchHit:
        return SearchHit(
            doc_id="p", kind=Kind.POLICY, content=content, matched=content, score=0, similarity=0.9, source="s", version=1, terms=terms
        )

    assert ReturnPolicy.from_hit(hit("…", {"return_window_days": 15, "quality_window_days": 90})).quality_days == 90
    assert ReturnPolicy.from_hit(hit("签收后10天内可无理由退货", {})).no_reason_days == 10
    assert ReturnPolicy.from_hit(hit("3 days to change your mind", {})).no_reason_days == LEGAL_MINIMUM_DAYS
    assert ReturnPolicy.from_hit(None).no_reason_days == LEGAL_MINIMUM_DAYS


def _earlier(status: str, refund: float, kind: ReturnKind = ReturnKind.RETURN) -> ReturnRequest:
    return ReturnRequest(
        return_id=f"ret_{status}",
        ticket_id="t-other",
        order_id="o1",
        sku="S1",
        kind=kind,
        reason=ReturnReason.NO_REASON,
        status=status,  # type: ignore[arg-type]
        created_at=NOW - timedelta(days=1),
        refund_amount=refund,
    )


def test_an_order_line_is_never_refunded_beyond_what_was_paid_whichever_ticket_asks() -> None:
    refunded = check(_order(3), "c1", "S1", ReturnReason.NO_REASON, POLICY, NOW, [_earlier("refunded", 398)])
    assert (refunded.eligible, refunded.refund_amount) == (False, 0.0) and "ret_refunded" in refunded.reason
    on_its_way = check(_order(3), "c1", "S1", ReturnReason.QUALITY, POLICY, NOW, [_earlier("inspecting", 398)])
    assert not on_its_way.eligible, "a return still being worked holds the money too"
    exchanged = check(_order(3), "c1", "S1", ReturnReason.QUALITY, POLICY, NOW, [_earlier("exchanged", 0, ReturnKind.EXCHANGE)])
    assert not exchanged.eligible
    partly = check(_order(3), "c1", "S1", ReturnReason.QUALITY, POLICY, NOW, [_earlier("refunded", 199)])
    assert (partly.eligible, partly.refund_amount) == (True, 199)
    failed = check(
        _order(3), "c1", "S1", ReturnReason.QUALITY, POLICY, NOW, [_earlier("inspection_failed", 398), _earlier("ineligible", 0)]
    )
    assert (failed.eligible, failed.refund_amount) == (True, 398), "returns that paid nothing leave the line whole"
