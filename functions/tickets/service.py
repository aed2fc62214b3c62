"""The agent desk: read and work tickets, answer the customer, hand over to supervisors and the
after-sales workflow. Every change is one conditional transaction (ticket, history, and the reply
to the customer when there is one); the conversation table's stream delivers replies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from pydantic import Field

from livedesk.conversations.store import ConversationRepository
from livedesk.errors import NotFound
from livedesk.experiments.model import Experiment
from livedesk.identity import Actor, Forbidden, Role
from livedesk.modelbase import Model
from livedesk.models import Csat, Ticket, TicketEvent, TicketView
from livedesk.tickets import lifecycle
from livedesk.tickets.lifecycle import Action, InvalidTransition, Reply, Resolve
from livedesk.tickets.notices import to_customer
from livedesk.tickets.repository import TaskTokens, TicketRepository, VersionConflict
from livedesk.tickets.returns import ReturnRepository, ReturnRequest, ReturnStart, return_id
from livedesk.tickets.workflows import Workflows

SKILLS = ("pre_sale", "logistics", "after_sale", "technical", "supply_chain", "general", "supervisor", "safety")
TAKEOVER, RECOVERY, INSPECTION = "takeover", "recovery", "inspection"
SURVEY = {
    "zh": "本次服务已完成。请为我们的服务打分（1–5 分，5 分最满意），也欢迎留下您的意见。",
    "en": "Your request is resolved. Please rate our service from 1 to 5 (5 is best); comments are welcome.",
}


class RunningExperiments(Protocol):
    def running(self, brand_id: str) -> Experiment | None: ...


class Surveys:
    """The CSAT survey's wording: the customer's variant's, while an experiment on it runs."""

    def __init__(self, experiments: RunningExperiments | None = None) -> None:
        self._experiments = experiments

    def wording(self, brand_id: str, customer_id: str, lang: str) -> str:
        experiment = self._experiments.running(brand_id) if self._experiments else None
        variant = experiment.assign(customer_id) if experiment else None
        return (variant.survey.get(lang) if variant else None) or SURVEY.get(lang) or SURVEY["zh"]


class QueueItem(Model):
    ticket: Ticket
    due: datetime = Field(description="The next due time: first response, then resolution")
    takeover_offered: bool = Field(default=False, description="A supervisor takeover is offered and waiting (shown to supervisors)")


class RecoveryDecision(Model):
    """A manager's answer to a bad CSAT: a coupon, an apology, or both."""

    version: int = Field(ge=1)
    coupon_amount: float = Field(default=0, ge=0, le=500)
    message: str = Field(min_length=1, max_length=2000, description="What the customer is told")


