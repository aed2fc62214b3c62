"""Quality inspection (智能质检): the ticket-history stream's resolutions are inspected; supervisors
read findings, scores and the weekly summary; a brand's admin reads and replaces its rule file."""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from livedesk import keys
from livedesk.analytics.store import AnalyticsStore
from livedesk.api import AGENT, create_resolver, current_actor, report_window
from livedesk.audit import AuditLog
from livedesk.clients import LazyClient
from livedesk.conversations.store import ConversationRepository
from livedesk.identity import Role
from livedesk.knowledge.gaps import KnowledgeGapRepository
from livedesk.logs import service_logger
from livedesk.modelbase import Model
from livedesk.models import utc_now
from livedesk.quality.report import FindingRow, GroupBy, ScoreRow, WeeklySummary, Where
from livedesk.quality.rules import FindingSeverity, RuleSet
from livedesk.quality.store import QualityStore
from livedesk.tickets.repository import TicketRepository
from livedesk.tracing import service_tracer
from quality.service import QualityDesk
from quality.sources import S3Knowledge, S3Rules


class QualitySettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    conversations_table: str
    tickets_table: str
    ticket_history_table: str
    analytics_table: str
    knowledge_table: str
    audit_table: str
    knowledge_bucket: str
    knowledge_index_prefix: str


settings = QualitySettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = create_resolver()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
dynamodb = boto3.resource("dynamodb")
s3 = LazyClient("s3")  # inspection reads rules and knowledge; the report routes never do
desk = QualityDesk(
    conversations=ConversationRepository(dynamodb.Table(settings.conversations_table), timedelta(days=180)),  # reads only: no TTL set
    tickets=TicketRepository(dynamodb.Table(settings.tickets_table), dynamodb.Table(settings.ticket_history_table)),
    rules=S3Rules(s3, settings.knowledge_bucket),
    knowledge=S3Knowledge(s3, settings.knowledge_bucket, settings.knowledge_index_prefix),
    inspections=QualityStore(dynamodb.Table(settings.analytics_table)),
    gaps=KnowledgeGapRepository(dynamodb.Table(settings.knowledge_table), timedelta(days=90)),
    audit=AuditLog(dynamodb.Table(settings.audit_table), utc_now),
    facts=AnalyticsStore(dynamodb.Table(settings.analytics_table)),
    clock=utc_now,
)
TAGS = ["quality"]
From = Annotated[AwareDatetime | None, Query(alias="from", description="Start of the window (default: 7 days before its end)")]
To = Annotated[AwareDatetime | None, Query(description="End of the window (default: now)")]
Agent = Annotated[str | None, Query(max_length=64, description="Only this agent's conversations (and findings)")]
Skill = Annotated[str | None, Query(max_length=32)]
Channel = Annotated[str | None, Query(max_length=32)]
LiveSession = Annotated[str | None, Query(max_length=64)]


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    return report_window(start, end, timedelta(days=7), utc_now())


class Findings(Model):
    findings: list[FindingRow]


class Scores(Model):
    by: GroupBy
    groups: list[ScoreRow] = Field(description="The lowest mean score first")


@app.get(
    "/v1/quality/findings",
    summary="Quality findings, newest first, sliced by agent, skill, channel, live session or rule",
    tags=TAGS,
    responses=AGENT,
)
def get_findings(
    start: From = None,
    end: To = None,
    agent: Agent = None,
    skill: Skill = None,
    channel: Channel = None,
    live_session_id: LiveSession = None,
    rule: Annotated[str | None, Query(max_length=48)] = None,
    severity: Annotated[FindingSeverity | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Findings:
    where = Where(agent=agent, skill=skill, channel=channel, live_session_id=live_session_id, rule_id=rule, severity=severity)
    brand_id = current_actor(app, Role.SUPERVISOR).brand_id
    return Findings(findings=desk.findings(brand_id, *_window(start, end), where, limit))


@app.get("/v1/quality/scores", summary="Quality scores per agent, skill, channel or live session", tags=TAGS, responses=AGENT)
def get_scores(
    start: From = None,
    end: To = None,
    by: Annotated[GroupBy, Query()] = "agent",
    skill: Skill = None,
    channel: Channel = None,
    live_session_id: LiveSession = None,
) -> Scores:
    where = Where(skill=skill, channel=channel, live_session_id=live_session_id)
    brand_id = current_actor(app, Role.SUPERVISOR).brand_id
    return Scores(by=by, groups=desk.scores(brand_id, *_window(start, end), by, where))


@app.get("/v1/quality/summary", summary="The weekly quality summary, with the week before beside it", tags=TAGS, responses=AGENT)
def get_summary(week: Annotated[str, Query(pattern=r"^\d{4}-W\d{2}$", description="An ISO week, e.g. 2026-W49")]) -> WeeklySummary:
    return desk.weekly(current_actor(app, Role.SUPERVISOR).brand_id, week)


@app.get("/v1/quality/rules", summary="The brand's quality rule file in force", tags=TAGS, responses=AGENT)
def get_rules() -> RuleSet:
    return desk.rules(current_actor(app, Role.SUPERVISOR).brand_id)


@app.put(
    "/v1/quality/rules", summary="Replace the brand's quality rule file (admins; used within a minute, audited)", tags=TAGS, responses=AGENT
)
def put_rules(rules: RuleSet) -> RuleSet:
    return desk.replace_rules(current_actor(app, Role.ADMIN), rules)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else {}
    ticket = keys.ticket_of(str(image.get("pk", "")))
    if ticket is None:
        return
    inspection = desk.inspect_ticket(*ticket)
    if inspection is None:
        return
    metrics.add_metric(name="ConversationsInspected", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="QualityScore", unit=MetricUnit.NoUnit, value=inspection.score)
    metrics.add_metric(name="QualityFindings", unit=MetricUnit.Count, value=len(inspection.findings))
    logger.info("conversation inspected", ticket_id=ticket[1], score=inspection.score, findings=len(inspection.findings))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "requestContext" in event:
        return app.resolve(event, context)
    if "Records" in event:
        return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context))
    sweep = Sweep.model_validate(event)  # the hourly schedule, or an operator re-running a past hour
    inspected = desk.sweep_bot_conversations(sweep.at or utc_now())
    metrics.add_metric(name="ConversationsInspected", unit=MetricUnit.Count, value=inspected)
    return {"inspected": inspected}


class Sweep(Model):
    quality: Literal["sweep"]
    at: AwareDatetime | None = Field(default=None, description="Inspect the bot conversations that went quiet in the hour before at − 1 h")
