"""Consumes the inbound queue: routes each message once and reports partial batch failures."""

from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from livedesk.clusters.store import LiveClusterRepository
from livedesk.conversations.store import ConversationRepository
from livedesk.customers.store import CustomerRepository
from livedesk.experiments.store import CachedRunning, ExperimentStore
from livedesk.knowledge.client import SearchFunction
from livedesk.logs import service_logger
from livedesk.models import InboundMessage, utc_now
from livedesk.settings import ConversationStoreSettings, SupplyStoreSettings, TicketStoreSettings
from livedesk.supply.adapters import supply_chain
from livedesk.tickets.repository import TicketRepository
from livedesk.tickets.sla import SlaPolicy
from livedesk.tracing import service_tracer
from livedesk.understanding.pipeline import packaged_understander
from livedesk.value import ValueRules
from routing.answers import CourtesyReplies
from routing.selfservice import SelfService
from routing.service import RoutedMessage, Router, StepFunctionsEscalation


class RoutingSettings(ConversationStoreSettings, TicketStoreSettings, SupplyStoreSettings):
    sla_state_machine_arn: str
    takeover_state_machine_arn: str
    takeover_timeout_seconds: int
    search_function_name: str
    conversation_idle_hours: int = 24
    value_rules: ValueRules = ValueRules()
    analytics_table: str  # where experiments live
    experiments_refresh_seconds: int


settings = RoutingSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)

dynamodb = boto3.resource("dynamodb")
router = Router(
    understander=packaged_understander(),
    knowledge=SearchFunction(
        boto3.client("lambda", config=Config(connect_timeout=2, read_timeout=20, retries={"mode": "standard", "max_attempts": 2})),
        settings.search_function_name,
    ),
    courtesy=CourtesyReplies.from_file(),
    customers=CustomerRepository(dynamodb.Table(settings.customers_table)),
    conversations=ConversationRepository(dynamodb.Table(settings.conversations_table), timedelta(days=settings.message_retention_days)),
    tickets=TicketRepository(dynamodb.Table(settings.tickets_table), dynamodb.Table(settings.ticket_history_table)),
    sla=SlaPolicy.load(settings.sla_policy),
    clusters=LiveClusterRepository(dynamodb.Table(settings.conversations_table), timedelta(days=settings.message_retention_days)),
    escalation=StepFunctionsEscalation(
        boto3.client("stepfunctions"),
        settings.sla_state_machine_arn,
        settings.takeover_state_machine_arn,
        SlaPolicy.load(settings.sla_policy),
        settings.takeover_timeout_seconds,
    ),
    clock=utc_now,
    idle_window=timedelta(hours=settings.conversation_idle_hours),
    value_rules=settings.value_rules,
    self_service=SelfService(supply_chain(settings.supply_chain_url, dynamodb.Table(settings.supply_table))),
    experiments=CachedRunning(ExperimentStore(dynamodb.Table(settings.analytics_table)), settings.experiments_refresh_seconds),
)
idempotency = IdempotencyConfig(event_key_jmespath="[brand_id, message_id]", expires_after_seconds=settings.idempotency_ttl_seconds)


@idempotent_function(
    data_keyword_argument="message",
    config=idempotency,
    # A client of the default session, whose service models are already loaded (Powertools would
    # build a new session); not the resource's client, which serialises attribute values itself.
    persistence_store=DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=boto3.client("dynamodb")),
    output_serializer=PydanticSerializer(RoutedMessage),
)
def route_once(message: InboundMessage) -> RoutedMessage:
    return router.route(message)


@tracer.capture_method
def record_handler(record: SQSRecord) -> RoutedMessage:
    message = InboundMessage.model_validate_json(record.body)  # a body that is no message fails this record only
    logger.set_correlation_id(message.correlation_id)
    logger.append_keys(brand_id=message.brand_id, message_id=message.message_id)
    routed = route_once(message=message)
    outcome = "NoiseDropped" if routed.conversation_id is None else "HumanHandoffs" if routed.ticket_id else "BotHandled"
    metrics.add_metric(name=outcome, unit=MetricUnit.Count, value=1)
    # The opening words help whoever reads the logs; the logger masks personal data in them (livedesk/logs.py).
    logger.info("message routed", queue=routed.decision.queue, ticket_id=routed.ticket_id, preview=message.text[:120])
    return routed


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
