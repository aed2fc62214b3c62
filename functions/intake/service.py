"""Intake: accept a channel message once and put it on the inbound queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from livedesk import ids
from livedesk.models import InboundMessage, MessageIn
from livedesk.repositories import InboundMessageRepository


class MessageAccepted(BaseModel):
    message_id: str
    status: str = "accepted"


class ConflictingDuplicate(Exception):
    """The channel reused a message id for a different text."""


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
        return InboundMessage(
            **message.model_dump(),
            brand_id=brand_id,
            message_id=ids.message_id(brand_id, message.channel.value, message.channel_message_id),
            received_at=self._clock(),
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
