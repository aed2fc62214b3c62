"""The steps of the after-sales workflow: eligibility, pickup, inspection, refund or replacement.
Each updates the return, appends to the ticket's history and tells the customer, once, however often
Step Functions runs it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from aftersales.eligibility import ReturnPolicy, check
from livedesk.conversations.store import ConversationRepository
from livedesk.knowledge.client import KnowledgeSource
from livedesk.knowledge.contract import SearchFilters, SearchRequest
from livedesk.knowledge.kinds import Kind
from livedesk.modelbase import Model
from livedesk.models import Ticket, TicketEvent
from livedesk.supply.ports import SupplyChain
from livedesk.tickets.notices import KIND, KIND_PAST, notice, to_customer
from livedesk.tickets.repository import TaskTokens, TicketRepository
from livedesk.tickets.returns import InspectionResult, ReturnRepository, ReturnRequest

POLICY_QUERY = "退货 无理由退货 退换货期限 return exchange policy window"
INSPECTION = "inspection"


class _Step(Model):
    brand_id: str
    ticket_id: str
    return_id: str
    execution: str


class CheckEligibility(_Step):
    task: Literal["eligibility"]


class SchedulePickup(_Step):
    task: Literal["pickup"]


class AwaitInspection(_Step):
    task: Literal["await_inspection"]
    token: str


class InspectionFailed(_Step):
    task: Literal["inspection_failed"]
    inspection: InspectionResult


class Refund(_Step):
    task: Literal["refund"]


class Exchange(_Step):
    task: Literal["exchange"]


AnyStep = CheckEligibility | SchedulePickup | AwaitInspection | InspectionFailed | Refund | Exchange
STEPS: TypeAdapter[AnyStep] = TypeAdapter(Annotated[AnyStep, Field(discriminator="task")])


class AfterSalesSteps:
    def __init__(
        self,
        returns: ReturnRepository,
        tickets: TicketRepository,
        tokens: TaskTokens,
        conversations: ConversationRepository,
        supply: SupplyChain,
        knowledge: KnowledgeSource,
        clock: Callable[[], datetime],
    ) -> None:
        self._returns = returns
        self._tickets = tickets
        self._tokens = tokens
        self._conversations = conversations
        self._supply = supply
        self._knowledge = knowledge
        self._clock = clock

    def run(self, step: AnyStep) -> dict[str, Any]:
        request, ticket = self._load(step)
        match step:
            case CheckEligibility():
                return {"eligible": self.check_eligibility(step, request, ticket)}
            case SchedulePickup():
                self.schedule_pickup(step, request, ticket)
            case AwaitInspection():
                self._tokens.put(step.brand_id, step.ticket_id, f"{INSPECTION}#{step.return_id}", step.token, {"return_id": step.return_id})
                self._returns.update(step.brand_id, step.return_id, status="inspecting")
                self._record(step, "awaiting_inspection", {"return_id": step.return_id})
            case InspectionFailed():
                self._returns.update(step.brand_id, step.return_id, status="inspection_failed", inspection=step.inspection)
                self._record(step, "inspection_failed", {"return_id": step.return_id, "notes": step.inspection.notes})
                self._tell(step, ticket, "inspection_failed", notice("return_inspection_failed", ticket.lang, notes=step.inspection.notes))
            case Refund():
                self.refund(step, request, ticket)
            case Exchange():
                self.exchange(step, request, ticket)
        return {"done": step.task}

    def check_eligibility(self, step: CheckEligibility, request: ReturnRequest, ticket: Ticket) -> bool:
        order = self._supply.order(step.brand_id, request.order_id)
        policy = self._policy(step.brand_id, order.delivered_at or self._clock())
        earlier = [r for r in self._returns.of_order_line(step.brand_id, request.order_id, request.sku) if r.return_id != request.return_id]
        verdict = check(order, ticket.customer_id, request.sku, request.reason, policy, self._clock(), earlier)
        self._returns.update(
            step.brand_id,
            step.return_id,
            status="requested" if verdict.eligible else "ineligible",
            eligibility=verdict.reason,
            refund_amount=verdict.refund_amount,
        )
        detail = {"return_id": step.return_id, "eligible": str(verdict.eligible).lower(), "reason": verdict.reason}
        if policy.doc_id:
            detail["policy"] = policy.doc_id
        self._record(step, "return_checked", detail)
        kind = KIND[ticket.lang if ticket.lang in KIND else "zh"][request.kind.value]
        if verdict.eligible and verdict.deadline and order.delivered_at:
            text = notice(
                "return_rights",
                ticket.lang,
                kind=kind,
                policy=policy.text or f"{policy.no_reason_days}-day returns",
                delivered=order.delivered_at.date().isoformat(),
                deadline=verdict.deadline.date().isoformat(),
                window=verdict.window_days,
            )
        else:
            text = notice("return_ineligible", ticket.lang, kind=kind, kind_past=KIND_PAST[request.kind.value], reason=verdict.reason)
        self._tell(step, ticket, "eligibility", text)
        return verdict.eligible

    def schedule_pickup(self, step: SchedulePickup, request: ReturnRequest, ticket: Ticket) -> None:
        order = self._supply.order(step.brand_id, request.order_id)
        pickup = self._supply.return_pickup(step.brand_id, order, request.sku, idempotency_key=step.return_id)
        self._returns.update(
            step.brand_id, step.return_id, status="pickup_scheduled", pickup_tracking=pickup.tracking_number, label_url=pickup.label_url
        )
        self._record(step, "pickup_scheduled", {"return_id": step.return_id, "tracking": pickup.tracking_number})
        text = notice(
            "return_pickup",
            ticket.lang,
            carrier=pickup.carrier,
            tracking=pickup.tracking_number,
            window=pickup.pickup_window,
            label=pickup.label_url,
        )
        self._tell(step, ticket, "pickup", text)

    def refund(self, step: Refund, request: ReturnRequest, ticket: Ticket) -> None:
        """The payment port refunds once per return, so a retried step never pays twice."""
        amount = request.refund_amount or 0.0
        refund = self._supply.refund(step.brand_id, request.order_id, amount, idempotency_key=step.return_id)
        self._returns.update(step.brand_id, step.return_id, status="refunded", refund_id=refund.refund_id)
        self._record(step, "refunded", {"return_id": step.return_id, "refund_id": refund.refund_id, "amount": f"{refund.amount:g}"})
        self._tell(step, ticket, "refund", notice("return_refunded", ticket.lang, amount=f"{refund.amount:g}", refund_id=refund.refund_id))

    def exchange(self, step: Exchange, request: ReturnRequest, ticket: Ticket) -> None:
        order = self._supply.order(step.brand_id, request.order_id)
        shipment = self._supply.ship_replacement(step.brand_id, order, request.sku, idempotency_key=step.return_id)
        self._returns.update(step.brand_id, step.return_id, status="exchanged", replacement_tracking=shipment.tracking_number)
        self._record(step, "replacement_shipped", {"return_id": step.return_id, "tracking": shipment.tracking_number})
        eta = shipment.eta.date().isoformat() if shipment.eta else "-"
        text = notice("return_exchanged", ticket.lang, carrier=shipment.carrier, tracking=shipment.tracking_number, eta=eta)
        self._tell(step, ticket, "exchange", text)

    # -- helpers -------------------------------------------------------------------------------
    def _policy(self, brand_id: str, delivered_at: datetime) -> ReturnPolicy:
        """The return policy in force when the order was delivered, from the brand's knowledge."""
        filters = SearchFilters(kinds=[Kind.POLICY], on=delivered_at.date())
        found = self._knowledge.lookup(brand_id, SearchRequest(query=POLICY_QUERY, k=5, filters=filters), record_gap=False)
        hits = found.hits if found else []
        return ReturnPolicy.from_hit(next((h for h in hits if "return_window_days" in h.terms), hits[0] if hits else None))

    def _load(self, step: _Step) -> tuple[ReturnRequest, Ticket]:
        request = self._returns.get(step.brand_id, step.return_id)
        ticket = self._tickets.head(step.brand_id, step.ticket_id)
        if request is None or ticket is None:
            raise KeyError(f"return {step.return_id} or ticket {step.ticket_id} not found")
        return request, ticket

    def _record(self, step: _Step, action: str, detail: dict[str, str]) -> None:
        event = TicketEvent(at=self._clock(), actor="after_sales", action=action, detail=detail)
        self._tickets.append(step.brand_id, step.ticket_id, event, f"{step.return_id}#{action}")

    def _tell(self, step: _Step, ticket: Ticket, name: str, text: str) -> None:
        message = to_customer(ticket, f"{step.return_id}.{name}", text, self._clock())
        self._conversations.notify_once(step.brand_id, ticket.conversation_id, message)
