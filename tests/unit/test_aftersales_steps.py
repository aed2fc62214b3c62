"""The after-sales workflow's steps on in-memory stores and ports: eligibility from the policy in
force, pickup, inspection, refund and exchange, each once however often Step Functions runs it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aftersales.service import STEPS, AfterSalesSteps
from livedesk.knowledge.contract import SearchHit
from livedesk.knowledge.kinds import Kind
from livedesk.supply.ports import Order, OrderLine, TransientSupplyError
from livedesk.tickets.returns import ReturnKind, ReturnReason, ReturnRequest
from tests.factories import NOW, a_ticket
from tests.fakes import FakeConversations, FakeKnowledge, FakeReturns, FakeSupplyChain, FakeTaskTokens, FakeTickets

BRAND = "lumi"
POLICY = SearchHit(
    doc_id="policy-returns-2026-10",
    kind=Kind.POLICY,
    content="签收后15天内未拆封商品支持无理由退货",
    matched="退货",
    score=1.0,
    similarity=0.9,
    source="handbook",
    version=1,
    terms={"return_window_days": 15, "quality_window_days": 30},
)


def _desk(delivered_days_ago: int, kind: ReturnKind = ReturnKind.RETURN, busy_refunds: int = 0) -> tuple[AfterSalesSteps, dict[str, Any]]:
    order = Order(
        order_id="DD1",
        customer_id="u1",
        status="delivered",
        lines=[OrderLine(sku="LB-SERUM-30", name="精华", quantity=1, unit_price=199)],
        amount=199,
        paid_at=NOW - timedelta(days=delivered_days_ago + 2),
        delivered_at=NOW - timedelta(days=delivered_days_ago),
    )
    stores: dict[str, Any] = {
        "returns": FakeReturns(),
        "tickets": FakeTickets((BRAND, a_ticket())),
        "tokens": FakeTaskTokens(),
        "conversations": FakeConversations(),
        "supply": FakeSupplyChain((BRAND, order), busy_refunds=busy_refunds),
        "knowledge": FakeKnowledge(POLICY),
    }
    request = ReturnRequest(
        return_id="ret1", ticket_id="t1", order_id="DD1", sku="LB-SERUM-30", kind=kind, reason=ReturnReason.NO_REASON, created_at=NOW
    )
    stores["returns"].create(BRAND, request)
    return AfterSalesSteps(clock=lambda: NOW, **stores), stores


def _run(steps: AfterSalesSteps, **step: Any) -> dict[str, Any]:
    base = {"brand_id": BRAND, "ticket_id": "t1", "return_id": "ret1", "execution": "arn:aws:states:us-east-1:1:execution:after-sales:ret1"}
    return steps.run(STEPS.validate_python({**base, **step}))


def _told(stores: dict[str, Any]) -> list[str]:
    return [message.text for message in stores["conversations"].sent.get((BRAND, "c1"), [])]


def test_a_return_in_the_window_is_eligible_under_the_policy_then_picked_up_and_refunded_once() -> None:
    steps, stores = _desk(delivered_days_ago=3)
    assert _run(steps, task="eligibility") == {"eligible": True}
    assert _run(steps, task="eligibility") == {"eligible": True}  # a retried step
    request = stores["returns"].get(BRAND, "ret1")
    assert (request.status, request.refund_amount) == ("requested", 199)
    checked = stores["tickets"].history(BRAND, "t1")[0]
    assert checked.action == "return_checked" and checked.detail["policy"] == "policy-returns-2026-10"
    assert stores["knowledge"].asked[0].filters.on == (NOW - timedelta(days=3)).date(), "the policy in force on delivery"
    for step in ("pickup", "pickup", "refund", "refund"):
        _run(steps, task=step)
    request = stores["returns"].get(BRAND, "ret1")
    assert (request.status, request.pickup_tracking, request.refund_id) == ("refunded", "RT0001", "RF0001")
    assert len(stores["supply"].refunds) == 1, "paid once"
    assert stores["tickets"].actions(BRAND, "t1") == ["return_checked", "pickup_scheduled", "refunded"]
    assert len(_told(stores)) == 3 and "RT0001" in _told(stores)[1] and "RF0001" in _told(stores)[2]


def test_a_return_past_the_window_is_ineligible_with_the_reason_told_to_the_customer() -> None:
    steps, stores = _desk(delivered_days_ago=40)
    assert _run(steps, task="eligibility") == {"eligible": False}
    request = stores["returns"].get(BRAND, "ret1")
    assert request.status == "ineligible" and "15-day window ended" in request.eligibility
    assert "无法办理" in _told(stores)[0]


def test_a_busy_payment_gateway_fails_the_step_for_step_functions_to_retry_and_the_retry_pays_once() -> None:
    steps, stores = _desk(delivered_days_ago=3, busy_refunds=1)
    _run(steps, task="eligibility")
    with pytest.raises(TransientSupplyError):
        _run(steps, task="refund")
    _run(steps, task="refund")
    assert stores["returns"].get(BRAND, "ret1").status == "refunded" and len(stores["supply"].refunds) == 1


def test_an_inspection_waits_on_the_warehouse_and_a_failed_one_is_recorded_and_told() -> None:
    steps, stores = _desk(delivered_days_ago=3)
    _run(steps, task="await_inspection", token="token-i")
    assert stores["tokens"].peek(BRAND, "t1", "inspection#ret1") == {"return_id": "ret1"}
    assert stores["returns"].get(BRAND, "ret1").status == "inspecting"
    inspection = {"passed": False, "notes": "已拆封使用", "inspector": "wh-1"}
    _run(steps, task="inspection_failed", inspection=inspection)
    assert stores["returns"].get(BRAND, "ret1").status == "inspection_failed"
    assert stores["tickets"].actions(BRAND, "t1")[-1] == "inspection_failed" and "已拆封使用" in _told(stores)[-1]


def test_an_exchange_ships_one_replacement() -> None:
    steps, stores = _desk(delivered_days_ago=3, kind=ReturnKind.EXCHANGE)
    _run(steps, task="exchange")
    _run(steps, task="exchange")
    request = stores["returns"].get(BRAND, "ret1")
    assert (request.status, request.replacement_tracking) == ("exchanged", "RP0001") and len(stores["supply"].shipments) == 1
