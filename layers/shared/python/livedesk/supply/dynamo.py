"""The default supply-chain adapter: one DynamoDB table per deployment, keyed by brand.

Locally it is seeded with demo orders, stock and parcels. A refund the table cannot take now
(throttled after the SDK's own retries) is a ``TransientSupplyError``: the after-sales workflow
retries it, and the refund's idempotency key keeps it paid once.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from livedesk import keys
from livedesk.dynamo import decimalize, plain
from livedesk.errors import NotFound
from livedesk.supply.ports import (
    CatalogItem,
    Coupon,
    Lineup,
    Order,
    Refund,
    Shipment,
    Stock,
    StockLevel,
    TrackingEvent,
    TransientSupplyError,
)

COUPON_VALIDITY = timedelta(days=30)
# DynamoDB's answers when it cannot take a write now, after the SDK's own retries.
BUSY = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "InternalServerError"})


def _key(brand_id: str, kind: str, name: str, sort: str = "-") -> dict[str, str]:
    return {"pk": f"{keys.brand(brand_id)}#{kind}#{name}", "sk": sort}


def _reference(prefix: str, key: str) -> str:
    return f"{prefix}{hashlib.sha256(key.encode()).hexdigest()[:12].upper()}"


class DynamoSupplyChain:
    def __init__(self, table: Any, clock: Any = lambda: datetime.now(UTC)) -> None:
        self._table = table
        self._clock = clock

    # -- reads ----------------------------------------------------------------------------
    def product(self, brand_id: str, sku: str) -> CatalogItem:
        return CatalogItem.model_validate(self._get(_key(brand_id, "PRODUCT", sku), f"product {sku}"))

    def lineup(self, brand_id: str, live_session_id: str) -> Lineup:
        return Lineup.model_validate(self._get(_key(brand_id, "LINEUP", live_session_id), f"live session {live_session_id}"))

    def order(self, brand_id: str, order_id: str) -> Order:
        return Order.model_validate(self._get(_key(brand_id, "ORDER", order_id), f"order {order_id}"))

    def orders_of(self, brand_id: str, customer_id: str, since: datetime) -> list[Order]:
        pk = _key(brand_id, "CUSTOMER_ORDERS", customer_id)["pk"]
        items = self._table.query(
            KeyConditionExpression="pk = :pk AND sk >= :since",
            ExpressionAttributeValues={":pk": pk, ":since": since.astimezone(UTC).isoformat()},
            ScanIndexForward=False,
        )["Items"]
        return [Order.model_validate(plain(item)) for item in items]

    def stock(self, brand_id: str, sku: str) -> Stock:
        items = self._table.query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": _key(brand_id, "STOCK", sku)["pk"]}, ConsistentRead=True
        )["Items"]
        if not items:
            raise NotFound(f"SKU {sku}")
        return Stock(sku=sku, levels=[StockLevel.model_validate(plain(item)) for item in items])

    def shipment(self, brand_id: str, tracking_number: str) -> Shipment:
        return Shipment.model_validate(self._get(_key(brand_id, "SHIPMENT", tracking_number), f"shipment {tracking_number}"))

    # -- actions, idempotent on their key --------------------------------------------------
    def return_pickup(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment:
        tracking = _reference("RT", idempotency_key)
        now = self._clock()
        shipment = Shipment(
            tracking_number=tracking,
            carrier="SF Express",
            order_id=order.order_id,
            status="pickup_scheduled",
            events=[TrackingEvent(at=now, status="label_created", description=f"return of {sku}")],
            label_url=f"https://labels.example.com/{tracking}.pdf",
            pickup_window=f"{(now + timedelta(days=1)).date().isoformat()} 09:00-18:00",
        )
        return Shipment.model_validate(self._put_once(_key(brand_id, "SHIPMENT", tracking), shipment))

    def ship_replacement(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment:
        tracking = _reference("EX", idempotency_key)
        existing = self._table.get_item(Key=_key(brand_id, "SHIPMENT", tracking), ConsistentRead=True).get("Item")
        if existing:  # asked again: the same parcel, and no second unit taken from stock
            return Shipment.model_validate(plain(existing))
        now = self._clock()
        self._reserve(brand_id, sku)
        shipment = Shipment(
            tracking_number=tracking,
            carrier="SF Express",
            order_id=order.order_id,
            status="shipped",
            events=[TrackingEvent(at=now, status="shipped", description=f"replacement {sku}")],
            eta=now + timedelta(days=2),
        )
        return Shipment.model_validate(self._put_once(_key(brand_id, "SHIPMENT", tracking), shipment))

    def refund(self, brand_id: str, order_id: str, amount: float, idempotency_key: str) -> Refund:
        key = _key(brand_id, "REFUND", idempotency_key)
        existing = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        if existing:
            return Refund.model_validate(plain(existing))
        refund = Refund(
            refund_id=_reference("RF", idempotency_key),
            order_id=order_id,
            amount=amount,
            status="succeeded",
            idempotency_key=idempotency_key,
        )
        try:
            return Refund.model_validate(self._put_once(key, refund))
        except ClientError as error:
            if error.response["Error"]["Code"] in BUSY:
                raise TransientSupplyError(
                    f"the refund could not be recorded now ({error.response['Error']['Code']}): try again"
                ) from error
            raise

    def issue(self, brand_id: str, customer_id: str, amount: float, reason: str, idempotency_key: str) -> Coupon:
        coupon = Coupon(
            coupon_id=_reference("CP", idempotency_key),
            customer_id=customer_id,
            amount=amount,
            valid_until=self._clock() + COUPON_VALIDITY,
            idempotency_key=idempotency_key,
        )
        return Coupon.model_validate(self._put_once(_key(brand_id, "COUPON", idempotency_key), coupon, reason=reason))

    def refunds_of(self, brand_id: str, order_id: str) -> list[Refund]:
        """Every refund of an order (a scan: for tests and the demo, not a request path)."""
        items = self._table.scan()["Items"]
        prefix = f"{keys.brand(brand_id)}#REFUND#"
        return [Refund.model_validate(plain(i)) for i in items if i["pk"].startswith(prefix) and i.get("order_id") == order_id]

    # -- seeding ----------------------------------------------------------------------------
    def put_order(self, brand_id: str, order: Order) -> None:
        item = {**_key(brand_id, "ORDER", order.order_id), **decimalize(order.model_dump(mode="json", exclude_none=True))}
        self._table.put_item(Item=item)
        # The customer's orders by payment time: a copy under the customer, for "where is my order?"
        by_customer = _key(brand_id, "CUSTOMER_ORDERS", order.customer_id, f"{order.paid_at.astimezone(UTC).isoformat()}#{order.order_id}")
        self._table.put_item(Item={**by_customer, **decimalize(order.model_dump(mode="json", exclude_none=True))})

    def put_lineup(self, brand_id: str, lineup: Lineup) -> None:
        self._table.put_item(Item={**_key(brand_id, "LINEUP", lineup.live_session_id), **lineup.model_dump(mode="json")})

    def put_product(self, brand_id: str, product: CatalogItem) -> None:
        self._table.put_item(Item={**_key(brand_id, "PRODUCT", product.sku), **product.model_dump(mode="json")})

    def put_stock(self, brand_id: str, sku: str, level: StockLevel) -> None:
        sort = f"{level.variant}#{level.warehouse}" if level.variant else level.warehouse
        self._table.put_item(Item={**_key(brand_id, "STOCK", sku, sort), **level.model_dump(mode="json", exclude_none=True)})

    def put_shipment(self, brand_id: str, shipment: Shipment) -> None:
        item = decimalize(shipment.model_dump(mode="json", exclude_none=True))
        self._table.put_item(Item={**_key(brand_id, "SHIPMENT", shipment.tracking_number), **item})

    # -- internals --------------------------------------------------------------------------
    def _get(self, key: dict[str, str], what: str) -> dict[str, Any]:
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(what)
        return plain(item)

    def _put_once(self, key: dict[str, str], record: BaseModel, **extra: str) -> dict[str, Any]:
        """Store the record unless the key exists; either way return what is stored."""
        item = {**key, **decimalize(record.model_dump(mode="json", exclude_none=True)), **extra}
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self._get(key, key["pk"])
        return plain(item)

    def _reserve(self, brand_id: str, sku: str) -> None:
        """Take one unit from the warehouse that has the most."""
        stock = self.stock(brand_id, sku)
        best = max(stock.levels, key=lambda level: level.available)
        if best.available < 1:
            raise NotFound(f"no stock of {sku} for a replacement")
        self._table.update_item(
            Key=_key(brand_id, "STOCK", sku, f"{best.variant}#{best.warehouse}" if best.variant else best.warehouse),
            UpdateExpression="SET available = available - :one, reserved = if_not_exists(reserved, :zero) + :one",
            ConditionExpression="available >= :one",
            ExpressionAttributeValues={":one": 1, ":zero": 0},
        )
