"""The demo world's supply chain held in memory: what self-service reads, for unit tests and the
routing benchmark (the local stack seeds the same data into the DynamoDB adapter)."""

from __future__ import annotations

from datetime import datetime

from infrastructure.local.seed import STOCK, VARIANT_STOCK, demo_catalog, demo_lineups, demo_orders, demo_shipments
from livedesk.errors import NotFound
from livedesk.supply.ports import CatalogItem, Lineup, Order, Shipment, Stock, StockLevel, TransientSupplyError


class InMemorySupply:
    """The demo world's orders, parcels, stock, catalog and live carts (the supply ports self-service reads)."""

    def __init__(self, now: datetime, fail: bool = False) -> None:
        self.orders = {(brand, order.order_id): order for brand, order in demo_orders(now)}
        self.shipments = {(brand, s.tracking_number): s for brand, s in demo_shipments(now)}
        self.stock_levels: dict[tuple[str, str], list[StockLevel]] = {}
        for brand, sku, warehouse, available, reserved in STOCK:
            self.stock_levels.setdefault((brand, sku), []).append(StockLevel(warehouse=warehouse, available=available, reserved=reserved))
        for brand, sku, variant, warehouse, available, restock in VARIANT_STOCK:
            level = StockLevel(warehouse=warehouse, available=available, variant=variant, restock_on=restock)
            self.stock_levels.setdefault((brand, sku), []).append(level)
        self.products = {(brand, item.sku): item for brand, item in demo_catalog()}
        self.lineups = {(brand, lineup.live_session_id): lineup for brand, lineup in demo_lineups()}
        self.fail = fail

    def _check(self) -> None:
        if self.fail:
            raise TransientSupplyError("ERP timed out")

    def order(self, brand_id: str, order_id: str) -> Order:
        self._check()
        if (brand_id, order_id) not in self.orders:
            raise NotFound(order_id)
        return self.orders[(brand_id, order_id)]

    def orders_of(self, brand_id: str, customer_id: str, since: datetime) -> list[Order]:
        self._check()
        mine = [o for (b, _), o in self.orders.items() if b == brand_id and o.customer_id == customer_id and o.paid_at >= since]
        return sorted(mine, key=lambda o: o.paid_at, reverse=True)

    def shipment(self, brand_id: str, tracking_number: str) -> Shipment:
        self._check()
        if (brand_id, tracking_number) not in self.shipments:
            raise NotFound(tracking_number)
        return self.shipments[(brand_id, tracking_number)]

    def stock(self, brand_id: str, sku: str) -> Stock:
        self._check()
        if (brand_id, sku) not in self.stock_levels:
            raise NotFound(sku)
        return Stock(sku=sku, levels=self.stock_levels[(brand_id, sku)])

    def product(self, brand_id: str, sku: str) -> CatalogItem:
        self._check()
        if (brand_id, sku) not in self.products:
            raise NotFound(sku)
        return self.products[(brand_id, sku)]

    def lineup(self, brand_id: str, live_session_id: str) -> Lineup:
        self._check()
        if (brand_id, live_session_id) not in self.lineups:
            raise NotFound(live_session_id)
        return self.lineups[(brand_id, live_session_id)]
