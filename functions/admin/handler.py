"""Admins: erase a customer's data (DELETE /v1/customers/{id}/data), read the audit log, inspect and
redrive the dead-letter queues. A daily schedule anonymises tickets past their retention."""

import json
from datetime import timedelta
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime
from pydantic_settings import BaseSettings, SettingsConfigDict

from admin.service import DeadLetterQueue, DeadLetters, DeadLetterSource, Erasure, ErasureReport, Redriven, Retention, Stores
from livedesk.analytics.store import AnalyticsStore
from livedesk.api import AGENT, create_resolver, current_actor
from livedesk.audit import AuditEntry, AuditLog
from livedesk.clients import LazyClient
from livedesk.clusters.store import LiveClusterRepository
from livedesk.conversations.store import ConversationRepository, InboundMessageRepository
from livedesk.customers.store import CustomerRepository
from livedesk.errors import InvalidRequest
from livedesk.identity import Actor, Role
from livedesk.knowledge.gaps import KnowledgeGapRepository
from livedesk.logs import service_logger
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, utc_now
from livedesk.tickets.repository import TicketRepository
from livedesk.tracing import service_tracer


class AdminSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    conversations_table: str
    customers_table: str
    tickets_table: str
    ticket_history_table: str
    analytics_table: str
    knowledge_table: str
    audit_table: str
    ticket_retention_days: int  # CDK sets it (context ticket_retention_days)
    dead_letter_queues: dict[str, str]  # name -> URL
    dead_letter_sources: dict[str, DeadLetterSource]  # name -> where its messages came from


settings = AdminSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = create_resolver()
dynamodb = boto3.resource("dynamodb")
conversations_table = dynamodb.Table(settings.conversations_table)
NOTHING_EXPIRES = timedelta(0)  # erasure writes nothing that expires: the stores' retention is not used
tickets = TicketRepository(dynamodb.Table(settings.tickets_table), dynamodb.Table(settings.ticket_history_table))
stores = Stores(
    inbound=InboundMessageRepository(conversations_table, NOTHING_EXPIRES),
    conversations=ConversationRepository(conversations_table, NOTHING_EXPIRES),
    clusters=LiveClusterRepository(conversations_table, NOTHING_EXPIRES),
    customers=CustomerRepository(dynamodb.Table(settings.customers_table)),
    tickets=tickets,
    facts=AnalyticsStore(dynamodb.Table(settings.analytics_table)),
    gaps=KnowledgeGapRepository(dynamodb.Table(settings.knowledge_table), NOTHING_EXPIRES),
)
audit = AuditLog(dynamodb.Table(settings.audit_table), utc_now)
dead_letters = DeadLetters(
    LazyClient("sqs"), LazyClient("dynamodbstreams"), LazyClient("lambda"), settings.dead_letter_queues, settings.dead_letter_sources
)
erasure = Erasure(stores, audit, utc_now, dead_letters)
retention = Retention(tickets, timedelta(days=settings.ticket_retention_days), utc_now)
TAGS = ["administration"]
QueueName = Annotated[str, Path(pattern=IDENTIFIER, max_length=64)]


class AuditTrail(Model):
    entries: list[AuditEntry]


class DeadLetterQueues(Model):
    queues: list[DeadLetterQueue]


@app.delete(
    "/v1/customers/<customer_id>/data",
    summary="Erase a customer's data everywhere (admins); reports what was deleted or anonymised",
    tags=TAGS,
    responses=AGENT,
)
def erase_customer(customer_id: Annotated[str, Path(pattern=IDENTIFIER, max_length=64)]) -> ErasureReport:
    report = erasure.erase(current_actor(app, Role.ADMIN), customer_id)
    logger.info("customer erased", extra={"messages": report.messages_deleted, "tickets": report.tickets_anonymised})
    return report


@app.get("/v1/audit", summary="Who viewed or changed what, and when (admins)", tags=TAGS, responses=AGENT)
def get_audit(
    start: Annotated[AwareDatetime, Query(alias="from")],
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    target: Annotated[str | None, Query(max_length=160)] = None,
) -> AuditTrail:
    brand_id = current_actor(app, Role.ADMIN).brand_id
    until = end or utc_now()
    if not start < until or until - start > timedelta(days=31):
        raise InvalidRequest("the window must run forwards and span at most 31 days")
    entries = [
        entry
        for entry in audit.between(brand_id, start, until)
        if (actor is None or entry.actor == actor) and (target is None or entry.target == target)
    ]
    return AuditTrail(entries=entries)


# The queues are shared by every brand: only the deployment's operators (the operator group, never a
# brand's admin) see and redrive them, and a redrive is also audited in each brand whose data it moved.
@app.get(
    "/v1/admin/dead-letters",
    summary="Every dead-letter queue: depth, where it redrives to, samples (operators)",
    tags=TAGS,
    responses=AGENT,
)
def get_dead_letters(peek: Annotated[int, Query(ge=0, le=10)] = 3) -> DeadLetterQueues:
    actor = current_actor(app, Role.OPERATOR)
    audit.record(actor, "view", "dead-letters")
    return DeadLetterQueues(queues=dead_letters.inspect(peek))


@app.post(
    "/v1/admin/dead-letters/<name>/redrive",
    summary="Send a dead-letter queue's messages back to their source (operators)",
    tags=TAGS,
    responses=AGENT,
)
def redrive(name: QueueName, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Redriven:
    actor = current_actor(app, Role.OPERATOR)
    result = dead_letters.redrive(name, limit)
    audit.record(actor, "redrive", f"queue/{name}", {"redriven": str(result.redriven), "failed": str(result.failed)})
    for brand_id, count in result.brands.items():
        on_behalf = Actor(id=actor.id, brand_id=brand_id, role=Role.OPERATOR)
        audit.record(on_behalf, "redrive", f"queue/{name}", {"redriven": str(count), "operator_brand": actor.brand_id})
    metrics.add_metric(name="DeadLettersRedriven", unit=MetricUnit.Count, value=result.redriven)
    return result


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "requestContext" in event:
        return app.resolve(event, context)
    swept = retention.sweep()  # the daily schedule
    logger.info("retention sweep", extra=swept.model_dump(mode="json"))
    return json.loads(swept.model_dump_json())
