"""GET a ticket with its append-only history."""

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from livedesk.api import NOT_FOUND, BrandId, create_resolver
from livedesk.models import IDENTIFIER, TicketView
from livedesk.repositories import TicketRepository
from livedesk.settings import TicketStoreSettings

settings = TicketStoreSettings()
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = create_resolver()
tickets = TicketRepository(boto3.resource("dynamodb").Table(settings.tickets_table))


@app.get("/v1/tickets/<ticket_id>", summary="A ticket and its history", tags=["tickets"], responses=NOT_FOUND)
def get_ticket(ticket_id: Annotated[str, Path(pattern=IDENTIFIER, max_length=64)], brand_id: BrandId) -> TicketView:
    found = tickets.get(brand_id, ticket_id)
    if found is None:
        raise NotFoundError(f"ticket {ticket_id} not found")
    ticket, history = found
    return TicketView(**ticket.model_dump(), history=history)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
