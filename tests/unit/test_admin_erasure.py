"""Erasure and the retention sweep (functions/admin/service.py) on in-memory stores: each store
forgets its own part of one customer of one brand, tickets are anonymised once, and the audit log
says what was done."""

from __future__ import annotations

from datetime import timedelta

from admin.service import Erasure, Retention, Stores
from livedesk.conversations.store import ErasedConversations
from livedesk.identity import Actor, Role
from livedesk.models import TicketEvent
from livedesk.pii import ERASED
from tests.factories import NOW, a_ticket
from tests.fakes import FakeTickets

ADA = Actor("ada", "lumi", Role.ADMIN)


class Conversations:
    """Messages by (brand, customer): (message id, author, live session, ticket)."""

    def __init__(self) -> None:
        self.messages = {
            ("lumi", "u1"): [("m1", "customer", "live-1", "t1"), ("m2", "bot", "live-1", None), ("m3", "customer", None, "t2")],
            ("lumi", "u2"): [("m9", "customer", None, "t9")],
            ("oak", "u1"): [("o1", "customer", None, None)],
        }

    def erase_customer(self, brand_id: str, customer_id: str) -> ErasedConversations:
        found = self.messages.pop((brand_id, customer_id), [])
        return ErasedConversations(
            conversations=1 if found else 0,
            messages=len(found),
            ticket_ids=frozenset(ticket for *_, ticket in found if ticket),
            customer_messages=frozenset(message for message, author, *_ in found if author == "customer"),
            live_messages=tuple((session, message) for message, _, session, _ in found if session),
        )


class Inbound:
    def __init__(self) -> None:
        legacy = ("lumi", "", "m3")  # written before records had the customer index: found by its message
        self.records = {("lumi", "u1", "m1"), ("lumi", "u1", "noise"), legacy, ("lumi", "u2", "m9"), ("oak", "u1", "o1")}
        self.asked: list[frozenset[str]] = []

    def erase_customer(self, brand_id: str, customer_id: str, message_ids: frozenset[str] = frozenset()) -> int:
        self.asked.append(message_ids)
        gone = {r for r in self.records if r[0] == brand_id and (r[1] == customer_id or r[2] in message_ids)}
        self.records -= gone
        return len(gone)


class Clusters:
    def __init__(self) -> None:
        self.members = {("lumi", "live-1"): {"m1", "m2", "other"}}

    def forget_message(self, brand_id: str, live_session_id: str, message_id: str) -> int:
        members = self.members.get((brand_id, live_session_id), set())
        if message_id not in members:
            return 0
        members.discard(message_id)
        return 1


class Customers:
    def __init__(self) -> None:
        self.profiles = {("lumi", "u1"): "t3", ("lumi", "u2"): None}

    def erase(self, brand_id: str, customer_id: str) -> tuple[bool, set[str]]:
        if (brand_id, customer_id) not in self.profiles:
            return False, set()
        open_ticket = self.profiles.pop((brand_id, customer_id))
        return True, {open_ticket} if open_ticket else set()


class Facts:
    def __init__(self) -> None:
        self.owners = {"f1": ("lumi", "u1"), "f2": ("lumi", "u1"), "f3": ("oak", "u1")}

    def anonymise_customer(self, brand_id: str, customer_id: str, pseudonym: str) -> int:
        mine = [fact for fact, owner in self.owners.items() if owner == (brand_id, customer_id)]
        self.owners.update(dict.fromkeys(mine, (brand_id, pseudonym)))
        return len(mine)


class Gaps:
    def erase_customer(self, brand_id: str, customer_id: str) -> int:
        return 1 if (brand_id, customer_id) == ("lumi", "u1") else 0


class Audit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, dict[str, str] | None]] = []

    def record(self, actor: Actor, action: str, target: str, detail: dict[str, str] | None = None) -> None:
        self.entries.append((action, target, detail))


def _world() -> tuple[Stores, FakeTickets, Audit]:
    tickets = FakeTickets(
        *(("lumi", a_ticket(ticket_id=t, customer_id="u1")) for t in ("t1", "t2", "t3")), ("lumi", a_ticket(ticket_id="t9"))
    )
    tickets.append("lumi", "t1", TicketEvent(at=NOW, actor="amy", action="reply", detail={"text": "您的电话13812345678已登记"}), "e1")
    tickets.append("lumi", "t1", TicketEvent(at=NOW, actor="amy", action="claim"), "e2")
    stores = Stores(Inbound(), Conversations(), Clusters(), Customers(), tickets, Facts(), Gaps())  # type: ignore[arg-type]
    return stores, tickets, Audit()


def test_erasure_asks_every_store_for_one_customer_of_one_brand_and_reports_it() -> None:
    stores, tickets, audit = _world()
    report = Erasure(stores, audit, lambda: NOW).erase(ADA, "u1")  # type: ignore[arg-type]
    assert (report.conversations_deleted, report.messages_deleted, report.live_clusters_updated) == (1, 3, 2)
    assert report.inbound_records_deleted == 3, "what was indexed by customer, and what the customer wrote in a conversation"
    assert stores.inbound.asked == [frozenset({"m1", "m3"})]  # type: ignore[attr-defined]
    assert stores.inbound.records == {("lumi", "u2", "m9"), ("oak", "u1", "o1")}  # type: ignore[attr-defined]
    assert stores.clusters.members[("lumi", "live-1")] == {"other"}  # type: ignore[attr-defined]
    assert (report.profile_deleted, report.tickets_anonymised, report.history_events_redacted) == (True, 3, 1)
    assert {t.customer_id for (_, tid), t in tickets.tickets.items() if tid != "t9"} == {report.pseudonym}
    assert tickets.head("lumi", "t9").customer_id == "u1", "another customer's ticket is untouched"  # type: ignore[union-attr]
    assert tickets.history("lumi", "t1")[0].detail == {"text": ERASED}
    assert (report.facts_anonymised, report.knowledge_gaps_deleted) == (2, 1)
    assert stores.facts.owners["f3"] == ("oak", "u1"), "the same customer id in another brand is another customer"  # type: ignore[attr-defined]
    ((action, target, detail),) = audit.entries
    assert (action, target) == ("erase", "customer/u1") and detail is not None and detail["tickets_anonymised"] == "3"


def test_erasing_a_customer_twice_finds_nothing_the_second_time() -> None:
    stores, _, audit = _world()
    erasure = Erasure(stores, audit, lambda: NOW)  # type: ignore[arg-type]
    erasure.erase(ADA, "u1")
    again = erasure.erase(ADA, "u1")
    assert (again.conversations_deleted, again.inbound_records_deleted, again.profile_deleted, again.tickets_anonymised) == (0, 0, False, 0)
    assert len(audit.entries) == 2, "each request is audited"


def test_the_retention_sweep_anonymises_old_tickets_once() -> None:
    tickets = FakeTickets(("lumi", a_ticket(ticket_id="old", created_at=NOW - timedelta(days=400))), ("oak", a_ticket(ticket_id="new")))
    sweep = Retention(tickets, timedelta(days=365), lambda: NOW)  # type: ignore[arg-type]
    first, second = sweep.sweep(), sweep.sweep()
    assert (first.tickets_anonymised, second.tickets_anonymised) == (1, 0)
    assert tickets.head("lumi", "old").customer_id == "anonymised" and tickets.head("oak", "new").customer_id == "u1"  # type: ignore[union-attr]
    assert first.cutoff == NOW - timedelta(days=365)
