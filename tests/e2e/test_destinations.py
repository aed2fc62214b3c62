"""Every routing destination, reached in Chinese and in English, over HTTP on the local stack."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.conftest import Client

pytestmark = pytest.mark.e2e

# (queue, severity or None for the bot, language, text)
DESTINATIONS = [
    ("bot", None, "zh", "几号链接呀"),
    ("bot", None, "en", "which number is the link in the bag?"),
    ("pre_sale", "P4", "zh", "这件卫衣是纯棉的吗"),
    ("pre_sale", "P4", "en", "What is this hoodie made of, is it cotton?"),
    ("logistics", "P3", "zh", "地址写错了，帮我改一下收货地址"),
    ("logistics", "P3", "en", "I typed the wrong address, please change it"),
    ("after_sale", "P3", "zh", "我要退款，不想要了"),
    ("after_sale", "P3", "en", "I want a refund for this order"),
    ("technical", "P4", "zh", "蓝牙耳机怎么和手机配对"),
    ("technical", "P4", "en", "How do I pair the earbuds with my phone?"),
    ("supply_chain", "P2", "zh", "衣服洗了一次就掉色，質量太差"),
    ("supply_chain", "P2", "en", "The colour faded after one wash, really poor quality"),
    ("supervisor", "P2", "zh", "再不解决就投诉12315"),
    ("supervisor", "P2", "en", "Fix this today or I will file a chargeback and report you"),
    ("safety", "P1", "zh", "用了面霜脸上过敏起红疹"),
    ("safety", "P1", "en", "My face broke out in a rash and burns after using the cream"),
    ("general", "P4", "zh", "转人工"),
    ("general", "P4", "en", "let me talk to a real person"),
]


@pytest.fixture(scope="module")
def routed(api: Client) -> dict[str, dict[str, Any]]:
    """Post every message at once, let the stack route them, and return each stored message by text."""
    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    customers = {text: f"dest-{stamp}-{n}" for n, (_, _, _, text) in enumerate(DESTINATIONS)}
    for text, customer in customers.items():
        body = {
            "channel": "app_chat",
            "channel_message_id": f"{customer}-m",
            "customer_id": customer,
            "text": text,
            "sent_at": datetime.now(UTC).isoformat(),
        }
        assert api.post("/v1/messages", body).status_code == 202
    api.settle()
    found = {}
    for text, customer in customers.items():
        (conversation,) = api.get(f"/v1/customers/{customer}/conversations").json()["conversations"]
        found[text] = api.get(f"/v1/conversations/{conversation['conversation_id']}").json()["messages"][0]
    return found


@pytest.mark.parametrize(("queue", "severity", "lang", "text"), DESTINATIONS, ids=[f"{q}-{lang}" for q, _, lang, _ in DESTINATIONS])
def test_each_destination_is_reached_in_each_language(
    api: Client, routed: dict[str, dict[str, Any]], queue: str, severity: str | None, lang: str, text: str
) -> None:
    message = routed[text]
    routing = message["routing"]
    assert (routing["queue"], routing["severity"]) == (queue, severity), routing["reasons"]
    assert routing["reasons"][0].startswith("intent ") and routing["classifier_version"].startswith("intents:")
    if queue == "bot":
        assert routing["answer"] and message.get("ticket_id") is None
        return
    assert routing["answer"] is None
    ticket = api.get(f"/v1/tickets/{message['ticket_id']}").json()
    assert (ticket["skill"], ticket["severity"]) == (queue, severity)
