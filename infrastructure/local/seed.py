"""Demo data for the local stack: two brands, their customers, and a few conversations
posted through the HTTP API like any channel would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

from livedesk.repositories import CustomerRepository
from livedesk.value import CustomerValue

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


def seed_customers(customers_table: Any) -> None:
    repository = CustomerRepository(customers_table)
    for brand_id, customer_id, name, value in CUSTOMERS:
        repository.put_profile(brand_id, customer_id, name, value)


def seed_messages(base_url: str) -> list[dict[str, Any]]:
    start = datetime.now(UTC) - timedelta(minutes=len(MESSAGES))
    accepted = []
    for offset, (brand_id, channel, channel_message_id, customer_id, session, sku, text) in enumerate(MESSAGES):
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
        response = requests.post(f"{base_url}/v1/messages", json=body, headers={"x-livedesk-brand": brand_id}, timeout=30)
        response.raise_for_status()
        accepted.append({"brand_id": brand_id, **response.json()})
    return accepted
