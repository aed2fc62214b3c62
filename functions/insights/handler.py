"""GET KPIs (JSON or an HTML report), voice of customer (JSON or CSV), knowledge gaps and alerts;
PUT a live session's schedule (a known driver of the forecast). A schedule also evaluates alerts."""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, model_validator

from insights.experiments import ExperimentDesk
from insights.service import AwsInfrastructure, Insights, SnsAlerts
from livedesk.analytics.alerts import Alert, AlertRules
from livedesk.analytics.gaps import Topic
from livedesk.analytics.kpis import Kpis, Slice
from livedesk.analytics.report import html_report
from livedesk.analytics.store import AnalyticsStore
from livedesk.analytics.voc import VoiceOfCustomer, as_csv
from livedesk.api import AGENT, create_resolver, current_actor, report_window
from livedesk.audit import AuditLog
from livedesk.clients import LazyClient
from livedesk.experiments.model import Experiment, ExperimentDraft
from livedesk.experiments.results import ExperimentResults
from livedesk.experiments.store import ExperimentStore
from livedesk.identity import Role
from livedesk.knowledge.gaps import KnowledgeGapRepository
from livedesk.logs import service_logger
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, utc_now
from livedesk.quality.store import QualityStore
from livedesk.settings import SupplyStoreSettings
from livedesk.supply.adapters import supply_chain
from livedesk.tracing import service_tracer


class InsightsSettings(SupplyStoreSettings):
    analytics_table: str
    knowledge_table: str
    audit_table: str
    dead_letter_queues: dict[str, str]  # {"inbound-dlq": "https://sqs…"}, as the admin function reads it
    monitored_functions: list[str]  # function names whose Lambda Errors metric the red level watches
    alert_topics: dict[str, str]  # {"yellow": arn, "orange": arn, "red": arn}
    alert_rules: str | None = None  # JSON in the shape of livedesk/analytics/alerts.json


settings = InsightsSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = create_resolver()
dynamodb = boto3.resource("dynamodb")
insights = Insights(
    store=AnalyticsStore(dynamodb.Table(settings.analytics_table)),
    inspections=QualityStore(dynamodb.Table(settings.analytics_table)),
    catalog=supply_chain(settings.supply_chain_url, dynamodb.Table(settings.supply_table)),
    gap_log=KnowledgeGapRepository(dynamodb.Table(settings.knowledge_table), timedelta(days=90)),
    infrastructure=AwsInfrastructure(
        LazyClient("sqs"),
        LazyClient("cloudwatch"),
        settings.dead_letter_queues,
        settings.monitored_functions,
        utc_now,
    ),
    alerts=SnsAlerts(LazyClient("sns"), settings.alert_topics),
    rules=AlertRules.load(settings.alert_rules),
    clock=utc_now,
)
experiments = ExperimentDesk(
    ExperimentStore(dynamodb.Table(settings.analytics_table)),
    AnalyticsStore(dynamodb.Table(settings.analytics_table)),
    AuditLog(dynamodb.Table(settings.audit_table), utc_now),
    utc_now,
)
TAGS = ["operations"]
From = Annotated[AwareDatetime | None, Query(alias="from", description="Start of the window (default: 24 hours before its end)")]
To = Annotated[AwareDatetime | None, Query(description="End of the window (default: now)")]


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    return report_window(start, end, timedelta(hours=24), utc_now())


class Alerts(Model):
    alerts: list[Alert]


class KnowledgeGaps(Model):
    topics: list[Topic]


class Schedule(Model):
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> "Schedule":
        if not self.start < self.end <= self.start + timedelta(hours=12):
            raise ValueError("a live session ends after it starts, within 12 hours")
        return self


class Scheduled(Model):
    live_session_id: str
    start: datetime
    end: datetime


@app.get(
    "/v1/kpis", summary="Service KPIs for a window, sliced by channel, live session, skill, intent or lane", tags=TAGS, responses=AGENT
)
def get_kpis(
    start: From = None,
    end: To = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    live_session_id: Annotated[str | None, Query(max_length=64)] = None,
    skill: Annotated[str | None, Query(max_length=32)] = None,
    intent: Annotated[str | None, Query(max_length=32)] = None,
    lane: Annotated[Literal["vip", "normal"] | None, Query()] = None,
) -> Kpis:
    window = _window(start, end)
    where = Slice(channel=channel, live_session_id=live_session_id, skill=skill, intent=intent, lane=lane)
    return insights.kpis(current_actor(app, Role.SUPERVISOR).brand_id, *window, where)


