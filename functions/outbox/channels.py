"""Delivering a reply to the channel it answers: a port, a webhook adapter per channel, and the
local default that only records the delivery."""

from __future__ import annotations

import json
from typing import Protocol

import urllib3
from pydantic import BaseModel

from livedesk.models import Channel


class Delivery(BaseModel):
    brand_id: str
    channel: Channel
    customer_id: str
    message_id: str
    in_reply_to: str | None
    text: str


class ChannelBusy(Exception):
    """The channel asked us to come back later: the stream retries the record."""


class ChannelGateway(Protocol):
    def deliver(self, delivery: Delivery) -> str:
        """Send the text; returns how it went out (an id or a description)."""
        ...


class RecordedOnly:
    """No channel endpoint configured (local stack, tests): the conversation records the delivery."""

    def deliver(self, delivery: Delivery) -> str:
        return "recorded"


class Webhooks:
    """POST the delivery as JSON to the channel's endpoint (``CHANNEL_WEBHOOKS``: {"app_chat": "https://…"});
    a channel without one is recorded only. 429 and 5xx are retried by the stream."""

    def __init__(self, urls: dict[str, str], pool: urllib3.PoolManager | None = None) -> None:
        self._urls = urls
        self._pool = pool or urllib3.PoolManager(timeout=urllib3.Timeout(total=5.0), retries=False)

    def deliver(self, delivery: Delivery) -> str:
        url = self._urls.get(delivery.channel.value)
        if not url:
            return "recorded"
        response = self._pool.request(
            "POST",
            url,
            body=json.dumps(delivery.model_dump(mode="json"), ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": delivery.message_id},
        )
        if response.status == 429 or response.status >= 500:
            raise ChannelBusy(f"{delivery.channel.value} webhook answered {response.status}")
        if response.status >= 400:
            raise ValueError(f"{delivery.channel.value} webhook refused the message: {response.status}")
        return f"webhook {response.status}"
