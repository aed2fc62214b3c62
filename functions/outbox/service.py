"""The outbox: every reply a bot or an agent writes into a conversation goes out on its channel,
once. The conversation table's stream hands each new reply over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from livedesk import keys
from livedesk.models import ConversationMessage
from outbox.channels import ChannelGateway, Delivery


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
        brand_id = keys.brand_of(key["pk"])
        if brand_id is None:
            raise ValueError(f"not a conversation key: {key['pk']!r}")
        delivery = Delivery(
            brand_id=brand_id,
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
