"""The steps of the SLA, takeover, recovery and aftercare workflows that need more than one API call.
Each is safe to run twice: Step Functions retries failed tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from livedesk.conversations.store import ConversationRepository
from livedesk.modelbase import Model
from livedesk.models import Compensation, Ticket, TicketEvent
from livedesk.supply.ports import Coupons
from livedesk.tickets.lifecycle import Change, breached
from livedesk.tickets.notices import notice, to_customer
from livedesk.tickets.repository import TaskTokens, TicketRepository
from livedesk.tickets.sla import SlaPolicy
from livedesk.tickets.workflows import Workflows

TAKEOVER, RECOVERY = "takeover", "recovery"


class _Task(Model):
    brand_id: str
    ticket_id: str
    execution: str  # the execution id: with the step, it names what a step writes so a retry writes nothing new


class Breach(_Task):
    task: Literal["breach"]
    kind: Literal["first_response", "resolution"]


class Offer(_Task):
    task: Literal["offer"]
    token: str
    level: int
    reason: str


class Unaccepted(_Task):
    task: Literal["unaccepted"]
    level: int


class OpenRecovery(_Task):
    task: Literal["recovery"]
    token: str
    csat: int


class ManagerDecision(Model):
    coupon_amount: float = 0
    message: str
    manager: str


class IssueCoupon(_Task):
    task: Literal["coupon"]
    decision: ManagerDecision


class Apologize(_Task):
    task: Literal["apologize"]
    decision: ManagerDecision


class FollowUp(_Task):
    task: Literal["follow_up"]


AnyStep = Breach | Offer | Unaccepted | OpenRecovery | IssueCoupon | Apologize | FollowUp
STEPS: TypeAdapter[AnyStep] = TypeAdapter(Annotated[AnyStep, Field(discriminator="task")])


class BreachResult(Model):
    severity: str
    notify_supervisor: bool = Field(description="A VIP's first response was missed, or the ticket is now P1")


class EscalationSteps:
    def __init__(
        self,
        tickets: TicketRepository,
        tokens: TaskTokens,
        conversations: ConversationRepository,
        coupons: Coupons,
        policy: SlaPolicy,
        workflows: Workflows,
        clock: Callable[[], datetime],
    ) -> None:
        self._workflows = workflows
        self._tickets = tickets
        self._tokens = tokens
        self._conversations = conversations
        self._coupons = coupons
        self._policy = policy
        self._clock = clock

    def run(self, task: AnyStep) -> dict[str, Any]:
        match task:
            case Breach():
                return self.breach(task).model_dump()
            case Offer():
                self.offer(task)
            case Unaccepted():
                self.unaccepted(task)
            case OpenRecovery():
                self.open_recovery(task)
            case IssueCoupon():
                self.issue_coupon(task)
            case Apologize():
                self.apologize(task)
            case FollowUp():
                self.follow_up(task)
        return {"done": task.task}

    def breach(self, task: Breach) -> BreachResult:
        """Raise the tier, re-queue and tell the customer we are on it (once per breach)."""
        now = self._clock()
        ticket = self._tickets.update(
            task.brand_id,
            task.ticket_id,
            lambda t: None if t.sla_state == f"{task.kind}_breached" else breached(t, task.kind, self._policy.raised(t.severity), now),
        )
        self._tell(task, ticket, f"{task.kind}_breached", notice(f"{task.kind}_breached", ticket.lang))
        vip_missed = task.kind == "first_response" and ticket.value_lane.value == "vip"
        return BreachResult(severity=ticket.severity.value, notify_supervisor=vip_missed or ticket.severity.value == "P1")

    def offer(self, task: Offer) -> None:
        """Keep the token where the supervisor's accept will find it and record the offer; or, when
        a supervisor took the conversation while the offer moved up a level, accept at once for them."""
        taken_by = self._tokens.put(task.brand_id, task.ticket_id, TAKEOVER, task.token, {"level": task.level, "reason": task.reason})
        if taken_by is not None:
            self._workflows.succeed(task.token, {"supervisor": taken_by})
            self._tokens.discard(task.brand_id, task.ticket_id, TAKEOVER)
            return
        event = TicketEvent(at=self._clock(), actor="escalation", action="offered_to_supervisors", detail={"level": str(task.level)})
        self._tickets.append(task.brand_id, task.ticket_id, event, f"{task.execution}#offer#{task.level}")

    def unaccepted(self, task: Unaccepted) -> None:
        """Nobody took the conversation at any level: it goes to the top of its queue, and its history
        says so even when it was there already (an angry threat starts at priority 1)."""
        self._tokens.take(task.brand_id, task.ticket_id, TAKEOVER)

        def to_the_top(ticket: Ticket) -> Change | None:
            return None if ticket.priority == 1 else Change(ticket.model_copy(update={"priority": 1, "version": ticket.version + 1}), [])

        self._tickets.update(task.brand_id, task.ticket_id, to_the_top)
        event = TicketEvent(at=self._clock(), actor="escalation", action="takeover_unaccepted", detail={"levels": str(task.level)})
        self._tickets.append(task.brand_id, task.ticket_id, event, f"{task.execution}#unaccepted")

    def open_recovery(self, task: OpenRecovery) -> None:
        self._tokens.put(task.brand_id, task.ticket_id, RECOVERY, task.token, {"csat": task.csat})
        event = TicketEvent(at=self._clock(), actor="escalation", action="recovery_opened", detail={"csat": str(task.csat)})
        self._tickets.append(task.brand_id, task.ticket_id, event, f"{task.execution}#recovery")

    def issue_coupon(self, task: IssueCoupon) -> None:
        """The coupon port issues once per ticket; the ticket records it once."""
        ticket = self._ticket(task)
        coupon = self._coupons.issue(
            task.brand_id,
            ticket.customer_id,
            task.decision.coupon_amount,
            f"service recovery of {ticket.ticket_id}",
            f"{ticket.ticket_id}-recovery",
        )
        now = self._clock()

        def record(current: Ticket) -> Change | None:
            if any(c.coupon_id == coupon.coupon_id for c in current.compensations):
                return None
            compensation = Compensation(coupon_id=coupon.coupon_id, amount=coupon.amount, issued_by=task.decision.manager, at=now)
            detail = {"coupon_id": coupon.coupon_id, "amount": f"{coupon.amount:g}", "manager": task.decision.manager}
            return Change(
                current.model_copy(update={"compensations": [*current.compensations, compensation], "version": current.version + 1}),
                [TicketEvent(at=now, actor=task.decision.manager, action="compensation_issued", detail=detail)],
            )

        self._tickets.update(task.brand_id, task.ticket_id, record)

    def apologize(self, task: Apologize) -> None:
        ticket = self._ticket(task)
        decision = task.decision
        if ticket.compensations:
            coupon = ticket.compensations[-1]
            text = notice("recovery_coupon", ticket.lang, message=decision.message, amount=f"{coupon.amount:g}", coupon_id=coupon.coupon_id)
        else:
            text = notice("recovery_apology", ticket.lang, message=decision.message)
        self._tell(task, ticket, "recovery", text)
        event = TicketEvent(at=self._clock(), actor=decision.manager, action="recovery_done", detail={"message": decision.message})
        self._tickets.append(task.brand_id, task.ticket_id, event, f"{task.execution}#recovery_done")

    def follow_up(self, task: FollowUp) -> None:
        ticket = self._ticket(task)
        self._tell(task, ticket, "follow_up", notice("follow_up", ticket.lang))
        event = TicketEvent(at=self._clock(), actor="aftercare", action="followed_up")
        self._tickets.append(task.brand_id, task.ticket_id, event, f"{task.execution}#follow_up")

    def _ticket(self, task: _Task) -> Ticket:
        ticket = self._tickets.head(task.brand_id, task.ticket_id)
        if ticket is None:
            raise KeyError(f"ticket {task.ticket_id} not found")
        return ticket

    def _tell(self, task: _Task, ticket: Ticket, step: str, text: str) -> None:
        """A notice to the customer in their conversation, once per execution and step."""
        message_id = f"{ticket.ticket_id}.{step}.{task.execution.rsplit(':', 1)[-1]}"
        self._conversations.notify_once(task.brand_id, ticket.conversation_id, to_customer(ticket, message_id, text, self._clock()))
