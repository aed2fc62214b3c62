"""Intake: accept a channel message once and put it on the inbound queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from livedesk import ids
from livedesk.conversations.store import InboundMessageRepository
from livedesk.modelbase import Model
from livedesk.models import InboundMessage, MessageIn


class MessageAccepted(Model):
    message_id: str
    status: str = "accepted"


class ConflictingDuplicate(Exception):
    """The channel reused a message id for a different text."""


# How far a message's sent_at may be from its arrival: a channel's clock a little ahead, an e-mail
# answered from a month's backlog. Outside it a time is a mistake (year 9999 would overflow the TTL).
CLOCK_SKEW = timedelta(minutes=10)
OLDEST = timedelta(days=30)


class ImplausibleSentAt(ValueError):
    """sent_at is far in the future or older than any message a channel still delivers."""


class InboundQueue(Protocol):
    def send(self, message: InboundMessage) -> None: ...


class SqsInboundQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, message: InboundMessage) -> None:
        self._sqs.send_message(
            QueueUrl=self._queue_url,
            MessageBody=message.model_dump_json(),
            MessageAttributes={"brand_id": {"DataType": "String", "StringValue": message.brand_id}},
        )


class IntakeService:
    def __init__(self, messages: InboundMessageRepository, queue: InboundQueue, clock: Callable[[], datetime]) -> None:
        self._messages = messages
        self._queue = queue
        self._clock = clock

    def prepare(self, brand_id: str, message: MessageIn, correlation_id: str | None) -> InboundMessage:
        received = self._clock()
        if not received - OLDEST <= message.sent_at <= received + CLOCK_SKEW:
            raise ImplausibleSentAt(
                f"sent_at must lie between {OLDEST.days} days before and {CLOCK_SKEW.seconds // 60} minutes after the time it arrives"
            )
        return InboundMessage(
            **message.model_dump(),
            brand_id=brand_id,
            message_id=ids.message_id(brand_id, message.channel.value, message.channel_message_id),
            received_at=received,
            correlation_id=correlation_id,
        )

    def accept(self, message: InboundMessage) -> MessageAccepted:
        """Store then enqueue. A retry after a failed enqueue enqueues again; routing is idempotent."""
        existing = self._messages.add_if_new(message)
        if existing is not None:
            if existing.text != message.text:
                raise ConflictingDuplicate(message.message_id)
            if existing.state == "queued":
                return MessageAccepted(message_id=message.message_id)
        self._queue.send(message)
        self._messages.mark_queued(message.brand_id, message.message_id)
        return MessageAccepted(message_id=message.message_id)
