"""Delivering a reply to the channel it answers: a port, a webhook adapter per channel, and the
local default that only records the delivery."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

import urllib3

from livedesk.channels import ChannelKeys, signed_headers
from livedesk.modelbase import Model
from livedesk.models import Channel


class Delivery(Model):
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


class MissingChannelKey(Exception):
    """The brand has no signing key for the channel: the reply is never sent unsigned (it dead-letters)."""


class Webhooks:
    """POST the delivery as JSON to the channel's endpoint (``CHANNEL_WEBHOOKS``: {"app_chat": "https://…"});
    a channel without one is recorded only. 429 and 5xx are retried by the stream.

    Each request is signed as channels sign theirs (``livedesk.channels``, v2): the brand's key for the
    channel over the time, method, path, query, brand, channel and body, so the receiver can check it
    came from LiveDesk and is fresh. Delivery is at least once: a retry after a lost answer sends the
    same ``Idempotency-Key`` (the reply's message id), which the receiver uses to drop the repeat."""

    def __init__(
        self,
        urls: dict[str, str],
        keys: ChannelKeys,
        pool: urllib3.PoolManager | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._urls = urls
        self._keys = keys
        self._pool = pool or urllib3.PoolManager(timeout=urllib3.Timeout(total=5.0), retries=False)
        self._clock = clock

    def deliver(self, delivery: Delivery) -> str:
        channel = delivery.channel.value
        url = self._urls.get(channel)
        if not url:
            return "recorded"
        key = self._keys.key(channel, delivery.brand_id)
        if key is None:
            raise MissingChannelKey(f"brand {delivery.brand_id} has no {channel} key: the reply is not sent unsigned")
        body = json.dumps(delivery.model_dump(mode="json"), ensure_ascii=False).encode()
        target = urlsplit(url)
        signature = signed_headers(key, delivery.brand_id, channel, "POST", target.path or "/", body, self._clock(), target.query)
        response = self._pool.request(
            "POST",
            url,
            body=body,
            headers={"Content-Type": "application/json", "Idempotency-Key": delivery.message_id, **signature},
        )
        if response.status == 429 or response.status >= 500:
            raise ChannelBusy(f"{delivery.channel.value} webhook answered {response.status}")
        if response.status >= 400:
            raise ValueError(f"{delivery.channel.value} webhook refused the message: {response.status}")
        return f"webhook {response.status}"
