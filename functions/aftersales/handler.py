"""Step Functions tasks of the after-sales workflow (returns, exchanges, refunds)."""

from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from aftersales.service import STEPS, AfterSalesSteps
from livedesk.conversations.store import ConversationRepository
from livedesk.knowledge.client import SearchFunction
from livedesk.logs import service_logger
from livedesk.models import utc_now
from livedesk.settings import ConversationStoreSettings, SupplyStoreSettings, TicketStoreSettings
from livedesk.supply.adapters import supply_chain
from livedesk.tickets.repository import TaskTokens, TicketRepository
from livedesk.tickets.returns import ReturnRepository
from livedesk.tracing import service_tracer


class AfterSalesSettings(ConversationStoreSettings, TicketStoreSettings, SupplyStoreSettings):
    search_function_name: str


settings = AfterSalesSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
dynamodb = boto3.resource("dynamodb")
tickets_table = dynamodb.Table(settings.tickets_table)
steps = AfterSalesSteps(
    returns=ReturnRepository(tickets_table),
    tickets=TicketRepository(tickets_table, dynamodb.Table(settings.ticket_history_table)),
    tokens=TaskTokens(tickets_table),
    conversations=ConversationRepository(dynamodb.Table(settings.conversations_table), timedelta(days=settings.message_retention_days)),
    supply=supply_chain(settings.supply_chain_url, dynamodb.Table(settings.supply_table)),
    knowledge=SearchFunction(
        boto3.client("lambda", config=Config(read_timeout=20, retries={"max_attempts": 2})), settings.search_function_name
    ),
    clock=utc_now,
)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = STEPS.validate_python(event)
    logger.append_keys(brand_id=step.brand_id, ticket_id=step.ticket_id, return_id=step.return_id, task=step.task)
    result = steps.run(step)
    metrics.add_metric(name=f"AfterSales_{step.task}", unit=MetricUnit.Count, value=1)
    logger.info("after-sales step done")
    return result
