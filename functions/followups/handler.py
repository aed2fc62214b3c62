"""Ticket history stream -> follow-up workflows (aftercare after a resolution, recovery after a bad CSAT)."""

from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic_settings import BaseSettings, SettingsConfigDict

from followups.service import Followups
from livedesk.logs import service_logger
from livedesk.tracing import service_tracer


class FollowupSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    aftercare_state_machine_arn: str
    recovery_state_machine_arn: str
    follow_up_after_seconds: int
    recovery_timeout_seconds: int


settings = FollowupSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
followups = Followups(
    boto3.client("stepfunctions"),
    settings.aftercare_state_machine_arn,
    settings.recovery_state_machine_arn,
    settings.follow_up_after_seconds,
    settings.recovery_timeout_seconds,
)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else {}
    started = followups.on_event(image["pk"], image["sk"], image)
    if started:
        logger.info("follow-up started", action=image.get("action"), execution=started)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
