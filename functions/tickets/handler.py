"""The agent desk over HTTP: read and work tickets, hand over to supervisors, start returns; and the
customer's survey answer."""

from datetime import timedelta
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from livedesk.api import (
    AGENT,
    CHANGE,
    CHANNEL,
    NOT_FOUND,
    BrandId,
    ChannelName,
    Signature,
    SignedAt,
    channel_of,
    channel_resolver,
    current_actor,
)
from livedesk.audit import AuditLog
from livedesk.clients import LazyClient
from livedesk.conversations.store import ConversationRepository
from livedesk.experiments.store import CachedRunning, ExperimentStore
from livedesk.logs import service_logger
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, TicketView, utc_now
from livedesk.privacy import REVEAL_DESCRIPTION, ViewPolicy, masked_ticket
from livedesk.settings import ChannelKeySettings, ConversationStoreSettings, TicketStoreSettings
from livedesk.tickets.lifecycle import Assign, Claim, Close, Merge, Note, Reopen, Reply, Resolve, Transfer, Wait
from livedesk.tickets.repository import TaskTokens, TicketRepository
from livedesk.tickets.returns import Inspection, ReturnRepository, ReturnRequest, ReturnStart
from livedesk.tickets.workflows import StepFunctionsWorkflows
from livedesk.tracing import service_tracer
from tickets.service import QueueItem, RecoveryDecision, Surveys, TicketDesk


class TicketSettings(ConversationStoreSettings, TicketStoreSettings, ChannelKeySettings):
    audit_table: str
    after_sales_state_machine_arn: str
    inspection_timeout_seconds: int
    analytics_table: str  # where experiments live (a variant may word the survey)
    experiments_refresh_seconds: int


settings = TicketSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = channel_resolver(settings, frozenset({"POST /v1/surveys/{ticket_id}"}))
dynamodb = boto3.resource("dynamodb")
tickets_table = dynamodb.Table(settings.tickets_table)
desk = TicketDesk(
    tickets=TicketRepository(tickets_table, dynamodb.Table(settings.ticket_history_table)),
    tokens=TaskTokens(tickets_table),
    returns=ReturnRepository(tickets_table),
    conversations=ConversationRepository(dynamodb.Table(settings.conversations_table), timedelta(days=settings.message_retention_days)),
    workflows=StepFunctionsWorkflows(LazyClient("stepfunctions"), {"after_sales": settings.after_sales_state_machine_arn}),
    clock=utc_now,
    inspection_timeout_s=settings.inspection_timeout_seconds,
    surveys=Surveys(CachedRunning(ExperimentStore(dynamodb.Table(settings.analytics_table)), settings.experiments_refresh_seconds)),
)
views = ViewPolicy(AuditLog(dynamodb.Table(settings.audit_table), utc_now))
TicketId = Annotated[str, Path(pattern=IDENTIFIER, max_length=64)]
Reveal = Annotated[bool, Query(description=REVEAL_DESCRIPTION)]
TAGS = ["tickets"]


class MyQueue(Model):
    agent_id: str
    tickets: list[QueueItem]


class VersionOnly(Model):
    version: int = Field(ge=1)


class SurveyRecorded(Model):
    ticket_id: str
    score: int = Field(description="The score on record: the first answer counts")


class SurveyAnswer(Model):
    score: int = Field(ge=1, le=5, description="1 very unhappy … 5 very happy")
    comment: str | None = Field(default=None, max_length=2000)


@app.get("/v1/tickets/<ticket_id>", summary="A ticket and its history", tags=TAGS, responses=AGENT)
def get_ticket(ticket_id: TicketId, reveal: Reveal = False) -> TicketView:
    actor = current_actor(app)
    return views.ticket(actor, desk.view(actor, ticket_id), reveal)


@app.get("/v1/agents/me/queue", summary="My queue: open tickets of my skills, by priority then due time", tags=TAGS, responses=AGENT)
def get_my_queue(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> MyQueue:
    actor = current_actor(app)
    queue = [item.model_copy(update={"ticket": masked_ticket(item.ticket)}) for item in desk.queue(actor, limit)]
    return MyQueue(agent_id=actor.id, tickets=queue)


@app.post("/v1/tickets/<ticket_id>/claim", summary="Take the ticket", tags=TAGS, responses=CHANGE)
def claim(ticket_id: TicketId, body: Claim) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "claim")


