"""In-memory stand-ins for the stores a function's service uses, keeping the same contracts
(idempotent appends, optimistic versions, once-only notices), so services are unit-tested without AWS.
The moto integration and e2e suites prove the real stores keep the same promises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from livedesk.analytics.alerts import Alert
from livedesk.analytics.facts import Fact
from livedesk.errors import NotFound
from livedesk.knowledge.contract import SearchHit, SearchRequest, SearchResult
from livedesk.models import ConversationMessage, Ticket, TicketEvent
from livedesk.pii import ERASED
from livedesk.supply.ports import Coupon, Order, Refund, Shipment, TransientSupplyError
from livedesk.tickets.lifecycle import OPEN, Change, InvalidTransition
from livedesk.tickets.repository import HISTORY_TEXT, VersionConflict
from livedesk.tickets.returns import ReturnRequest
from tests.factories import NOW


class FakeTickets:
    """TicketRepository's reads, updates and history, per brand."""

    def __init__(self, *tickets: tuple[str, Ticket]) -> None:
        self.tickets: dict[tuple[str, str], Ticket] = {(brand, t.ticket_id): t for brand, t in tickets}
        self.events: dict[tuple[str, str], dict[str, TicketEvent]] = {}
        self.anonymised: set[tuple[str, str]] = set()

    def head(self, brand_id: str, ticket_id: str) -> Ticket | None:
        return self.tickets.get((brand_id, ticket_id))

    def history(self, brand_id: str, ticket_id: str) -> list[TicketEvent]:
        return sorted(self.events.get((brand_id, ticket_id), {}).values(), key=lambda event: event.at)

    def get(self, brand_id: str, ticket_id: str) -> tuple[Ticket, list[TicketEvent]] | None:
        ticket = self.head(brand_id, ticket_id)
        return None if ticket is None else (ticket, self.history(brand_id, ticket_id))

    def append(self, brand_id: str, ticket_id: str, event: TicketEvent, event_id: str) -> bool:
        written = self.events.setdefault((brand_id, ticket_id), {})
        if event_id in written:
            return False
        written[event_id] = event
        return True

    def save(self, brand_id: str, before: Ticket, change: Change) -> None:
        current = self.tickets.get((brand_id, before.ticket_id))
        if current is None or current.version != before.version:
            raise VersionConflict(before.ticket_id)
        self.tickets[(brand_id, before.ticket_id)] = change.ticket
        for n, event in enumerate(change.events):
            self.append(brand_id, before.ticket_id, event, f"{event.at.isoformat()}#{change.ticket.version}#{n}")

    def update(self, brand_id: str, ticket_id: str, change: Callable[[Ticket], Change | None]) -> Ticket:
        before = self.head(brand_id, ticket_id)
        if before is None:
            raise KeyError(f"ticket {ticket_id} not found")
        changed = change(before)
        if changed is None:
            return before
        self.save(brand_id, before, changed)
        return changed.ticket

    def save_items(self, brand_id: str, before: Ticket, change: Change) -> list[Any]:
        """A change as one transaction item, as the real store hands them out for ``commit``."""
        return [("ticket", brand_id, before, change)]

    def commit(self, items: list[Any]) -> None:
        """All or nothing: every ticket still at the version it was read at, then every write."""
        for item in items:
            if item[0] == "ticket":
                _, brand_id, before, _ = item
                current = self.tickets.get((brand_id, before.ticket_id))
                if current is None or current.version != before.version:
                    raise VersionConflict(before.ticket_id)
        for item in items:
            if item[0] == "ticket":
                self.save(item[1], item[2], item[3])
            else:
                item[1]()

    def queue(self, brand_id: str, skill: str, limit: int = 50) -> list[Ticket]:
        open_ = [t for (brand, _), t in self.tickets.items() if brand == brand_id and t.skill == skill and t.status in OPEN]
        due = lambda t: t.resolution_due if t.first_responded_at else t.first_response_due  # noqa: E731
        return sorted(open_, key=lambda t: (t.priority, due(t)))[:limit]

    def actions(self, brand_id: str, ticket_id: str) -> list[str]:
        return [event.action for event in self.history(brand_id, ticket_id)]

    def anonymise(self, brand_id: str, ticket_id: str, pseudonym: str, at: datetime) -> int | None:
        ticket = self.head(brand_id, ticket_id)
        if ticket is None:
            return None
        self.tickets[(brand_id, ticket_id)] = ticket.model_copy(update={"customer_id": pseudonym})
        self.anonymised.add((brand_id, ticket_id))
        events = self.events.get((brand_id, ticket_id), {})
        worded = [key for key, event in events.items() if any(event.detail.get(name) not in (None, ERASED) for name in HISTORY_TEXT)]
        for key in worded:
            events[key] = events[key].model_copy(
                update={"detail": {k: ERASED if k in HISTORY_TEXT else v for k, v in events[key].detail.items()}}
            )
        return len(worded)

    def created_before(self, cutoff: datetime) -> list[tuple[str, str]]:
        old = [(brand, t.ticket_id) for (brand, _), t in self.tickets.items() if t.created_at < cutoff]
        return [ticket for ticket in old if ticket not in self.anonymised]


