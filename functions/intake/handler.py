"""POST /v1/messages: validate a channel message, store it once and enqueue it for routing."""

from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError, IdempotencyValidationError
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext

from intake.service import ConflictingDuplicate, ImplausibleSentAt, IntakeService, MessageAccepted, SqsInboundQueue
from livedesk.api import CHANNEL, BrandId, ChannelName, Signature, SignedAt, channel_of, channel_resolver, error_response
from livedesk.conversations.store import InboundMessageRepository
from livedesk.identity import Forbidden
from livedesk.logs import service_logger
from livedesk.models import InboundMessage, MessageIn, utc_now
from livedesk.settings import ChannelKeySettings, ConversationStoreSettings
from livedesk.tracing import service_tracer


class IntakeSettings(ConversationStoreSettings, ChannelKeySettings):
    inbound_queue_url: str


settings = IntakeSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = channel_resolver(settings, frozenset({"POST /v1/messages"}))

dynamodb = boto3.resource("dynamodb")
service = IntakeService(
    InboundMessageRepository(dynamodb.Table(settings.conversations_table), timedelta(days=settings.message_retention_days)),
    SqsInboundQueue(boto3.client("sqs"), settings.inbound_queue_url),
    clock=utc_now,
)
idempotency = IdempotencyConfig(
    event_key_jmespath="[brand_id, channel, channel_message_id]",
    payload_validation_jmespath="text",
    expires_after_seconds=settings.idempotency_ttl_seconds,
)
# A client of the default session, whose service models are already loaded (Powertools would build a new session).
persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=boto3.client("dynamodb"))


@idempotent_function(
    data_keyword_argument="message",
    config=idempotency,
    persistence_store=persistence,
    output_serializer=PydanticSerializer(MessageAccepted),
)
def accept_once(message: InboundMessage) -> MessageAccepted:
    return service.accept(message)


CONFLICT = error_response("The channel message id was already used")


@app.post(
    "/v1/messages",
    summary="Accept a customer message from a channel",
    tags=["messages"],
    responses={202: {"description": "Accepted for routing"}, 409: CONFLICT, **CHANNEL},
)
def post_message(
    message: MessageIn, brand_id: BrandId, channel: ChannelName, timestamp: SignedAt, signature: Signature
) -> Response[MessageAccepted]:
    caller = channel_of(app)
    if message.channel.value != caller.channel:
        raise Forbidden(f"the {caller.channel} channel may only post {caller.channel} messages")
    try:
        inbound = service.prepare(caller.brand_id, message, logger.get_correlation_id())
    except ImplausibleSentAt as error:
        raise ServiceError(422, str(error)) from None
    logger.append_keys(brand_id=caller.brand_id, message_id=inbound.message_id, channel=message.channel.value)
    try:
        accepted = accept_once(message=inbound)
    except (ConflictingDuplicate, IdempotencyValidationError):
        raise ServiceError(409, "channel_message_id was already used for a different message") from None
    except IdempotencyAlreadyInProgressError:
        raise ServiceError(409, "the same message is being accepted right now; retry shortly") from None
    metrics.add_metric(name="MessagesAccepted", unit=MetricUnit.Count, value=1)
    logger.info("message accepted")
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return app.resolve(event, context)
