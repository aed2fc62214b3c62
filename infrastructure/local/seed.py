"""Demo data for the local stack: two brands, their customers, orders, stock and parcels, and a few
conversations posted through the HTTP API like any channel would."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from livedesk.repositories import CustomerRepository
from livedesk.supply.dynamo import DynamoSupplyChain
from livedesk.supply.ports import CatalogItem, Order, OrderLine, Shipment, StockLevel, TrackingEvent
from livedesk.value import CustomerValue

if TYPE_CHECKING:
    from infrastructure.local.stack import LocalStack

CUSTOMERS = [
    ("lumi-beauty", "cust-1001", "王小美", CustomerValue(lifetime_spend=26800, order_count=41, vip_level=4, member_since=date(2021, 3, 8))),
    ("lumi-beauty", "cust-1002", "Emily Chen", CustomerValue(lifetime_spend=860, order_count=5, member_since=date(2024, 6, 1))),
    ("lumi-beauty", "cust-1003", "陳大文", CustomerValue(lifetime_spend=129, order_count=1, member_since=date(2026, 11, 10))),
    ("oak-home", "cust-2001", "李先生", CustomerValue(lifetime_spend=48200, order_count=7, vip_level=3, member_since=date(2019, 9, 30))),
    (
        "oak-home",
        "cust-2002",
        "Tom Baker",
        CustomerValue(lifetime_spend=3999, order_count=2, current_order_value=3999, member_since=date(2025, 1, 12)),
    ),
]
MESSAGES = [
    ("lumi-beauty", "live_comment", "dy-778001", "cust-1002", "live-2026-11-21-lb", "LB-SERUM-30", "这个精华敏感肌能用吗？"),
    ("lumi-beauty", "app_chat", "app-55120", "cust-1001", None, "LB-CREAM-50", "用了你们的面霜脸上过敏起红疹了，怎么办！！"),
    ("lumi-beauty", "dm", "dm-90211", "cust-1003", None, None, "快递三天了还没到，再不解决就投诉12315"),
    ("lumi-beauty", "email", "mail-3310", "cust-1002", None, "LB-SERUM-30", "Where is my order? It still says not shipped."),
    ("oak-home", "phone_transcript", "call-7781", "cust-2001", None, "OH-SOFA-3S", "沙发送到的时候扶手压坏了，我要换货"),
    ("oak-home", "app_chat", "app-88122", "cust-2002", None, "OH-LAMP-01", "Do you have the floor lamp in stock?"),
]
# Personal data customers really send; none of it may ever reach a log line (tests/e2e/test_zz_logs.py).
PERSONAL_DATA = {
    "phone": "13912345678",
    "id_card": "440305199003071236",
    "bank_card": "622202100112345678",
    "email": "tom.baker@example.com",
    "address_zh": "科技园路18号3栋502室",
    "address_en": "221B Baker Street",
}
PERSONAL_MESSAGES = [
    (
        "lumi-beauty",
        "app_chat",
        "app-55190",
        "cust-1003",
        None,
        None,
        f"改一下收货地址：广东省深圳市南山区{PERSONAL_DATA['address_zh']}，电话{PERSONAL_DATA['phone']}，"
        f"开发票用身份证{PERSONAL_DATA['id_card']}",
    ),
    (
        "oak-home",
        "email",
        "mail-4410",
        "cust-2002",
        None,
        None,
        f"Please refund to card {PERSONAL_DATA['bank_card']} and e-mail me at {PERSONAL_DATA['email']}; "
        f"I moved to {PERSONAL_DATA['address_en']}, London.",
    ),
]


def seed_customers(customers_table: Any) -> None:
    repository = CustomerRepository(customers_table)
    for brand_id, customer_id, name, value in CUSTOMERS:
        repository.put_profile(brand_id, customer_id, name, value)


def seed_messages(stack: LocalStack, messages: list[tuple[Any, ...]] | None = None) -> list[dict[str, Any]]:
    """Post the demo conversations (``messages``: the demo's, personal data included) as their channels would."""
    messages = [*MESSAGES, *PERSONAL_MESSAGES] if messages is None else messages
    start = datetime.now(UTC) - timedelta(minutes=len(messages))
    accepted = []
    for offset, (brand_id, channel, channel_message_id, customer_id, session, sku, text) in enumerate(messages):
        body = {
            "channel": channel,
            "channel_message_id": channel_message_id,
            "customer_id": customer_id,
            "text": text,
            "sent_at": (start + timedelta(minutes=offset)).isoformat(),
        }
        if session:
            body["live_session_id"] = session
        if sku:
            body["sku"] = sku
        response = stack.post_as_channel(brand_id, "/v1/messages", body)
        response.raise_for_status()
        accepted.append({"brand_id": brand_id, **response.json()})
    return accepted


def demo_orders(now: datetime) -> list[tuple[str, Order, int]]:
    """(brand, order, refund attempts that fail first): one of each after-sales case, dated from now."""

    def order(order_id: str, customer: str, lines: list[OrderLine], delivered_days_ago: float | None, **extra: Any) -> Order:
        delivered = now - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
        return Order(
            order_id=order_id,
            customer_id=customer,
            status="delivered" if delivered else "shipped",
            lines=lines,
            amount=sum(line.unit_price * line.quantity for line in lines),
            paid_at=(delivered or now) - timedelta(days=3),
            delivered_at=delivered,
            **extra,
        )

    serum = OrderLine(sku="LB-SERUM-30", name="Hydra 玻尿酸补水精华液 30ml", quantity=2, unit_price=199)
    cream = OrderLine(sku="LB-CREAM-50", name="修护面霜 50ml", quantity=1, unit_price=329)
    lipstick = OrderLine(sku="LB-LIPST-01", name="丝绒雾面唇膏 3.5g", quantity=1, unit_price=99)
    sofa = OrderLine(sku="OH-SOFA-3S", name="橡木家·云朵三人位科技布沙发", quantity=1, unit_price=5999)
    return [
        ("lumi-beauty", order("DD20261120001", "cust-1002", [serum], 3), 0),  # returnable
        ("lumi-beauty", order("DD20261001007", "cust-1002", [lipstick], 40), 0),  # past every window
        ("lumi-beauty", order("DD20261124003", "cust-1001", [cream], 2), 1),  # the payment gateway is busy once
        ("lumi-beauty", order("DD20261127011", "cust-1003", [serum], None, tracking_number="SF1234567890"), 0),  # on its way
        ("oak-home", order("DD20261118021", "cust-2001", [sofa], 5), 0),  # arrived damaged: an exchange
    ]


STOCK = [  # brand, SKU, warehouse, available, reserved
    ("lumi-beauty", "LB-SERUM-30", "hangzhou", 320, 12),
    ("lumi-beauty", "LB-SERUM-30", "shanghai", 80, 0),
    ("lumi-beauty", "LB-CREAM-50", "hangzhou", 0, 4),
    ("lumi-beauty", "LB-CREAM-50", "shanghai", 12, 0),
    ("oak-home", "OH-SOFA-3S", "foshan", 5, 1),
    ("oak-home", "OH-LAMP-01", "foshan", 40, 0),
]


def demo_catalog() -> list[tuple[str, CatalogItem]]:
    """The demo knowledge's products as the catalog knows them: name, category, supplier."""
    from infrastructure.local.knowledge import DEMO

    products = []
    for path in sorted(DEMO.glob("*/products.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            products.append(
                (row["brand_id"], CatalogItem(sku=row["sku"], name=row["name"], category=row["category"], supplier=row["supplier"]))
            )
    return products


def seed_supply(supply_table: Any, now: datetime | None = None) -> None:
    """Orders, stock and a parcel in transit for the demo customers (the DynamoDB supply adapter)."""
    now = now or datetime.now(UTC)
    supply = DynamoSupplyChain(supply_table)
    for brand_id, order, busy in demo_orders(now):
        supply.put_order(brand_id, order, transient_refund_failures=busy)
    for brand_id, sku, warehouse, available, reserved in STOCK:
        supply.put_stock(brand_id, sku, StockLevel(warehouse=warehouse, available=available, reserved=reserved))
    for product in demo_catalog():
        supply.put_product(*product)
    supply.put_shipment(
        "lumi-beauty",
        Shipment(
            tracking_number="SF1234567890",
            carrier="SF Express",
            order_id="DD20261127011",
            status="in_transit",
            events=[
                TrackingEvent(at=now - timedelta(days=2), status="picked_up", location="杭州", description="顺丰已揽收"),
                TrackingEvent(at=now - timedelta(days=1), status="in_transit", location="南京转运中心", description="快件已到达转运中心"),
            ],
            eta=now + timedelta(days=1),
        ),
    )