@app.post("/v1/tickets/<ticket_id>/assign", summary="Give the ticket to an agent (supervisors)", tags=TAGS, responses=CHANGE)
def assign(ticket_id: TicketId, body: Assign) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "assign")


@app.post(
    "/v1/tickets/<ticket_id>/transfer", summary="Move the ticket to another skill or person, with context", tags=TAGS, responses=CHANGE
)
def transfer(ticket_id: TicketId, body: Transfer) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "transfer")


@app.post("/v1/tickets/<ticket_id>/replies", summary="Answer the customer on the channel they wrote on", tags=TAGS, responses=CHANGE)
def reply(ticket_id: TicketId, body: Reply) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "reply")


@app.post("/v1/tickets/<ticket_id>/notes", summary="An internal note the customer never sees", tags=TAGS, responses=CHANGE)
def note(ticket_id: TicketId, body: Note) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "note")


@app.post("/v1/tickets/<ticket_id>/wait", summary="Wait for the customer or for someone inside", tags=TAGS, responses=CHANGE)
def wait(ticket_id: TicketId, body: Wait) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "wait")


@app.post("/v1/tickets/<ticket_id>/resolve", summary="Resolve; the customer gets a CSAT survey", tags=TAGS, responses=CHANGE)
def resolve(ticket_id: TicketId, body: Resolve) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "resolve")


@app.post("/v1/tickets/<ticket_id>/reopen", summary="Reopen a resolved or closed ticket", tags=TAGS, responses=CHANGE)
def reopen(ticket_id: TicketId, body: Reopen) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "reopen")


@app.post("/v1/tickets/<ticket_id>/close", summary="Close a resolved ticket", tags=TAGS, responses=CHANGE)
def close(ticket_id: TicketId, body: Close) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "close")


@app.post("/v1/tickets/<ticket_id>/merge", summary="Fold a duplicate into the ticket it repeats", tags=TAGS, responses=CHANGE)
def merge(ticket_id: TicketId, body: Merge) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.act(actor, ticket_id, body), "merge")


@app.post("/v1/tickets/<ticket_id>/takeover", summary="A supervisor accepts an offered conversation", tags=TAGS, responses=CHANGE)
def takeover(ticket_id: TicketId, body: VersionOnly) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.take_over(actor, ticket_id, body.version), "takeover")


@app.post(
    "/v1/tickets/<ticket_id>/recovery", summary="A manager decides the service recovery after a bad CSAT", tags=TAGS, responses=CHANGE
)
def recovery(ticket_id: TicketId, body: RecoveryDecision) -> TicketView:
    actor = current_actor(app)
    return views.changed(actor, desk.complete_recovery(actor, ticket_id, body), "recovery")


@app.post("/v1/tickets/<ticket_id>/returns", summary="Start a return or exchange of an order line", tags=TAGS, responses=CHANGE)
def start_return(ticket_id: TicketId, body: ReturnStart) -> Response[ReturnRequest]:
    started = desk.start_return(current_actor(app), ticket_id, body)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=started)


@app.get("/v1/returns/<return_id>", summary="A return: eligibility, pickup, inspection, refund or replacement", tags=TAGS, responses=AGENT)
def get_return(return_id: TicketId) -> ReturnRequest:
    return desk.return_request(current_actor(app), return_id)


@app.post("/v1/returns/<return_id>/inspection", summary="The warehouse's inspection of returned goods", tags=TAGS, responses=CHANGE)
def inspect(return_id: TicketId, body: Inspection) -> ReturnRequest:
    return desk.record_inspection(current_actor(app), return_id, body.passed, body.notes)


@app.post(
    "/v1/surveys/<ticket_id>",
    summary="The customer's CSAT answer (1–5 and a comment)",
    tags=["surveys"],
    responses={**NOT_FOUND, **CHANNEL},
)
def answer_survey(
    ticket_id: TicketId, brand_id: BrandId, channel: ChannelName, timestamp: SignedAt, signature: Signature, body: SurveyAnswer
) -> SurveyRecorded:
    caller = channel_of(app)
    ticket = desk.record_csat(caller.brand_id, ticket_id, body.score, body.comment)
    assert ticket.csat is not None
    return SurveyRecorded(ticket_id=ticket_id, score=ticket.csat.score)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