class FakeTaskTokens:
    """TaskTokens: the Step Functions tokens waiting on a person, first claim wins."""

    def __init__(self) -> None:
        self.waiting: dict[tuple[str, str, str], dict[str, Any]] = {}

    def put(self, brand_id: str, ticket_id: str, kind: str, token: str, detail: dict[str, Any]) -> str | None:
        found = self.waiting.get((brand_id, ticket_id, kind), {})
        if "answered_by" in found:
            return str(found["answered_by"])
        self.waiting[(brand_id, ticket_id, kind)] = {"token": token, **detail}
        return None

    def answer_ahead(self, brand_id: str, ticket_id: str, kind: str, by: str) -> bool:
        if "token" in self.waiting.get((brand_id, ticket_id, kind), {}):
            return False
        self.waiting[(brand_id, ticket_id, kind)] = {"answered_by": by}
        return True

    def peek(self, brand_id: str, ticket_id: str, kind: str) -> dict[str, Any] | None:
        found = self.waiting.get((brand_id, ticket_id, kind))
        return None if found is None or "token" not in found else {k: v for k, v in found.items() if k != "token"}

    def take(self, brand_id: str, ticket_id: str, kind: str) -> str | None:
        if "token" not in self.waiting.get((brand_id, ticket_id, kind), {}):
            return None
        return str(self.waiting.pop((brand_id, ticket_id, kind))["token"])

    def claim(self, brand_id: str, ticket_id: str, kind: str, by: str) -> str | None:
        found = self.waiting.get((brand_id, ticket_id, kind))
        if found is None or "token" not in found or found.get("claimed_by", by) != by:
            return None
        found["claimed_by"] = by
        return str(found["token"])

    def discard(self, brand_id: str, ticket_id: str, kind: str) -> None:
        self.waiting.pop((brand_id, ticket_id, kind), None)

    def open_among(self, brand_id: str, ticket_ids: list[str], kind: str) -> set[str]:
        return {ticket_id for ticket_id in ticket_ids if "token" in self.waiting.get((brand_id, ticket_id, kind), {})}


class FakeConversations:
    """ConversationRepository's once-only notices (a workflow step's message to the customer)."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, str], list[ConversationMessage]] = {}
        self._ids: set[str] = set()

    def notify_once(self, brand_id: str, conversation_id: str, notice: ConversationMessage) -> bool:
        if notice.message_id in self._ids:
            return False
        self._ids.add(notice.message_id)
        self.sent.setdefault((brand_id, conversation_id), []).append(notice)
        return True

    def reply_put(self, brand_id: str, conversation_id: str, reply: ConversationMessage) -> Any:
        """A reply as a transaction item: written when the ticket change it belongs to commits."""
        return ("call", lambda: self.sent.setdefault((brand_id, conversation_id), []).append(reply))


class FakeWorkflows:
    """Step Functions by workflow name: starts idempotent by name, task tokens answered once."""

    def __init__(self, expired: frozenset[str] = frozenset()) -> None:
        self.started: dict[str, dict[str, Any]] = {}
        self.answered: dict[str, dict[str, Any]] = {}
        self._expired = expired

    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        arn = f"arn:aws:states:us-east-1:1:execution:{workflow}:{name}"
        self.started.setdefault(arn, payload)
        return arn

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        if token in self._expired or token in self.answered:
            raise InvalidTransition("the workflow stopped waiting for this (its time ran out)")
        self.answered[token] = output


class FakeCoupons:
    """The coupon port: one coupon per idempotency key."""

    def __init__(self) -> None:
        self.issued: dict[str, Coupon] = {}

    def issue(self, brand_id: str, customer_id: str, amount: float, reason: str, idempotency_key: str) -> Coupon:
        if idempotency_key not in self.issued:
            self.issued[idempotency_key] = Coupon(
                coupon_id=f"cp-{len(self.issued) + 1}",
                customer_id=customer_id,
                amount=amount,
                valid_until=NOW + timedelta(days=30),
                idempotency_key=idempotency_key,
            )
        return self.issued[idempotency_key]


class FakeReturns:
    """ReturnRepository: requests by id and by order line."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str], ReturnRequest] = {}

    def create(self, brand_id: str, request: ReturnRequest) -> ReturnRequest:
        return self.requests.setdefault((brand_id, request.return_id), request)

    def get(self, brand_id: str, return_id: str) -> ReturnRequest | None:
        return self.requests.get((brand_id, return_id))

    def of_order_line(self, brand_id: str, order_id: str, sku: str) -> list[ReturnRequest]:
        return [r for (brand, _), r in self.requests.items() if brand == brand_id and (r.order_id, r.sku) == (order_id, sku)]

    def update(self, brand_id: str, return_id: str, **fields: Any) -> None:
        self.requests[(brand_id, return_id)] = self.requests[(brand_id, return_id)].model_copy(update=fields)


