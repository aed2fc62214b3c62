"""The outbox without AWS: replies go out once, signed as channels sign their own requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from livedesk.channels import verify
from livedesk.models import Author, Channel, ConversationMessage
from outbox.channels import ChannelBusy, Delivery, MissingChannelKey, Webhooks
from outbox.service import Outbox

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
KEYS = {("app_chat", "lumi-beauty"): "k-app-chat-lumi"}


class Keys:
    def key(self, channel: str, brand_id: str) -> str | None:
        return KEYS.get((channel, brand_id))


class Answer:
    def __init__(self, status: int) -> None:
        self.status = status


class Pool:
    """Records each request and answers with the next status."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses) or [200]
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        self.requests.append({"method": method, "url": url, "body": body, "headers": headers})
        return Answer(self.statuses.pop(0))


def _delivery(brand_id: str = "lumi-beauty", channel: Channel = Channel.APP_CHAT) -> Delivery:
    return Delivery(brand_id=brand_id, channel=channel, customer_id="c-1", message_id="msg-1-bot", in_reply_to="msg-1", text="您好，已发货")


def test_a_webhook_is_signed_with_the_brands_channel_key_and_carries_its_idempotency_key() -> None:
    pool = Pool(202)
    hooks = Webhooks({"app_chat": "https://chat.example/hooks/livedesk?tenant=7"}, Keys(), pool, clock=lambda: NOW.timestamp())  # type: ignore[arg-type]
    assert hooks.deliver(_delivery()) == "webhook 202"
    (sent,) = pool.requests
    assert sent["headers"]["Idempotency-Key"] == "msg-1-bot" and json.loads(sent["body"])["text"] == "您好，已发货"
    caller = verify(Keys(), sent["headers"], "POST", "/hooks/livedesk", sent["body"], NOW.timestamp(), frozenset({"app_chat"}), "tenant=7")
    assert (caller.brand_id, caller.channel) == ("lumi-beauty", "app_chat"), "the receiver checks it as LiveDesk checks channels"
    tampered = sent["body"].replace("已发货".encode(), "已退款".encode())
    with pytest.raises(Exception, match="bad signature"):
        verify(Keys(), sent["headers"], "POST", "/hooks/livedesk", tampered, NOW.timestamp(), frozenset({"app_chat"}), "tenant=7")


def test_a_reply_is_never_sent_unsigned_and_a_busy_channel_is_retried() -> None:
    pool = Pool(429)
    hooks = Webhooks({"app_chat": "https://chat.example/hook", "dm": "https://dm.example/hook"}, Keys(), pool)  # type: ignore[arg-type]
    with pytest.raises(MissingChannelKey):
        hooks.deliver(_delivery(brand_id="oak-home"))
    with pytest.raises(ChannelBusy):
        hooks.deliver(_delivery())
    assert hooks.deliver(_delivery(channel=Channel.EMAIL)) == "recorded", "a channel without a webhook is recorded only"


class Table:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def get_item(self, Key: dict[str, str], ConsistentRead: bool) -> dict[str, Any]:
        item = self.items.get((Key["pk"], Key["sk"]))
        return {"Item": item} if item else {}

    def update_item(self, Key: dict[str, str], ExpressionAttributeValues: dict[str, str], **_: Any) -> None:
        self.items.setdefault((Key["pk"], Key["sk"]), {}).update(
            delivered_at=ExpressionAttributeValues[":at"], delivery=ExpressionAttributeValues[":how"]
        )


class Channels:
    def __init__(self) -> None:
        self.delivered: list[Delivery] = []

    def deliver(self, delivery: Delivery) -> str:
        self.delivered.append(delivery)
        return "webhook 200"


def test_a_reply_handed_over_twice_goes_out_once_to_its_brand() -> None:
    table, channels = Table(), Channels()
    outbox = Outbox(table, channels, lambda: NOW)
    key = {"pk": "BRAND#lumi-beauty#CONV#conv-1", "sk": "MSG#2026-12-04T12:00:00+00:00#msg-1-bot"}
    reply = ConversationMessage(
        message_id="msg-1-bot",
        author=Author.BOT,
        in_reply_to="msg-1",
        channel=Channel.APP_CHAT,
        channel_message_id="msg-1-bot",
        customer_id="c-1",
        text="您好，已发货",
        sent_at=NOW,
    )
    assert outbox.send(key, reply) == "webhook 200"
    assert outbox.send(key, reply) == "webhook 200", "the stream's second hand-over finds it delivered"
    (delivery,) = channels.delivered
    assert delivery.brand_id == "lumi-beauty" and table.items[(key["pk"], key["sk"])]["delivered_at"] == NOW.isoformat()
