"""Conversations and ticket-history streams -> facts: each event recorded and counted once, and
emitted as CloudWatch metrics (EMF) for the dashboard and alarms."""

from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic_settings import BaseSettings, SettingsConfigDict

from livedesk.analytics.facts import Fact, from_conversation_item, from_history_item
from livedesk.analytics.store import AnalyticsStore
from livedesk.logs import service_logger
from livedesk.tracing import service_tracer


class AnalyticsSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    analytics_table: str
    conversations_table: str


settings = AnalyticsSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
store = AnalyticsStore(boto3.resource("dynamodb").Table(settings.analytics_table))


def metrics_of(fact: Fact) -> list[tuple[str, float, MetricUnit]]:
    """The CloudWatch metrics a new fact adds to (the dashboard and the alarms read them)."""
    if fact.kind == "message":
        emitted = [("MessagesRouted", 1.0, MetricUnit.Count), ("IntentConfidence", fact.intent_confidence or 0.0, MetricUnit.NoUnit)]
        emitted.append(("BotHandled" if fact.handled_by == "bot" else "HumanHandoffs", 1.0, MetricUnit.Count))
        if fact.polarity == "negative":
            emitted.append(("NegativeMessages", 1.0, MetricUnit.Count))
        return emitted
    if fact.kind == "ticket" and fact.action == "created":
        return [("TicketsCreated", 1.0, MetricUnit.Count)]
    if fact.kind == "ticket" and fact.action in ("first_response_breached", "resolution_breached"):
        tier = "P1" if fact.detail.get("was") == "P1" else "Other"  # the tier the ticket had when it was missed
        return [(f"SlaBreaches{tier}", 1.0, MetricUnit.Count)]
    if fact.kind == "ticket" and fact.action == "csat" and "score" in fact.detail:
        return [("CsatScore", float(fact.detail["score"]), MetricUnit.NoUnit)]
    return []


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else {}
    from_conversations = f"table/{settings.conversations_table}/" in (record.event_source_arn or "")
    fact = from_conversation_item(image) if from_conversations else from_history_item(image)
    if fact is None or not store.record(fact):
        return  # not a fact (a delivery marker, say), or a replay: counted already
    for name, value, unit in metrics_of(fact):
        metrics.add_metric(name=name, unit=unit, value=value)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