class FakeSupplyChain:
    """The supply-chain port's orders and after-sales actions, idempotent on their key.
    ``busy_refunds``: that many refund calls fail as a busy payment gateway does."""

    def __init__(self, *orders: tuple[str, Order], busy_refunds: int = 0) -> None:
        self.orders = {(brand, order.order_id): order for brand, order in orders}
        self.busy_refunds = busy_refunds
        self.refunds: dict[str, Refund] = {}
        self.shipments: dict[str, Shipment] = {}

    def order(self, brand_id: str, order_id: str) -> Order:
        if (brand_id, order_id) not in self.orders:
            raise NotFound(f"order {order_id}")
        return self.orders[(brand_id, order_id)]

    def return_pickup(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment:
        return self.shipments.setdefault(
            f"pickup-{idempotency_key}",
            Shipment(
                tracking_number=f"RT{len(self.shipments) + 1:04d}",
                carrier="SF Express",
                order_id=order.order_id,
                status="pickup_scheduled",
                label_url="https://labels.example.com/rt.pdf",
                pickup_window="09:00-18:00",
            ),
        )

    def ship_replacement(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment:
        return self.shipments.setdefault(
            f"replacement-{idempotency_key}",
            Shipment(
                tracking_number=f"RP{len(self.shipments) + 1:04d}",
                carrier="SF Express",
                order_id=order.order_id,
                status="created",
                eta=NOW + timedelta(days=2),
            ),
        )

    def refund(self, brand_id: str, order_id: str, amount: float, idempotency_key: str) -> Refund:
        if self.busy_refunds:
            self.busy_refunds -= 1
            raise TransientSupplyError("payment gateway busy, try again")
        return self.refunds.setdefault(
            idempotency_key,
            Refund(
                refund_id=f"RF{len(self.refunds) + 1:04d}",
                order_id=order_id,
                amount=amount,
                status="succeeded",
                idempotency_key=idempotency_key,
            ),
        )


class FakeKnowledge:
    """KnowledgeSource answering every lookup with the given hits (a brand's policies)."""

    def __init__(self, *hits: SearchHit) -> None:
        self.hits = list(hits)
        self.asked: list[SearchRequest] = []

    def lookup(self, brand_id: str, request: SearchRequest, record_gap: bool, **_: Any) -> SearchResult | None:
        self.asked.append(request)
        return SearchResult(hits=self.hits, answer=None, reason="fake", embedder="none")


class FakeAnalytics:
    """AnalyticsStore: facts once per id, hourly volume, forecasts, and alerts fired once per key."""

    def __init__(self) -> None:
        self.recorded: dict[str, Fact] = {}
        self.hourly: dict[tuple[str, datetime], int] = {}
        self.forecasts: dict[tuple[str, datetime], float] = {}
        self.fired: dict[str, list[Alert]] = {}

    def record(self, fact: Fact) -> bool:
        return self.recorded.setdefault(fact.fact_id, fact) is fact

    def facts(self, brand_id: str, start: datetime, end: datetime) -> list[Fact]:
        return sorted((f for f in self.recorded.values() if f.brand_id == brand_id and start <= f.at < end), key=lambda f: f.at)

    def brands(self) -> list[str]:
        return sorted({fact.brand_id for fact in self.recorded.values()})

    def volume(self, brand_id: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
        return sorted((hour, n) for (brand, hour), n in self.hourly.items() if brand == brand_id and start <= hour < end)

    def add_volume(self, brand_id: str, hour: datetime, messages: int) -> None:
        self.hourly[(brand_id, hour)] = self.hourly.get((brand_id, hour), 0) + messages

    def forecast_by_hour(self, brand_id: str, start: datetime, end: datetime) -> dict[datetime, float]:
        return {hour: n for (brand, hour), n in self.forecasts.items() if brand == brand_id and start <= hour < end}

    def fire(self, brand_id: str, alert: Alert) -> bool:
        fired = self.fired.setdefault(brand_id, [])
        if any(known.key == alert.key for known in fired):
            return False
        fired.append(alert)
        return True

    def alerts(self, brand_id: str, since: datetime) -> list[Alert]:
        return [alert for alert in self.fired.get(brand_id, []) if alert.at >= since]