class TicketDesk:
    def __init__(
        self,
        tickets: TicketRepository,
        tokens: TaskTokens,
        returns: ReturnRepository,
        conversations: ConversationRepository,
        workflows: Workflows,
        clock: Callable[[], datetime],
        inspection_timeout_s: int = 14 * 24 * 3600,
        surveys: Surveys | None = None,
    ) -> None:
        self._surveys = surveys or Surveys()
        self._tickets = tickets
        self._tokens = tokens
        self._returns = returns
        self._conversations = conversations
        self._workflows = workflows
        self._clock = clock
        self._inspection_timeout_s = inspection_timeout_s

    # -- reading ------------------------------------------------------------------------------
    def view(self, actor: Actor, ticket_id: str) -> TicketView:
        seen = self._view(actor.brand_id, ticket_id)
        if not actor.may_act_on(seen):
            raise Forbidden(f"ticket {ticket_id} is in the {seen.skill} queue, not one of your skills")
        return seen

    def _view(self, brand_id: str, ticket_id: str) -> TicketView:
        found = self._tickets.get(brand_id, ticket_id)
        if found is None:
            raise NotFound(f"ticket {ticket_id} not found")
        ticket, history = found
        return TicketView(**ticket.model_dump(), history=history)

    def queue(self, actor: Actor, limit: int = 50) -> list[QueueItem]:
        """Open tickets in the actor's skills (a supervisor: every skill) that nobody else holds,
        most urgent first: priority, then the next due time."""
        skills: Iterable[str] = SKILLS if actor.oversees else sorted(actor.skills)
        mine = [
            ticket
            for skill in skills
            for ticket in self._tickets.queue(actor.brand_id, skill, limit)
            if actor.oversees or ticket.assignee in (None, actor.id)
        ]
        items = [QueueItem(ticket=t, due=t.resolution_due if t.first_responded_at else t.first_response_due) for t in mine]
        items = sorted(items, key=lambda item: (item.ticket.priority, item.due))[:limit]
        if actor.oversees and items:
            offered = self._tokens.open_among(actor.brand_id, [item.ticket.ticket_id for item in items], TAKEOVER)
            items = [item.model_copy(update={"takeover_offered": item.ticket.ticket_id in offered}) for item in items]
        return items

    # -- working a ticket ------------------------------------------------------------------------
    def act(self, actor: Actor, ticket_id: str, action: Action) -> TicketView:
        before = self._current(actor, ticket_id, action.version)
        now = self._clock()
        change = lifecycle.apply(before, action, actor, now)
        items = self._tickets.save_items(actor.brand_id, before, change)
        if isinstance(action, lifecycle.Merge):
            primary = self._current(actor, action.into, None)
            items += self._tickets.save_items(actor.brand_id, primary, lifecycle.merged(primary, before, actor, now))
        if isinstance(action, Reply):
            items.append(self._message_to_customer(actor.brand_id, before, change.ticket.version, action.text, actor.id, now))
        if isinstance(action, Resolve):  # the CSAT survey
            survey = self._surveys.wording(actor.brand_id, before.customer_id, before.lang)
            items.append(self._message_to_customer(actor.brand_id, before, change.ticket.version, survey, None, now))
        self._tickets.commit(items)
        return self._view(actor.brand_id, ticket_id)  # as it is now, even if it moved out of the actor's skills

    def take_over(self, actor: Actor, ticket_id: str, version: int) -> TicketView:
        """A supervisor takes the conversation: it is theirs, and the takeover workflow's offer ends.
        A supervisor's takeover always works. With no offer open (not made yet, or it timed out on
        its way to the next level) the answer waits in its place, and the offer accepts at once."""
        if not actor.oversees:
            raise Forbidden("only a supervisor takes over a conversation")
        view = self.act(actor, ticket_id, lifecycle.Assign(version=version, agent_id=actor.id))
        for _ in range(3):
            try:
                self._complete(actor, ticket_id, TAKEOVER, {"supervisor": actor.id}, missing="no open offer")
                break
            except InvalidTransition:  # that level timed out (or another supervisor holds it)
                if self._tokens.answer_ahead(actor.brand_id, ticket_id, TAKEOVER, actor.id):
                    break
        return view

    def complete_recovery(self, actor: Actor, ticket_id: str, decision: RecoveryDecision) -> TicketView:
        """A manager decides how to make up for a bad CSAT; the recovery workflow carries it out."""
        if not actor.oversees:
            raise Forbidden("only a supervisor or manager completes a service recovery")
        self._current(actor, ticket_id, decision.version)
        output = {**decision.model_dump(exclude={"version"}), "manager": actor.id}
        self._complete(actor, ticket_id, RECOVERY, output, missing=f"no service recovery is open for {ticket_id}")
        return self.view(actor, ticket_id)

    def record_csat(self, brand_id: str, ticket_id: str, score: int, comment: str | None) -> Ticket:
        """The customer's answer to the survey; a bad one (1–2) starts a service recovery (through
        the ticket's history stream). Only the first answer counts."""
        for _ in range(3):  # optimistic: retry if an agent changed the ticket meanwhile
            before = self._tickets.head(brand_id, ticket_id)
            if before is None:
                raise NotFound(f"ticket {ticket_id} not found")
            if before.csat is not None:
                return before
            now = self._clock()
            csat = Csat(score=score, comment=comment, at=now)
            detail = {"score": str(score), **({"comment": comment} if comment else {})}
            change = lifecycle.Change(
                before.model_copy(update={"csat": csat, "version": before.version + 1}),
                [TicketEvent(at=now, actor="customer", action="csat", detail=detail)],
            )
            try:
                self._tickets.save(brand_id, before, change)
            except VersionConflict:
                continue
            return change.ticket
        raise VersionConflict(f"ticket {ticket_id} kept changing; try again")

    # -- after-sales ---------------------------------------------------------------------------
    def start_return(self, actor: Actor, ticket_id: str, request: ReturnStart) -> ReturnRequest:
        ticket = self._current(actor, ticket_id, request.version)
        if ticket.status not in lifecycle.OPEN:
            raise InvalidTransition(f"ticket {ticket_id} is {ticket.status.value}: reopen it first")
        new = ReturnRequest(
            return_id=return_id(actor.brand_id, ticket_id, request.order_id, request.sku),
            ticket_id=ticket_id,
            order_id=request.order_id,
            sku=request.sku,
            kind=request.kind,
            reason=request.reason,
            created_at=self._clock(),
        )
        stored = self._returns.create(actor.brand_id, new)
        if stored.execution_arn is None:
            payload = {
                "brand_id": actor.brand_id,
                "ticket_id": ticket_id,
                "return_id": stored.return_id,
                "kind": stored.kind.value,
                "requested_by": actor.id,
                "note": request.note or "",
                "inspection_timeout_seconds": self._inspection_timeout_s,
            }
            arn = self._workflows.start("after_sales", stored.return_id, payload)
            self._returns.update(actor.brand_id, stored.return_id, execution_arn=arn)
            stored = stored.model_copy(update={"execution_arn": arn})
        return stored

    def record_inspection(self, actor: Actor, return_id_: str, passed: bool, notes: str) -> ReturnRequest:
        """The warehouse's verdict: the after-sales workflow refunds, exchanges or sends the goods back."""
        if actor.role is not Role.ADMIN and "warehouse" not in actor.skills:
            raise Forbidden("only the warehouse records an inspection")
        found = self._returns.get(actor.brand_id, return_id_)
        if found is None:
            raise NotFound(f"return {return_id_} not found")
        output = {"passed": passed, "notes": notes, "inspector": actor.id}
        missing = f"return {return_id_} is not waiting for an inspection"
        self._complete(actor, found.ticket_id, f"{INSPECTION}#{return_id_}", output, missing)
        return found

    def _complete(self, actor: Actor, ticket_id: str, kind: str, output: dict[str, Any], missing: str | None) -> None:
        """Give a waiting workflow the person's answer, once, safely retried: the token is claimed,
        sent, and only then discarded. A failure on the way keeps the claim for the same person's
        retry; a workflow that stopped waiting drops it. ``missing``: the 409 when nothing waits."""
        token = self._tokens.claim(actor.brand_id, ticket_id, kind, actor.id)
        if token is None:
            if missing is not None:
                raise InvalidTransition(missing)
            return
        try:
            self._workflows.succeed(token, output)
        except InvalidTransition:
            self._tokens.discard(actor.brand_id, ticket_id, kind)
            raise
        self._tokens.discard(actor.brand_id, ticket_id, kind)

    def return_request(self, actor: Actor, return_id_: str) -> ReturnRequest:
        found = self._returns.get(actor.brand_id, return_id_)
        if found is None:
            raise NotFound(f"return {return_id_} not found")
        self.view(actor, found.ticket_id)  # only those who may see the ticket see its return
        return found

    # -- helpers -------------------------------------------------------------------------------
    def _current(self, actor: Actor, ticket_id: str, version: int | None) -> Ticket:
        ticket = self._tickets.head(actor.brand_id, ticket_id)
        if ticket is None:
            raise NotFound(f"ticket {ticket_id} not found")
        if not actor.may_act_on(ticket):
            raise Forbidden(f"ticket {ticket_id} is in the {ticket.skill} queue, not one of your skills")
        if version is not None and version != ticket.version:
            raise VersionConflict(f"ticket {ticket_id} is at version {ticket.version}, not {version}: reload it and try again")
        return ticket

    def _message_to_customer(
        self, brand_id: str, ticket: Ticket, version: int, text: str, agent: str | None, now: datetime
    ) -> dict[str, Any]:
        message = to_customer(ticket, f"{ticket.ticket_id}.v{version}", text, now, agent)
        return self._conversations.reply_put(brand_id, ticket.conversation_id, message)
