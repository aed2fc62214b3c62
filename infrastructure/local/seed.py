"""Demo data for the local stack: two brands, their customers, orders, stock and parcels, and a few
conversations posted through the HTTP API like any channel would."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from livedesk.customers.store import CustomerRepository
from livedesk.supply.dynamo import DynamoSupplyChain
from livedesk.supply.ports import CatalogItem, Lineup, Order, OrderLine, Shipment, StockLevel, TrackingEvent
from livedesk.value import CustomerValue

if TYPE_CHECKING:
    from infrastructure.local.stack import LocalStack

CUSTOMERS = [
    ("lumi-beauty", "cust-1001", "王小美", CustomerValue(lifetime_spend=26800, order_count=41, vip_level=4, member_since=date(2021, 3, 8))),
    ("lumi-beauty", "cust-1002", "Emily Chen", CustomerValue(lifetime_spend=860, order_count=5, member_since=date(2024, 6, 1))),
    ("lumi-beauty", "cust-1003", "陳大文", CustomerValue(lifetime_spend=129, order_count=1, member_since=date(2026, 11, 10))),
    ("lumi-beauty", "cust-1004", "Lily Zhang", CustomerValue(lifetime_spend=540, order_count=4, member_since=date(2025, 8, 2))),
    ("lumi-beauty", "cust-1005", "赵敏", CustomerValue(lifetime_spend=310, order_count=3, member_since=date(2025, 2, 14))),
    ("lumi-beauty", "cust-1006", "Jason Wu", CustomerValue(lifetime_spend=1290, order_count=9, member_since=date(2023, 5, 20))),
    ("lumi-beauty", "cust-1007", "孙悦", CustomerValue(lifetime_spend=0, order_count=0, member_since=date(2026, 11, 28))),
    ("oak-home", "cust-2001", "李先生", CustomerValue(lifetime_spend=48200, order_count=7, vip_level=3, member_since=date(2019, 9, 30))),
    (
        "oak-home",
        "cust-2002",
        "Tom Baker",
        CustomerValue(lifetime_spend=3999, order_count=2, current_order_value=3999, member_since=date(2025, 1, 12)),
    ),
    ("thread-lab", "cust-3001", "周杰", CustomerValue(lifetime_spend=899, order_count=3, member_since=date(2024, 10, 1))),
    ("zenvolt", "cust-4001", "Mark Lee", CustomerValue(lifetime_spend=299, order_count=1, member_since=date(2026, 11, 1))),
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


def demo_orders(now: datetime) -> list[tuple[str, Order]]:
    """(brand, order): one of each after-sales case, dated from now."""

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

    def paid(order_id: str, customer: str, lines: list[OrderLine], ship_by_days: float) -> Order:
        """Paid, not shipped yet; the promised shipping time is ``ship_by_days`` from now (negative: passed)."""
        return Order(
            order_id=order_id,
            customer_id=customer,
            status="paid",
            lines=lines,
            amount=sum(line.unit_price * line.quantity for line in lines),
            paid_at=now - timedelta(days=max(1.0, 2 - ship_by_days)),
            ship_by=now + timedelta(days=ship_by_days),
        )

    serum = OrderLine(sku="LB-SERUM-30", name="Hydra 玻尿酸补水精华液 30ml", quantity=2, unit_price=199)
    cream = OrderLine(sku="LB-CREAM-50", name="修护面霜 50ml", quantity=1, unit_price=329)
    lipstick = OrderLine(sku="LB-LIPST-01", name="丝绒雾面唇膏 3.5g", quantity=1, unit_price=99)
    sofa = OrderLine(sku="OH-SOFA-3S", name="橡木家·云朵三人位科技布沙发", quantity=1, unit_price=5999)
    lipstick_02 = OrderLine(sku="LB-LIPST-01", name="丝绒雾面唇膏 #02 枫叶红棕", quantity=1, unit_price=149)
    toner = OrderLine(sku="LB-TONER-15", name="氨基酸柔肤水 150ml", quantity=1, unit_price=139)
    mask = OrderLine(sku="LB-MASK-05", name="玻尿酸补水面膜 5片/盒", quantity=2, unit_price=89)
    cushion = OrderLine(sku="LB-CUSHN-02", name="柔雾持妆气垫 C20", quantity=1, unit_price=259)
    lamp = OrderLine(sku="OH-LAMP-01", name="Oak Home Arc Floor Lamp (matte black)", quantity=1, unit_price=399)
    hoodie = OrderLine(sku="TL-HOODIE-01", name="重磅加绒连帽卫衣 燕麦灰/L", quantity=1, unit_price=299)
    fryer = OrderLine(sku="ZV-FRYER-01", name="zenvolt 轻巧空气炸锅 4.5L 奶白", quantity=1, unit_price=299)
    return [
        ("lumi-beauty", order("DD20261120001", "cust-1002", [serum], 3)),  # returnable
        ("lumi-beauty", order("DD20261001007", "cust-1002", [lipstick], 40)),  # past every window
        ("lumi-beauty", order("DD20261124003", "cust-1001", [cream], 2)),
        ("lumi-beauty", order("DD20261127011", "cust-1003", [serum], None, tracking_number="SF1234567890")),  # on its way
        ("lumi-beauty", paid("DD20261201015", "cust-1004", [lipstick_02], 2)),  # two recent orders: which one?
        ("lumi-beauty", order("DD20261129008", "cust-1004", [toner], None, tracking_number="YT7012345678")),
        ("lumi-beauty", paid("DD20261125009", "cust-1005", [mask], -2)),  # the promised shipping date has passed
        ("lumi-beauty", order("DD20261122004", "cust-1006", [cushion], None, tracking_number="ZT5566778899")),  # late parcel
        ("oak-home", order("DD20261118021", "cust-2001", [sofa], 5)),  # arrived damaged: an exchange
        ("oak-home", order("DD20261128030", "cust-2002", [lamp], None, tracking_number="JD0098765432")),
        ("thread-lab", paid("DD20261130040", "cust-3001", [hoodie], 1)),
        ("zenvolt", order("DD20261126050", "cust-4001", [fryer], 4)),
    ]


# brand, tracking number, carrier, order, ETA in days from now, then (days ago, status, where, what) per event
PARCELS: list[tuple[str, str, str, str, float, tuple[tuple[float, str, str, str], ...]]] = [
    (
        "lumi-beauty",
        "SF1234567890",
        "SF Express",
        "DD20261127011",
        1,
        ((2, "picked_up", "杭州", "顺丰已揽收"), (1, "in_transit", "南京转运中心", "快件已到达转运中心")),
    ),
    (
        "lumi-beauty",
        "YT7012345678",
        "YTO Express",
        "DD20261129008",
        1,
        ((1.5, "picked_up", "杭州", "圆通已揽收"), (0.5, "in_transit", "上海", "运输中")),
    ),
    (
        "lumi-beauty",
        "ZT5566778899",
        "ZTO Express",
        "DD20261122004",
        -2,
        ((6, "picked_up", "杭州", "中通已揽收"), (3, "in_transit", "武汉", "运输中")),
    ),
    (
        "oak-home",
        "JD0098765432",
        "JD Logistics",
        "DD20261128030",
        1,
        ((2, "picked_up", "佛山", "京东物流已揽收"), (0.7, "in_transit", "广州", "分拣中心")),
    ),
]


def demo_shipments(now: datetime) -> list[tuple[str, Shipment]]:
    """Parcels of the demo orders, dated from now: three on time, one whose ETA passed two days ago."""
    return [
        (
            brand_id,
            Shipment(
                tracking_number=tracking,
                carrier=carrier,
                order_id=order_id,
                status="in_transit",
                events=[
                    TrackingEvent(at=now - timedelta(days=ago), status=s, location=at, description=what) for ago, s, at, what in events
                ],
                eta=now + timedelta(days=eta_days),
            ),
        )
        for brand_id, tracking, carrier, order_id, eta_days, events in PARCELS
    ]


STOCK = [  # brand, SKU, warehouse, available, reserved
    ("lumi-beauty", "LB-SERUM-30", "hangzhou", 320, 12),
    ("lumi-beauty", "LB-SERUM-30", "shanghai", 80, 0),
    ("lumi-beauty", "LB-CREAM-50", "hangzhou", 0, 4),
    ("lumi-beauty", "LB-CREAM-50", "shanghai", 12, 0),
    ("lumi-beauty", "LB-SUNSC-40", "hangzhou", 200, 0),
    ("lumi-beauty", "LB-EYECR-15", "hangzhou", 35, 0),
    ("oak-home", "OH-SOFA-3S", "foshan", 5, 1),
    ("oak-home", "OH-MATT-18", "foshan", 7, 0),
    ("zenvolt", "ZV-KETTLE-01", "ningbo", 60, 0),
]
# brand, SKU, variant, warehouse, available, restock date (sold-out variants)
VARIANT_STOCK: list[tuple[str, str, str, str, int, date | None]] = [
    ("lumi-beauty", "LB-LIPST-01", "#01 豆沙玫瑰", "hangzhou", 56, None),
    ("lumi-beauty", "LB-LIPST-01", "#02 枫叶红棕", "hangzhou", 0, date(2026, 12, 10)),
    ("lumi-beauty", "LB-LIPST-01", "#03 正红", "hangzhou", 23, None),
    ("lumi-beauty", "LB-LIPST-01", "#04 奶茶裸", "hangzhou", 0, None),
    ("lumi-beauty", "LB-LIPST-01", "#05 蜜桃珊瑚", "hangzhou", 18, None),
    ("lumi-beauty", "LB-LIPST-01", "#06 莓果紫红", "hangzhou", 31, None),
    ("lumi-beauty", "LB-CUSHN-02", "C10 象牙白", "hangzhou", 0, None),
    ("lumi-beauty", "LB-CUSHN-02", "C20 自然色", "hangzhou", 40, None),
    ("lumi-beauty", "LB-CUSHN-02", "C30 暖米色", "hangzhou", 15, None),
    ("lumi-beauty", "LB-MASK-05", "", "hangzhou", 0, date(2026, 12, 8)),
    *(
        (
            "thread-lab",
            "TL-HOODIE-01",
            f"{colour}/{size}",
            "suzhou",
            0 if (colour, size) in {("黑色", "L"), ("黑色", "XL"), ("雾蓝", "S")} else 25,
            None,
        )
        for colour in ("燕麦灰", "黑色", "雾蓝", "奶白")
        for size in ("S", "M", "L", "XL")
    ),
    *(
        ("thread-lab", "TL-JEANS-01", f"{colour}/{size}", "suzhou", 0 if (colour, size) == ("黑色", "27") else 20, None)
        for colour in ("深蓝", "复古浅蓝", "黑色")
        for size in ("25", "26", "27", "28", "29")
    ),
    ("oak-home", "OH-LAMP-01", "matte black", "foshan", 40, None),
    ("oak-home", "OH-LAMP-01", "cream white", "foshan", 0, None),
    ("zenvolt", "ZV-FRYER-01", "奶白", "ningbo", 100, None),
    ("zenvolt", "ZV-FRYER-01", "雾绿", "ningbo", 0, date(2026, 12, 15)),
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


def demo_lineups() -> list[tuple[str, Lineup]]:
    """The demo knowledge's live sessions as the shop's live cart lists them: products by link number."""
    from infrastructure.local.knowledge import DEMO

    catalog = {(brand, item.sku): item for brand, item in demo_catalog()}
    lineups = []
    for path in sorted(DEMO.glob("*/live_sessions.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            products = [catalog[(row["brand_id"], sku)] for sku in row["skus"] if (row["brand_id"], sku) in catalog]
            lineups.append((row["brand_id"], Lineup(live_session_id=row["session_id"], products=products)))
    return lineups


def seed_supply(supply_table: Any, now: datetime | None = None) -> None:
    """Orders, stock and a parcel in transit for the demo customers (the DynamoDB supply adapter)."""
    now = now or datetime.now(UTC)
    supply = DynamoSupplyChain(supply_table)
    for brand_id, order in demo_orders(now):
        supply.put_order(brand_id, order)
    for brand_id, sku, warehouse, available, reserved in STOCK:
        supply.put_stock(brand_id, sku, StockLevel(warehouse=warehouse, available=available, reserved=reserved))
    for brand_id, sku, variant, warehouse, available, restock in VARIANT_STOCK:
        supply.put_stock(brand_id, sku, StockLevel(warehouse=warehouse, available=available, variant=variant, restock_on=restock))
    for product in demo_catalog():
        supply.put_product(*product)
    for lineup in demo_lineups():
        supply.put_lineup(*lineup)
    for brand_id, shipment in demo_shipments(now):
        supply.put_shipment(brand_id, shipment)
