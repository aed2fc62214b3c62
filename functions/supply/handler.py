"""GET an order, a customer's recent orders, a SKU's stock per warehouse, or a parcel's tracking, for agents and bots."""

from datetime import timedelta
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from livedesk.api import AGENT, create_resolver, current_actor
from livedesk.logs import service_logger
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, utc_now
from livedesk.settings import SupplyStoreSettings
from livedesk.supply.adapters import supply_chain
from livedesk.supply.ports import Order, Shipment, Stock
from livedesk.tracing import service_tracer

settings = SupplyStoreSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = create_resolver()
supply = supply_chain(settings.supply_chain_url, boto3.resource("dynamodb").Table(settings.supply_table))
Identifier = Annotated[str, Path(pattern=IDENTIFIER, max_length=64)]


@app.get("/v1/orders/<order_id>", summary="An order: lines, amounts, payment and delivery", tags=["supply chain"], responses=AGENT)
def get_order(order_id: Identifier) -> Order:
    return supply.order(current_actor(app).brand_id, order_id)


class CustomerOrders(Model):
    customer_id: str
    orders: list[Order]


@app.get(
    "/v1/customers/<customer_id>/orders",
    summary="A customer's orders paid in the last days, newest first",
    tags=["supply chain"],
    responses=AGENT,
)
def list_customer_orders(customer_id: Identifier, days: Annotated[int, Query(ge=1, le=365)] = 90) -> CustomerOrders:
    orders = supply.orders_of(current_actor(app).brand_id, customer_id, utc_now() - timedelta(days=days))
    return CustomerOrders(customer_id=customer_id, orders=orders)


@app.get("/v1/inventory/<sku>", summary="A SKU's stock in each warehouse", tags=["supply chain"], responses=AGENT)
def get_inventory(sku: Identifier) -> Stock:
    return supply.stock(current_actor(app).brand_id, sku)


@app.get("/v1/shipments/<tracking_number>", summary="A parcel's tracking events and ETA", tags=["supply chain"], responses=AGENT)
def get_shipment(tracking_number: Identifier) -> Shipment:
    return supply.shipment(current_actor(app).brand_id, tracking_number)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
