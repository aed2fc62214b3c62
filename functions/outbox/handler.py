"""Conversation stream -> channels: deliver each new bot or agent reply, reporting partial failures."""

import json
from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic_settings import BaseSettings, SettingsConfigDict

from livedesk.channels import SecretsManagerKeys
from livedesk.logs import service_logger
from livedesk.models import ConversationMessage, utc_now
from livedesk.tracing import service_tracer
from outbox.channels import RecordedOnly, Webhooks
from outbox.service import Outbox


class OutboxSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    conversations_table: str
    channel_webhooks: str  # {"app_chat": "https://…"}: channels without one are recorded only
    channel_key_secrets: dict[str, str]  # the brands' channel keys, which sign each webhook


settings = OutboxSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
webhooks = json.loads(settings.channel_webhooks)
channels = Webhooks(webhooks, SecretsManagerKeys(settings.channel_key_secrets)) if webhooks else RecordedOnly()
outbox = Outbox(boto3.resource("dynamodb").Table(settings.conversations_table), channels, utc_now)
FIELDS = set(ConversationMessage.model_fields)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else {}
    key = {"pk": image["pk"], "sk": image["sk"]}
    reply = ConversationMessage.model_validate({name: value for name, value in image.items() if name in FIELDS})
    outcome = outbox.send(key, reply)
    metrics.add_metric(name="RepliesDelivered", unit=MetricUnit.Count, value=1)
    logger.info("reply delivered", message_id=reply.message_id, channel=reply.channel.value, author=reply.author.value, delivery=outcome)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
