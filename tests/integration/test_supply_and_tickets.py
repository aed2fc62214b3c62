"""Supply-chain adapters and ticket storage on moto (and the HTTP adapter against a fake endpoint)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError

from livedesk.errors import NotFound
from livedesk.identity import Actor, Role
from livedesk.models import Channel, TicketEvent
from livedesk.supply.dynamo import DynamoSupplyChain
from livedesk.supply.http import HttpSupplyChain
from livedesk.supply.ports import CatalogItem, Lineup, Order, OrderLine, StockLevel, TransientSupplyError
from livedesk.tickets.lifecycle import Claim, Reply, apply
from livedesk.tickets.repository import TaskTokens, TicketRepository, VersionConflict
from tests.factories import a_ticket
from tests.integration.conftest import Aws

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ORDER = Order(
    order_id="DD1",
    customer_id="c1",
    status="delivered",
    lines=[OrderLine(sku="S1", name="serum", quantity=1, unit_price=199)],
    amount=199,
    paid_at=NOW - timedelta(days=4),
    delivered_at=NOW - timedelta(days=2),
)


class ThrottledOnce:
    """The supply table answering its first write as a throttled DynamoDB does, then as usual."""

    def __init__(self, table: Any) -> None:
        self._table, self.throttled = table, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def put_item(self, **request: Any) -> Any:
        if not self.throttled:
            self.throttled = True
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem")
        return self._table.put_item(**request)


def test_refunds_and_coupons_happen_once_per_key_and_a_throttled_refund_is_transient(aws: Aws) -> None:
    DynamoSupplyChain(aws.table("Supply"), clock=lambda: NOW).put_order("lumi", ORDER)
    supply = DynamoSupplyChain(ThrottledOnce(aws.table("Supply")), clock=lambda: NOW)
    with pytest.raises(TransientSupplyError):
        supply.refund("lumi", "DD1", 199, "ret-1")
    first, again = supply.refund("lumi", "DD1", 199, "ret-1"), supply.refund("lumi", "DD1", 199, "ret-1")
    assert first == again and [r.refund_id for r in supply.refunds_of("lumi", "DD1")] == [first.refund_id]
    assert supply.issue("lumi", "c1", 20, "recovery", "t1") == supply.issue("lumi", "c1", 20, "recovery", "t1")


def test_stock_and_replacements_and_no_brand_sees_another(aws: Aws) -> None:
    supply = DynamoSupplyChain(aws.table("Supply"), clock=lambda: NOW)
    supply.put_order("lumi", ORDER)
    supply.put_stock("lumi", "S1", StockLevel(warehouse="hz", available=1))
    shipped = supply.ship_replacement("lumi", ORDER, "S1", "ret-2")
    assert shipped == supply.ship_replacement("lumi", ORDER, "S1", "ret-2") and shipped.eta
    assert supply.stock("lumi", "S1").levels[0].available == 0, "one unit reserved, once"
    with pytest.raises(NotFound):
        supply.order("oak", "DD1")
    with pytest.raises(NotFound):
        supply.stock("lumi", "S404")


def test_a_live_sessions_cart_is_kept_per_brand_in_link_order(aws: Aws) -> None:
    supply = DynamoSupplyChain(aws.table("Supply"), clock=lambda: NOW)
    cart = Lineup(live_session_id="live-1", products=[CatalogItem(sku=sku, name=sku.lower(), category="c") for sku in ("S2", "S1")])
    supply.put_lineup("lumi", cart)
    assert supply.lineup("lumi", "live-1") == cart
    with pytest.raises(NotFound):
        supply.lineup("oak", "live-1")


class FakeErp(BaseHTTPRequestHandler):
    """Answers like a brand's ERP: orders, a busy payment gateway, and records what it was sent."""

    seen: ClassVar[list[tuple[str, str, dict[str, str], Any]]] = []

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        FakeErp.seen.append(("GET", self.path, dict(self.headers), None))
        if self.path == "/orders/DD1":
            self._reply(200, ORDER.model_dump(mode="json"))
        elif self.path == "/live-sessions/live-1/lineup":
            self._reply(200, {"live_session_id": "live-1", "products": [{"sku": "S1", "name": "serum", "category": "skin"}]})
        else:
            self._reply(404, {"message": "no such order"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        FakeErp.seen.append(("POST", self.path, dict(self.headers), body))
        self._reply(503, {"message": "busy"})

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def erp() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeErp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_http_adapter_speaks_json_to_the_brands_endpoint(erp: str) -> None:
    supply = HttpSupplyChain(erp)
    assert supply.order("lumi", "DD1") == ORDER
    assert [item.sku for item in supply.lineup("lumi", "live-1").products] == ["S1"]
    with pytest.raises(NotFound):
        supply.order("lumi", "DD404")
    with pytest.raises(TransientSupplyError, match="503"):
        supply.refund("lumi", "DD1", 199, "ret-9")
    method, path, headers, body = FakeErp.seen[-1]
    assert (method, path, body) == ("POST", "/refunds", {"brand_id": "lumi", "order_id": "DD1", "amount": 199})
    assert headers["Idempotency-Key"] == "ret-9" and headers["X-Brand-Id"] == "lumi"


def test_changes_are_conditional_on_the_version_and_history_only_grows(aws: Aws) -> None:
    tickets = TicketRepository(aws.table("Tickets"), aws.table("TicketHistory"))
    tickets.create("lumi", a_ticket(channel=Channel.DM), TicketEvent(at=NOW, actor="routing", action="created"))
    amy = Actor("amy", "lumi", Role.AGENT, frozenset({"after_sale"}))
    before = tickets.head("lumi", "t1")
    assert before is not None
    tickets.save("lumi", before, apply(before, Claim(version=1), amy, NOW))
    with pytest.raises(VersionConflict):
        tickets.save("lumi", before, apply(before, Reply(version=1, text="hi"), amy, NOW))  # written from a stale read
    ticket, history = tickets.get("lumi", "t1")  # type: ignore[misc]
    assert (ticket.version, ticket.assignee, [e.action for e in history]) == (2, "amy", ["created", "claim"])
    assert tickets.append("lumi", "t1", TicketEvent(at=NOW, actor="sla", action="note"), "step-1")
    assert not tickets.append("lumi", "t1", TicketEvent(at=NOW, actor="sla", action="note"), "step-1"), "once per step"
    assert [t.ticket_id for t in tickets.queue("lumi", "after_sale")] == ["t1"] and tickets.queue("oak", "after_sale") == []


def test_a_task_token_is_taken_once(aws: Aws) -> None:
    tokens = TaskTokens(aws.table("Tickets"))
    tokens.put("lumi", "t1", "takeover", "token-123", {"level": 1})
    assert tokens.peek("lumi", "t1", "takeover") == {"level": 1}
    assert tokens.take("lumi", "t1", "takeover") == "token-123"
    assert tokens.take("lumi", "t1", "takeover") is None, "a second supervisor's click finds nothing"


def test_an_answer_left_ahead_is_found_by_the_next_wait_and_never_claimed_as_a_token(aws: Aws) -> None:
    tokens = TaskTokens(aws.table("Tickets"))
    tokens.put("lumi", "t3", "takeover", "token-1", {"level": 1})
    assert not tokens.answer_ahead("lumi", "t3", "takeover", "sue"), "a wait is open: answer that one"
    tokens.discard("lumi", "t3", "takeover")
    assert tokens.answer_ahead("lumi", "t3", "takeover", "sue")
    assert tokens.peek("lumi", "t3", "takeover") is None and tokens.open_among("lumi", ["t3"], "takeover") == set()
    assert tokens.claim("lumi", "t3", "takeover", "sue") is None and tokens.take("lumi", "t3", "takeover") is None
    assert tokens.put("lumi", "t3", "takeover", "token-2", {"level": 2}) == "sue", "the next level finds her answer"
    assert tokens.put("lumi", "t4", "takeover", "token-3", {"level": 1}) is None
    later = TaskTokens(aws.table("Tickets"), clock=lambda: datetime.now(UTC) + TaskTokens.ANSWER_AHEAD_FOR + timedelta(minutes=1))
    assert later.put("lumi", "t3", "takeover", "token-4", {"level": 1}) is None, "an old answer is not taken for a new offer"
    assert later.peek("lumi", "t3", "takeover") == {"level": 1}


def test_a_claimed_task_token_survives_a_failed_send_for_the_same_person_only(aws: Aws) -> None:
    tokens = TaskTokens(aws.table("Tickets"))
    tokens.put("lumi", "t2", "recovery", "token-456", {"csat": 1})
    assert tokens.claim("lumi", "t2", "recovery", "sue") == "token-456"
    assert tokens.claim("lumi", "t2", "recovery", "max") is None, "another manager's click finds it claimed"
    assert tokens.claim("lumi", "t2", "recovery", "sue") == "token-456", "sue's retry after a failed send claims it again"
    tokens.discard("lumi", "t2", "recovery")
    assert tokens.claim("lumi", "t2", "recovery", "sue") is None and tokens.peek("lumi", "t2", "recovery") is None


def test_open_waits_are_found_among_many_tickets_in_batches_and_per_brand(aws: Aws) -> None:
    tokens = TaskTokens(aws.table("Tickets"))
    for n in (3, 150, 199):
        tokens.put("lumi", f"t{n}", "takeover", f"token-{n}", {"level": 1})
    tokens.put("lumi", "t7", "recovery", "token-7", {"csat": 1})
    tokens.put("oak", "t8", "takeover", "token-8", {"level": 1})
    asked = [f"t{n}" for n in range(250)]  # three batch reads of at most 100 keys
    assert tokens.open_among("lumi", asked, "takeover") == {"t3", "t150", "t199"}
    assert tokens.open_among("oak", asked, "takeover") == {"t8"} and tokens.open_among("lumi", [], "takeover") == set()
