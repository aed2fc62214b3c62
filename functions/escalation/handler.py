"""Step Functions tasks of the SLA, takeover, recovery and aftercare workflows."""

from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from escalation.service import STEPS, EscalationSteps
from livedesk.conversations.store import ConversationRepository
from livedesk.logs import service_logger
from livedesk.models import utc_now
from livedesk.settings import ConversationStoreSettings, SupplyStoreSettings, TicketStoreSettings
from livedesk.supply.adapters import supply_chain
from livedesk.tickets.repository import TaskTokens, TicketRepository
from livedesk.tickets.sla import SlaPolicy
from livedesk.tickets.workflows import StepFunctionsWorkflows
from livedesk.tracing import service_tracer


class EscalationSettings(ConversationStoreSettings, TicketStoreSettings, SupplyStoreSettings):
    """Tickets and conversations for the workflow steps, the supply chain for coupons."""


settings = EscalationSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
dynamodb = boto3.resource("dynamodb")
tickets_table = dynamodb.Table(settings.tickets_table)
steps = EscalationSteps(
    tickets=TicketRepository(tickets_table, dynamodb.Table(settings.ticket_history_table)),
    tokens=TaskTokens(tickets_table),
    conversations=ConversationRepository(dynamodb.Table(settings.conversations_table), timedelta(days=settings.message_retention_days)),
    coupons=supply_chain(settings.supply_chain_url, dynamodb.Table(settings.supply_table)),
    policy=SlaPolicy.load(settings.sla_policy),
    workflows=StepFunctionsWorkflows(boto3.client("stepfunctions")),
    clock=utc_now,
)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = STEPS.validate_python(event)
    logger.append_keys(brand_id=task.brand_id, ticket_id=task.ticket_id, task=task.task)
    result = steps.run(task)
    metrics.add_metric(name=f"Escalation_{task.task}", unit=MetricUnit.Count, value=1)
    logger.info("workflow step done")
    return result
