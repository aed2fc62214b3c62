"""The supply-chain ports over HTTP, for a brand's own ERP / WMS / TMS / carrier / payment endpoint.

The endpoint (``SUPPLY_CHAIN_URL``) speaks JSON with the shapes of ``ports.py``:

    GET  /products/{sku}       GET /orders/{id}      GET /inventory/{sku}      GET /shipments/{tracking}
    GET  /live-sessions/{id}/lineup                -> Lineup (the session's products by link number)
    GET  /customers/{id}/orders?since=ISO-8601    -> {"orders": [Order, …]}
    POST /returns  {brand_id, order_id, sku}                 -> Shipment
    POST /replacements {brand_id, order_id, sku}             -> Shipment
    POST /refunds  {brand_id, order_id, amount}              -> Refund
    POST /coupons  {brand_id, customer_id, amount, reason}   -> Coupon

Every request names the brand in ``X-Brand-Id``; actions carry an ``Idempotency-Key`` header.
404 is NotFound; 429 and 5xx are TransientSupplyError (the workflows retry them).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import urllib3
from pydantic import BaseModel

from livedesk.errors import NotFound
from livedesk.modelbase import Model
from livedesk.supply.ports import CatalogItem, Coupon, Lineup, Order, Refund, Shipment, Stock, TransientSupplyError

Reply = TypeVar("Reply", bound=BaseModel)


class CustomerOrders(Model):
    orders: list[Order]


class HttpSupplyChain:
    def __init__(self, base_url: str, timeout_s: float = 5.0, pool: urllib3.PoolManager | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._pool = pool or urllib3.PoolManager(timeout=urllib3.Timeout(total=timeout_s), retries=False)

    def product(self, brand_id: str, sku: str) -> CatalogItem:
        return self._call(CatalogItem, "GET", f"/products/{quote(sku)}", brand_id)

    def lineup(self, brand_id: str, live_session_id: str) -> Lineup:
        return self._call(Lineup, "GET", f"/live-sessions/{quote(live_session_id)}/lineup", brand_id)

    def order(self, brand_id: str, order_id: str) -> Order:
        return self._call(Order, "GET", f"/orders/{quote(order_id)}", brand_id)

    def orders_of(self, brand_id: str, customer_id: str, since: datetime) -> list[Order]:
        path = f"/customers/{quote(customer_id)}/orders?since={quote(since.isoformat())}"
        return self._call(CustomerOrders, "GET", path, brand_id).orders

    def stock(self, brand_id: str, sku: str) -> Stock:
        return self._call(Stock, "GET", f"/inventory/{quote(sku)}", brand_id)

    def shipment(self, brand_id: str, tracking_number: str) -> Shipment:
        return self._call(Shipment, "GET", f"/shipments/{quote(tracking_number)}", brand_id)

    def return_pickup(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment:
        body = {"brand_id": brand_id, "order_id": order.order_id, "sku": sku}
        return self._call(Shipment, "POST", "/returns", brand_id, body, idempotency_key)

    def ship_replacement(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment:
        body = {"brand_id": brand_id, "order_id": order.order_id, "sku": sku}
        return self._call(Shipment, "POST", "/replacements", brand_id, body, idempotency_key)

    def refund(self, brand_id: str, order_id: str, amount: float, idempotency_key: str) -> Refund:
        body = {"brand_id": brand_id, "order_id": order_id, "amount": amount}
        return self._call(Refund, "POST", "/refunds", brand_id, body, idempotency_key)

    def issue(self, brand_id: str, customer_id: str, amount: float, reason: str, idempotency_key: str) -> Coupon:
        body = {"brand_id": brand_id, "customer_id": customer_id, "amount": amount, "reason": reason}
        return self._call(Coupon, "POST", "/coupons", brand_id, body, idempotency_key)

    def _call(
        self, model: type[Reply], method: str, path: str, brand_id: str, body: dict[str, Any] | None = None, key: str | None = None
    ) -> Reply:
        headers = {"Accept": "application/json", "X-Brand-Id": brand_id}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        try:
            response = self._pool.request(
                method, self._base + path, body=json.dumps(body).encode() if body is not None else None, headers=headers
            )
        except urllib3.exceptions.HTTPError as error:
            raise TransientSupplyError(f"{method} {path}: {type(error).__name__}") from error
        if response.status == 404:
            raise NotFound(path)
        if response.status == 429 or response.status >= 500:
            raise TransientSupplyError(f"{method} {path}: HTTP {response.status}")
        if response.status >= 400:
            raise ValueError(f"{method} {path}: HTTP {response.status} {response.data[:200]!r}")
        return model.model_validate_json(response.data)
