"""Return, exchange and refund requests: one record per order line, worked by the after-sales workflow."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel, Field

from livedesk import ids, keys
from livedesk.dynamo import decimalize, pages, plain
from livedesk.models import IDENTIFIER, Strict


class ReturnKind(StrEnum):
    RETURN = "return"  # goods back, money back
    EXCHANGE = "exchange"  # goods back, a replacement out


class ReturnReason(StrEnum):
    NO_REASON = "no_reason"  # the no-questions-asked window (7 or 15 days, per the brand's policy)
    QUALITY = "quality"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"


class ReturnStart(Strict):
    """What an agent asks for: the order line, the kind and why."""

    version: int = Field(ge=1, description="The ticket version the agent last read")
    order_id: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER)
    sku: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER)
    kind: ReturnKind
    reason: ReturnReason
    note: str | None = Field(default=None, max_length=2000)


class Inspection(Strict):
    """The warehouse's verdict on the goods that came back."""

    passed: bool
    notes: str = Field(default="", max_length=2000)


class InspectionResult(Inspection):
    inspector: str  # who recorded it (from their token)


ReturnStatus = Literal[
    "requested", "ineligible", "pickup_scheduled", "inspecting", "inspection_failed", "refunded", "exchanged", "cancelled"
]


class ReturnRequest(Strict):
    return_id: str
    ticket_id: str
    order_id: str
    sku: str
    kind: ReturnKind
    reason: ReturnReason
    status: ReturnStatus = "requested"
    created_at: datetime
    eligibility: str | None = None
    pickup_tracking: str | None = None
    label_url: str | None = None
    inspection: InspectionResult | None = None
    refund_id: str | None = None
    refund_amount: float | None = None
    replacement_tracking: str | None = None
    execution_arn: str | None = None


def return_id(brand_id: str, ticket_id: str, order_id: str, sku: str) -> str:
    """One return per ticket and order line: asking twice is the same return."""
    return "ret_" + ids.message_id(brand_id, f"{ticket_id}/{order_id}", sku).removeprefix("msg_")


class ReturnRepository:
    def __init__(self, table: Any) -> None:
        self._table = table

    def create(self, brand_id: str, request: ReturnRequest) -> ReturnRequest:
        """Store a new request; for a known one return the stored one. The order line's ledger is
        written first, so no stored request is ever missing from ``of_order_line``."""
        ledger = keys.order_line_return(brand_id, request.order_id, request.sku, request.return_id)
        self._table.put_item(Item={**ledger, "return_id": request.return_id})
        item = {**keys.return_request(brand_id, request.return_id), **decimalize(request.model_dump(mode="json", exclude_none=True))}
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            stored = self.get(brand_id, request.return_id)
            assert stored is not None
            return stored
        return request

    def get(self, brand_id: str, return_id_: str) -> ReturnRequest | None:
        item = self._table.get_item(Key=keys.return_request(brand_id, return_id_), ConsistentRead=True).get("Item")
        return None if item is None else ReturnRequest.model_validate(plain(item))

    def of_order_line(self, brand_id: str, order_id: str, sku: str) -> list[ReturnRequest]:
        """Every return of the order line, from any ticket."""
        line = Key("pk").eq(keys.order_line_returns_pk(brand_id, order_id, sku))
        found = [self.get(brand_id, str(item["return_id"])) for item in pages(self._table.query, KeyConditionExpression=line)]
        return [request for request in found if request is not None]

    def update(self, brand_id: str, return_id_: str, **fields: Any) -> None:
        """The after-sales workflow is the only writer of a request once it started."""
        values = decimalize(
            {name: value.model_dump(mode="json") if isinstance(value, BaseModel) else value for name, value in fields.items()}
        )
        self._table.update_item(
            Key=keys.return_request(brand_id, return_id_),
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={f"#{name}": name for name in values},
            ExpressionAttributeValues={f":{name}": value for name, value in values.items()},
        )
