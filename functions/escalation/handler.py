"""Step Functions task: has the ticket had its first response by the due time?"""

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from escalation.service import EscalationInput, check_first_response
from livedesk.models import utc_now
from livedesk.repositories import TicketRepository
from livedesk.settings import TicketStoreSettings


class TicketNotFound(Exception):
    """Raised to the state machine, whose Catch routes it to the failure path."""


settings = TicketStoreSettings()
logger = Logger()
tracer = Tracer()
metrics = Metrics()
tickets = TicketRepository(boto3.resource("dynamodb").Table(settings.tickets_table))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=EscalationInput)
def handler(event: EscalationInput, context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(event.correlation_id)
    found = tickets.get(event.brand_id, event.ticket_id)
    if found is None:
        raise TicketNotFound(event.ticket_id)
    result = check_first_response(found[0], utc_now())
    logger.info("first response checked", ticket_id=event.ticket_id, breached=result.breached)
    return result.model_dump(mode="json")