REPORT_RESPONSES: dict[int, OpenAPIResponse] = {
    **AGENT,
    200: {"description": "A self-contained HTML page", "content": {"text/html": {"schema": {"type": "string"}}}},
}


@app.get("/v1/kpis/report", summary="The KPIs as a self-contained HTML report with charts", tags=TAGS, responses=REPORT_RESPONSES)
def get_kpi_report(start: From = None, end: To = None) -> Response[str]:
    brand_id = current_actor(app, Role.SUPERVISOR).brand_id
    body = html_report(brand_id, insights.kpis(brand_id, *_window(start, end), Slice()))
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=body)  # without the charset, clients read it as Latin-1


VOC_RESPONSES: dict[int, OpenAPIResponse] = {
    **AGENT,
    200: {
        "description": "JSON, or CSV for the supply-chain team with format=csv",
        "content": {"application/json": {"model": VoiceOfCustomer}, "text/csv": {"schema": {"type": "string"}}},
    },
}


@app.get("/v1/voc", summary="Top complaint terms by SKU, category or supplier, with trend and examples", tags=TAGS, responses=VOC_RESPONSES)
def get_voice_of_customer(
    start: From = None,
    end: To = None,
    by: Annotated[Literal["sku", "category", "supplier"], Query()] = "sku",
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response[Any]:  # two content types, described in VOC_RESPONSES
    report = insights.voice_of_customer(current_actor(app, Role.SUPERVISOR).brand_id, *_window(start, end), by)
    if format == "csv":
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=as_csv(report))
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=report.model_dump(mode="json"))


@app.get("/v1/knowledge/gaps", summary="Questions the knowledge could not answer, grouped into topics", tags=TAGS, responses=AGENT)
def get_knowledge_gaps(start: From = None, end: To = None) -> KnowledgeGaps:
    return KnowledgeGaps(topics=insights.knowledge_gaps(current_actor(app, Role.SUPERVISOR).brand_id, *_window(start, end)))


@app.get("/v1/alerts", summary="Alerts of the last 24 hours (the rules are evaluated first)", tags=TAGS, responses=AGENT)
def get_alerts() -> Alerts:
    return Alerts(alerts=insights.evaluate_alerts(current_actor(app, Role.SUPERVISOR).brand_id))


@app.put(
    "/v1/live-sessions/<live_session_id>/schedule",
    summary="Plan a live session: the forecast expects its burst",
    tags=TAGS,
    responses=AGENT,
)
def put_schedule(live_session_id: Annotated[str, Path(pattern=IDENTIFIER, max_length=64)], body: Schedule) -> Scheduled:
    insights.schedule(current_actor(app, Role.SUPERVISOR).brand_id, live_session_id, body.start, body.end)
    return Scheduled(live_session_id=live_session_id, start=body.start, end=body.end)


class ExperimentList(Model):
    experiments: list[Experiment]


ExperimentId = Annotated[str, Path(pattern=IDENTIFIER, max_length=64)]


@app.post(
    "/v1/experiments", summary="Start an A/B experiment on routing and answers (admins; one runs at a time)", tags=TAGS, responses=AGENT
)
def start_experiment(body: ExperimentDraft) -> Experiment:
    return experiments.start(current_actor(app, Role.ADMIN), body)


@app.get("/v1/experiments", summary="The brand's experiments, newest first", tags=TAGS, responses=AGENT)
def list_experiments() -> ExperimentList:
    return ExperimentList(experiments=experiments.all(current_actor(app, Role.SUPERVISOR).brand_id))


@app.post(
    "/v1/experiments/<experiment_id>/stop",
    summary="Stop an experiment: everyone returns to the control (admins)",
    tags=TAGS,
    responses=AGENT,
)
def stop_experiment(experiment_id: ExperimentId) -> Experiment:
    return experiments.stop(current_actor(app, Role.ADMIN), experiment_id)


@app.get(
    "/v1/experiments/<experiment_id>/results",
    summary="Each variant's containment, handoffs, FCR, CSAT and repeat contact with 95 % intervals and sample sizes",
    tags=TAGS,
    responses=AGENT,
)
def get_experiment_results(experiment_id: ExperimentId) -> ExperimentResults:
    return experiments.results(current_actor(app, Role.SUPERVISOR).brand_id, experiment_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "requestContext" in event:
        return app.resolve(event, context)
    alerting = insights.evaluate_all()  # the schedule
    metrics.add_metric(name="AlertEvaluations", unit=MetricUnit.Count, value=len(alerting))
    return {"brands": alerting}
