"""The outbox: every reply a bot or an agent writes into a conversation goes out on its channel,
once. The conversation table's stream hands each new reply over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from livedesk.models import ConversationMessage
from outbox.channels import ChannelGateway, Delivery


def brand_of(pk: str) -> str:
    """BRAND#<brand>#CONV#<conversation> -> <brand>"""
    return pk.split("#", 2)[1]


class Outbox:
    def __init__(self, table: Any, channels: ChannelGateway, clock: Callable[[], datetime]) -> None:
        self._table = table
        self._channels = channels
        self._clock = clock

    def send(self, key: dict[str, str], reply: ConversationMessage) -> str:
        """Deliver unless it went out already (the stream may hand a record over twice)."""
        current = self._table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
        if "delivered_at" in current:
            return str(current.get("delivery", "delivered"))
        delivery = Delivery(
            brand_id=brand_of(key["pk"]),
            channel=reply.channel,
            customer_id=reply.customer_id,
            message_id=reply.message_id,
            in_reply_to=reply.in_reply_to,
            text=reply.text,
        )
        outcome = self._channels.deliver(delivery)
        self._table.update_item(
            Key=key,
            UpdateExpression="SET delivered_at = :at, delivery = :how",
            ExpressionAttributeValues={":at": self._clock().isoformat(), ":how": outcome},
        )
        return outcome
