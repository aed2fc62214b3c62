"""What LiveDesk needs from the supply chain, as models and ports. A missing order, SKU or parcel is NotFound."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Protocol

from pydantic import ConfigDict, Field

from livedesk.modelbase import Model


class _Record(Model):
    model_config = ConfigDict(extra="ignore")


class OrderLine(_Record):
    sku: str
    name: str
    quantity: int = Field(ge=1)
    unit_price: float = Field(ge=0)


class Order(_Record):
    order_id: str
    customer_id: str
    status: Literal["paid", "shipped", "delivered", "cancelled"]
    lines: list[OrderLine]
    amount: float = Field(ge=0)
    currency: str = "CNY"
    paid_at: datetime
    delivered_at: datetime | None = None
    tracking_number: str | None = None
    ship_by: datetime | None = Field(default=None, description="The latest shipping time promised to the customer")


class StockLevel(_Record):
    warehouse: str
    available: int = Field(ge=0)
    reserved: int = Field(default=0, ge=0)
    variant: str = Field(default="", description="Colour and/or size, e.g. '#03 正红' or '黑色/L'; empty for a SKU without variants")
    restock_on: date | None = None


class Stock(_Record):
    sku: str
    levels: list[StockLevel]

    @property
    def available(self) -> int:
        return sum(level.available for level in self.levels)

    @property
    def variants(self) -> list[str]:
        return sorted({level.variant for level in self.levels if level.variant})

    def available_of(self, variant: str) -> int:
        return sum(level.available for level in self.levels if level.variant == variant)

    def restock_of(self, variant: str) -> date | None:
        dates = [level.restock_on for level in self.levels if level.variant == variant and level.restock_on]
        return min(dates) if dates else None


class TrackingEvent(_Record):
    at: datetime
    status: str
    location: str = ""
    description: str = ""


class Shipment(_Record):
    tracking_number: str
    carrier: str
    order_id: str | None = None
    status: str
    events: list[TrackingEvent] = Field(default_factory=list)
    eta: datetime | None = None
    label_url: str | None = None
    pickup_window: str | None = None


class CatalogItem(_Record):
    sku: str
    name: str
    category: str
    supplier: str = ""


class Refund(_Record):
    refund_id: str
    order_id: str
    amount: float
    status: Literal["succeeded", "pending"]
    idempotency_key: str


class Coupon(_Record):
    coupon_id: str
    customer_id: str
    amount: float
    valid_until: datetime
    idempotency_key: str


class TransientSupplyError(Exception):
    """The other system is busy or briefly down: retry with backoff."""


class Lineup(_Record):
    """A live session's shopping bag: its products by link number, link 1 first."""

    live_session_id: str
    products: list[CatalogItem]


class Catalog(Protocol):
    def product(self, brand_id: str, sku: str) -> CatalogItem: ...

    def lineup(self, brand_id: str, live_session_id: str) -> Lineup: ...


class Orders(Protocol):
    def order(self, brand_id: str, order_id: str) -> Order: ...

    def orders_of(self, brand_id: str, customer_id: str, since: datetime) -> list[Order]:
        """The customer's orders paid since then, newest first."""
        ...


class Inventory(Protocol):
    def stock(self, brand_id: str, sku: str) -> Stock: ...


class Logistics(Protocol):
    def shipment(self, brand_id: str, tracking_number: str) -> Shipment: ...

    def return_pickup(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment:
        """A return label and a courier pickup for one line of an order."""
        ...

    def ship_replacement(self, brand_id: str, order: Order, sku: str, idempotency_key: str) -> Shipment: ...


class Payments(Protocol):
    def refund(self, brand_id: str, order_id: str, amount: float, idempotency_key: str) -> Refund:
        """Refund once per key: asking again with the same key returns the first refund."""
        ...


class Coupons(Protocol):
    def issue(self, brand_id: str, customer_id: str, amount: float, reason: str, idempotency_key: str) -> Coupon: ...


class SupplyChain(Catalog, Orders, Inventory, Logistics, Payments, Coupons, Protocol):
    """All six, as one adapter provides them."""
