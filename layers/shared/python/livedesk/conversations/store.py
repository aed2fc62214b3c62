"""Conversations and the inbound record of every accepted message (conversations table). Every
method takes the brand first: keys are built from it, so a caller cannot reach another brand's records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from livedesk import keys
from livedesk.dynamo import decimalize, delete_all, epoch, is_conditional_failure, pages, plain
from livedesk.models import Conversation, ConversationMessage, InboundMessage

CONVERSATION_INDEX = "by-customer"


@dataclass(frozen=True)
class StoredInbound:
    text: str
    state: str


@dataclass(frozen=True)
class ErasedConversations:
    """What erasing a customer's conversations removed, and what other stores must still forget."""

    conversations: int
    messages: int
    ticket_ids: frozenset[str]
    customer_messages: frozenset[str]  # ids of what the customer wrote: their inbound records go too
    live_messages: tuple[tuple[str, str], ...]  # (live session, message id): the clusters they are in


class InboundMessageRepository:
    """The durable record of every accepted message, written by intake."""

    def __init__(self, table: Any, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    def add_if_new(self, message: InboundMessage) -> StoredInbound | None:
        """Store a new message; for a known one return what is stored instead."""
        item = {
            **keys.inbound_message(message.brand_id, message.message_id),
            **decimalize(message.model_dump(mode="json", exclude_none=True)),
            "gsi1pk": keys.customer_inbound_pk(message.brand_id, message.customer_id),
            "gsi1sk": message.received_at.isoformat(),
            "state": "received",
            "expires_at": epoch(message.received_at + self._retention),
        }
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            stored = self._table.get_item(Key=keys.inbound_message(message.brand_id, message.message_id), ConsistentRead=True)
            return StoredInbound(text=stored["Item"]["text"], state=stored["Item"]["state"])
        return None

    def erase_customer(self, brand_id: str, customer_id: str, message_ids: frozenset[str] = frozenset()) -> int:
        """Delete every record of what the customer sent (live-comment noise routing dropped
        included), and those of ``message_ids`` (written before records had the customer index)."""
        found = {
            (str(item["pk"]), str(item["sk"]))
            for item in pages(
                self._table.query,
                IndexName=CONVERSATION_INDEX,
                KeyConditionExpression=Key("gsi1pk").eq(keys.customer_inbound_pk(brand_id, customer_id)),
            )
        }
        found |= {(key["pk"], key["sk"]) for key in (keys.inbound_message(brand_id, message_id) for message_id in message_ids)}
        delete_all(self._table, ({"pk": pk, "sk": sk} for pk, sk in sorted(found)))
        return len(found)

    def mark_queued(self, brand_id: str, message_id: str) -> None:
        self._table.update_item(
            Key=keys.inbound_message(brand_id, message_id),
            UpdateExpression="SET #state = :queued",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":queued": "queued"},
        )


class ConversationRepository:
    def __init__(self, table: Any, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    def append(self, brand_id: str, conversation_id: str, message: ConversationMessage) -> None:
        """Store the message once and fold it into the conversation summary. Every part of the summary
        is idempotent but the count, which only the first store adds: a redelivery after a failure
        between the two writes still makes the conversation whole (listed, channels, times), and its
        count then misses at most that message (display only; KPIs come from the analytics facts)."""
        expires_at = epoch(message.sent_at + self._retention)
        first = self._put_once(
            keys.conversation_message(brand_id, conversation_id, message.sent_at, message.message_id), message, expires_at
        )
        sent = message.sent_at.isoformat()
        count = (
            " ADD message_count :one, channels :channel"
            if first
            else ", message_count = if_not_exists(message_count, :one) ADD channels :channel"
        )
        self._table.update_item(
            Key=keys.conversation_meta(brand_id, conversation_id),
            UpdateExpression=(
                "SET conversation_id = :id, customer_id = :cust, brand_id = :brand,"
                " started_at = if_not_exists(started_at, :sent),"
                " gsi1pk = :gpk, gsi1sk = if_not_exists(gsi1sk, :gsk),"
                " last_message_at = if_not_exists(last_message_at, :sent), expires_at = :exp" + count
            ),
            ExpressionAttributeValues={
                ":id": conversation_id,
                ":cust": message.customer_id,
                ":brand": brand_id,
                ":sent": sent,
                ":gpk": keys.customer_conversations_pk(brand_id, message.customer_id),
                ":gsk": f"CONV#{sent}#{conversation_id}",
                ":exp": expires_at,
                ":one": 1,
                ":channel": {message.channel.value},
            },
        )
        # Move last_message_at forward only; messages may arrive out of order.
        try:
            self._table.update_item(
                Key=keys.conversation_meta(brand_id, conversation_id),
                UpdateExpression="SET last_message_at = :sent",
                ConditionExpression="last_message_at < :sent",
                ExpressionAttributeValues={":sent": sent},
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise

    def append_reply(self, brand_id: str, conversation_id: str, reply: ConversationMessage, to: ConversationMessage) -> None:
        """A reply sorts right after the message it answers, whenever it was sent; a second write changes nothing."""
        key = keys.conversation_message(brand_id, conversation_id, to.sent_at, reply.message_id)
        self._put_once(key, reply, epoch(reply.sent_at + self._retention))

    def notify_once(self, brand_id: str, conversation_id: str, notice: ConversationMessage) -> bool:
        """A message LiveDesk sends on its own (a workflow step's notice), written at most once per
        ``notice.message_id`` however often the step runs. False if it was written before."""
        client = self._table.meta.client
        marker = {"Put": self._put_item(keys.conversation_notice_sent(brand_id, conversation_id, notice.message_id))}
        try:
            client.transact_write_items(TransactItems=[marker, self.reply_put(brand_id, conversation_id, notice)])
        except client.exceptions.TransactionCanceledException:
            return False
        return True

    def reply_put(self, brand_id: str, conversation_id: str, reply: ConversationMessage) -> dict[str, Any]:
        """A reply as a transaction item, to be written together with the ticket change it belongs to."""
        item = {
            **keys.conversation_message(brand_id, conversation_id, reply.sent_at, reply.message_id),
            **decimalize(reply.model_dump(mode="json", exclude_none=True)),
            "expires_at": epoch(reply.sent_at + self._retention),
        }
        return {"Put": self._put_item(item)}

    def _put_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """A conditional Put for the resource's client (plain values, serialized by boto3)."""
        return {"TableName": self._table.name, "Item": decimalize(item), "ConditionExpression": "attribute_not_exists(pk)"}

    def _put_once(self, key: dict[str, str], message: ConversationMessage, expires_at: int) -> bool:
        try:
            self._table.put_item(
                Item={**key, **decimalize(message.model_dump(mode="json", exclude_none=True)), "expires_at": expires_at},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if is_conditional_failure(error):
                return False
            raise
        return True

    def set_ticket(self, brand_id: str, conversation_id: str, message: ConversationMessage, ticket_id: str) -> None:
        self._table.update_item(
            Key=keys.conversation_message(brand_id, conversation_id, message.sent_at, message.message_id),
            UpdateExpression="SET ticket_id = :t",
            ExpressionAttributeValues={":t": ticket_id},
        )

    def get(self, brand_id: str, conversation_id: str) -> tuple[Conversation, list[ConversationMessage]] | None:
        pk = keys.conversation_pk(brand_id, conversation_id)
        items = list(pages(self._table.query, KeyConditionExpression=Key("pk").eq(pk)))
        meta = next((item for item in items if item["sk"] == keys.META_SK), None)
        if meta is None:
            return None
        messages = [ConversationMessage.model_validate(plain(i)) for i in items if i["sk"].startswith(keys.MESSAGE_SK)]
        return _conversation(meta), messages

    def erase_customer(self, brand_id: str, customer_id: str) -> ErasedConversations:
        """Delete every conversation of the customer with all its messages."""
        conversations = messages = 0
        tickets: set[str] = set()
        written: set[str] = set()
        live: list[tuple[str, str]] = []
        for head in pages(
            self._table.query,
            IndexName=CONVERSATION_INDEX,
            KeyConditionExpression=Key("gsi1pk").eq(keys.customer_conversations_pk(brand_id, customer_id)),
        ):
            items = list(pages(self._table.query, KeyConditionExpression=Key("pk").eq(head["pk"])))
            found = [item for item in items if str(item["sk"]).startswith(keys.MESSAGE_SK)]
            tickets.update(str(item["ticket_id"]) for item in items if item.get("ticket_id"))
            written.update(str(m["message_id"]) for m in found if m.get("author") == "customer")
            live += [(str(m["live_session_id"]), str(m["message_id"])) for m in found if m.get("live_session_id")]
            delete_all(self._table, items)
            conversations, messages = conversations + 1, messages + len(found)
        return ErasedConversations(conversations, messages, frozenset(tickets), frozenset(written), tuple(live))

    def list_for_customer(self, brand_id: str, customer_id: str, limit: int = 50) -> list[Conversation]:
        page = self._table.query(
            IndexName=CONVERSATION_INDEX,
            KeyConditionExpression=Key("gsi1pk").eq(keys.customer_conversations_pk(brand_id, customer_id)),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_conversation(item) for item in page["Items"]]


def _conversation(meta: dict[str, Any]) -> Conversation:
    return Conversation(
        conversation_id=meta["conversation_id"],
        customer_id=meta["customer_id"],
        started_at=meta["started_at"],
        last_message_at=meta["last_message_at"],
        channels=sorted(meta.get("channels", set())),
        message_count=int(meta["message_count"]),
    )
