"""DynamoDB repositories. Every method takes the brand first: keys are built from it,
so a caller cannot read or write another brand's records."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from livedesk import keys
from livedesk.models import Conversation, ConversationMessage, InboundMessage
from livedesk.pii import ERASED
from livedesk.value import CustomerValue

CONVERSATION_INDEX = "by-customer"


def pages(call: Callable[..., dict[str, Any]], **request: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query or Scan (``call`` is the table's query or scan), page after page."""
    while True:
        page = call(**request)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _is_conditional_failure(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in {"pk", "sk", "gsi1pk", "gsi1sk", "expires_at"}}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


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
            **_decimalize(message.model_dump(mode="json", exclude_none=True)),
            "gsi1pk": keys.customer_inbound_pk(message.brand_id, message.customer_id),
            "gsi1sk": message.received_at.isoformat(),
            "state": "received",
            "expires_at": _epoch(message.received_at + self._retention),
        }
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if not _is_conditional_failure(error):
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
        with self._table.batch_writer() as batch:
            for pk, sk in sorted(found):
                batch.delete_item(Key={"pk": pk, "sk": sk})
        return len(found)

    def mark_queued(self, brand_id: str, message_id: str) -> None:
        self._table.update_item(
            Key=keys.inbound_message(brand_id, message_id),
            UpdateExpression="SET #state = :queued",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":queued": "queued"},
        )


@dataclass(frozen=True)
class CustomerProfile:
    value: CustomerValue
    open_conversation: tuple[str, datetime] | None
    open_ticket: tuple[str, str] | None = None  # (conversation, ticket) of the last ticket opened


VALUE_FIELDS = ("lifetime_spend", "order_count", "vip_level", "member_since", "current_order_value", "recent_contacts")
RECENT_CONTACTS_KEPT = 20


class CustomerRepository:
    def __init__(self, table: Any) -> None:
        self._table = table

    def profile(self, brand_id: str, customer_id: str) -> CustomerProfile:
        """An unknown customer has an empty value record and no open conversation."""
        item = self._table.get_item(Key=keys.customer_profile(brand_id, customer_id)).get("Item") or {}
        open_conversation = None
        if "open_conversation_id" in item:
            open_conversation = (item["open_conversation_id"], datetime.fromisoformat(item["open_conversation_last_at"]))
        value = CustomerValue.model_validate({name: item[name] for name in VALUE_FIELDS if name in item})
        open_ticket = (item["open_ticket_conversation_id"], item["open_ticket_id"]) if "open_ticket_id" in item else None
        return CustomerProfile(value, open_conversation, open_ticket)

    def erase(self, brand_id: str, customer_id: str) -> tuple[bool, set[str]]:
        """Delete the customer's profile: whether there was one, and the ticket it pointed at."""
        items = list(pages(self._table.query, KeyConditionExpression=Key("pk").eq(keys.customer_conversations_pk(brand_id, customer_id))))
        with self._table.batch_writer() as batch:
            for item in items:
                batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
        return bool(items), {str(item["open_ticket_id"]) for item in items if item.get("open_ticket_id")}

    def set_open_ticket(self, brand_id: str, customer_id: str, conversation_id: str, ticket_id: str) -> None:
        """The ticket a person works for the customer's conversation: later messages go to it."""
        self._table.update_item(
            Key=keys.customer_profile(brand_id, customer_id),
            UpdateExpression="SET open_ticket_id = :t, open_ticket_conversation_id = :c",
            ExpressionAttributeValues={":t": ticket_id, ":c": conversation_id},
        )

    def record_contact(self, brand_id: str, customer_id: str, at: datetime) -> None:
        """Remember when the customer wrote, keeping the latest few: repeated contact is a signal."""
        updated = self._table.update_item(
            Key=keys.customer_profile(brand_id, customer_id),
            UpdateExpression="SET recent_contacts = list_append(if_not_exists(recent_contacts, :empty), :at)",
            ExpressionAttributeValues={":empty": [], ":at": [at.isoformat()]},
            ReturnValues="UPDATED_NEW",
        )
        contacts = updated["Attributes"]["recent_contacts"]
        if len(contacts) > RECENT_CONTACTS_KEPT:
            self._table.update_item(
                Key=keys.customer_profile(brand_id, customer_id),
                UpdateExpression="SET recent_contacts = :kept",
                ExpressionAttributeValues={":kept": sorted(contacts)[-RECENT_CONTACTS_KEPT:]},
            )

    def set_open_conversation(self, brand_id: str, customer_id: str, conversation_id: str, at: datetime) -> None:
        """Point the customer at a conversation; a later message never moves the pointer back."""
        try:
            self._table.update_item(
                Key=keys.customer_profile(brand_id, customer_id),
                UpdateExpression="SET open_conversation_id = :c, open_conversation_last_at = :at, brand_id = :b, customer_id = :u",
                ConditionExpression="attribute_not_exists(open_conversation_last_at) OR open_conversation_last_at <= :at",
                ExpressionAttributeValues={":c": conversation_id, ":at": at.isoformat(), ":b": brand_id, ":u": customer_id},
            )
        except ClientError as error:
            if not _is_conditional_failure(error):
                raise

    def put_profile(self, brand_id: str, customer_id: str, display_name: str, value: CustomerValue) -> None:
        fields = {"display_name": display_name, "brand_id": brand_id, "customer_id": customer_id}
        fields |= _decimalize(value.model_dump(mode="json", exclude={"recent_contacts"}, exclude_none=True))
        self._table.update_item(
            Key=keys.customer_profile(brand_id, customer_id),
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in fields),
            ExpressionAttributeNames={f"#{name}": name for name in fields},
            ExpressionAttributeValues={f":{name}": v for name, v in fields.items()},
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
        expires_at = _epoch(message.sent_at + self._retention)
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
            if not _is_conditional_failure(error):
                raise

    def append_reply(self, brand_id: str, conversation_id: str, reply: ConversationMessage, to: ConversationMessage) -> None:
        """A reply sorts right after the message it answers, whenever it was sent; a second write changes nothing."""
        key = keys.conversation_message(brand_id, conversation_id, to.sent_at, reply.message_id)
        self._put_once(key, reply, _epoch(reply.sent_at + self._retention))

    def notify_once(self, brand_id: str, conversation_id: str, notice: ConversationMessage) -> bool:
        """A message LiveDesk sends on its own (a workflow step's notice), written at most once per
        ``notice.message_id`` however often the step runs. False if it was written before."""
        client = self._table.meta.client
        marker = {"Put": self._put_item({"pk": keys.conversation_pk(brand_id, conversation_id), "sk": f"SENT#{notice.message_id}"})}
        try:
            client.transact_write_items(TransactItems=[marker, self.reply_put(brand_id, conversation_id, notice)])
        except client.exceptions.TransactionCanceledException:
            return False
        return True

    def reply_put(self, brand_id: str, conversation_id: str, reply: ConversationMessage) -> dict[str, Any]:
        """A reply as a transaction item, to be written together with the ticket change it belongs to."""
        item = {
            **keys.conversation_message(brand_id, conversation_id, reply.sent_at, reply.message_id),
            **_decimalize(reply.model_dump(mode="json", exclude_none=True)),
            "expires_at": _epoch(reply.sent_at + self._retention),
        }
        return {"Put": self._put_item(item)}

    def _put_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """A conditional Put for the resource's client (plain values, serialized by boto3)."""
        return {"TableName": self._table.name, "Item": _decimalize(item), "ConditionExpression": "attribute_not_exists(pk)"}

    def _put_once(self, key: dict[str, str], message: ConversationMessage, expires_at: int) -> bool:
        try:
            self._table.put_item(
                Item={**key, **_decimalize(message.model_dump(mode="json", exclude_none=True)), "expires_at": expires_at},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if _is_conditional_failure(error):
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
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(pk)}
        while True:
            page = self._table.query(**query)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        meta = next((item for item in items if item["sk"] == "META"), None)
        if meta is None:
            return None
        messages = [ConversationMessage.model_validate(_plain(i)) for i in items if i["sk"].startswith(keys.MESSAGE_SK)]
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
            with self._table.batch_writer() as batch:
                for item in items:
                    batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
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


def _decimalize(value: Any) -> Any:
    """DynamoDB takes numbers as Decimal, never float."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimalize(v) for v in value]
    return value


@dataclass(frozen=True)
class LiveCluster:
    cluster_id: str
    intent: str
    representative: str
    signature: frozenset[str]
    members: int
    ticket_id: str | None
    answer: str | None = None  # the bot's answer, broadcast once to every viewer in the cluster
    answer_source: str | None = None  # the knowledge document it comes from


class LiveClusterRepository:
    """Groups of the same question asked by many viewers of one live session (conversations table)."""

    MAX_SAMPLE_MEMBERS = 20

    def __init__(self, table: Any, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    def for_session(self, brand_id: str, live_session_id: str) -> list[LiveCluster]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(keys.live_session_pk(brand_id, live_session_id)) & Key("sk").begins_with(keys.CLUSTER_SK)
        }
        clusters = []
        while True:
            page = self._table.query(**query)
            clusters += [
                LiveCluster(
                    cluster_id=item["cluster_id"],
                    intent=item["intent"],
                    representative=item["representative"],
                    signature=frozenset(item["signature"]),
                    members=int(item["members"]),
                    ticket_id=item.get("ticket_id"),
                    answer=item.get("answer"),
                    answer_source=item.get("answer_source"),
                )
                for item in page["Items"]
            ]
            if "LastEvaluatedKey" not in page:
                return clusters
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def forget_message(self, brand_id: str, live_session_id: str, message_id: str) -> int:
        """Take an erased message out of the session's clusters (the words too, where it was the
        cluster's representative); the clusters changed."""
        updated = 0
        query = Key("pk").eq(keys.live_session_pk(brand_id, live_session_id)) & Key("sk").begins_with(keys.CLUSTER_SK)
        for cluster in pages(self._table.query, KeyConditionExpression=query):
            if message_id not in (cluster.get("member_messages") or set()):
                continue
            expression, values = "DELETE member_messages :m", {":m": {message_id}}
            if cluster.get("representative_message_id") == message_id:
                expression += " SET representative = :erased"
                values[":erased"] = ERASED  # type: ignore[assignment]
            self._table.update_item(
                Key={"pk": cluster["pk"], "sk": cluster["sk"]}, UpdateExpression=expression, ExpressionAttributeValues=values
            )
            updated += 1
        return updated

    def create(self, brand_id: str, live_session_id: str, cluster: LiveCluster, message_id: str, at: datetime) -> bool:
        item = {
            **keys.live_cluster(brand_id, live_session_id, cluster.cluster_id),
            "cluster_id": cluster.cluster_id,
            "intent": cluster.intent,
            "representative": cluster.representative,
            "signature": sorted(cluster.signature),
            "members": 1,
            "member_messages": {message_id},
            "representative_message_id": message_id,  # erasure blanks the wording when this message goes
            "created_at": at.isoformat(),
            "expires_at": _epoch(at + self._retention),
        }
        if cluster.ticket_id:
            item["ticket_id"] = cluster.ticket_id
        if cluster.answer:
            item["answer"] = cluster.answer
        if cluster.answer_source:
            item["answer_source"] = cluster.answer_source
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def join(self, brand_id: str, live_session_id: str, cluster_id: str, message_id: str) -> int:
        """Count a viewer's message in the cluster once, however often it is delivered."""
        try:
            updated = self._table.update_item(
                Key=keys.live_cluster(brand_id, live_session_id, cluster_id),
                UpdateExpression="ADD members :one, member_messages :message",
                ConditionExpression="NOT contains(member_messages, :id) AND size(member_messages) < :cap",
                ExpressionAttributeValues={":one": 1, ":message": {message_id}, ":id": message_id, ":cap": self.MAX_SAMPLE_MEMBERS},
                ReturnValues="UPDATED_NEW",
            )
            return int(updated["Attributes"]["members"])
        except ClientError as error:
            if not _is_conditional_failure(error):
                raise
        # Already counted, or past the sample cap: count without keeping the id.
        item = self._table.get_item(Key=keys.live_cluster(brand_id, live_session_id, cluster_id))["Item"]
        if message_id in item.get("member_messages", set()):
            return int(item["members"])
        updated = self._table.update_item(
            Key=keys.live_cluster(brand_id, live_session_id, cluster_id),
            UpdateExpression="ADD members :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        return int(updated["Attributes"]["members"])


class KnowledgeGapRepository:
    """Queries the knowledge could not answer, for review (knowledge table). Callers pass the
    query with phone and order numbers already masked."""

    def __init__(self, table: Any, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    def record(self, brand_id: str, query: str, reason: str, top_doc_id: str | None, at: datetime, customer_id: str | None = None) -> None:
        digest = hashlib.sha256(query.encode()).hexdigest()[:12]
        item: dict[str, Any] = {**keys.knowledge_gap(brand_id, at, digest), "query": query, "reason": reason, "at": at.isoformat()}
        item["expires_at"] = _epoch(at + self._retention)
        if top_doc_id:
            item["top_doc_id"] = top_doc_id
        if customer_id:
            item["customer_id"] = customer_id  # for erasure; never shown in gap reports
        self._table.put_item(Item=item)

    def between(self, brand_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Every gap recorded in [start, end), oldest first."""
        condition = Key("pk").eq(keys.knowledge_gaps_pk(brand_id)) & Key("sk").between(start.isoformat(), end.isoformat())
        query: dict[str, Any] = {"KeyConditionExpression": condition}
        items: list[dict[str, Any]] = []
        while True:
            page = self._table.query(**query)
            items += [{k: v for k, v in item.items() if k not in ("pk", "expires_at", "customer_id")} for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def erase_customer(self, brand_id: str, customer_id: str) -> int:
        condition = Key("pk").eq(keys.knowledge_gaps_pk(brand_id))
        found = list(pages(self._table.query, KeyConditionExpression=condition, FilterExpression=Attr("customer_id").eq(customer_id)))
        with self._table.batch_writer() as batch:
            for gap in found:
                batch.delete_item(Key={"pk": gap["pk"], "sk": gap["sk"]})
        return len(found)

    def recent(self, brand_id: str, limit: int = 50) -> list[dict[str, Any]]:
        page = self._table.query(KeyConditionExpression=Key("pk").eq(keys.knowledge_gaps_pk(brand_id)), ScanIndexForward=False, Limit=limit)
        return [{k: v for k, v in item.items() if k not in ("pk", "sk", "expires_at", "customer_id")} for item in page["Items"]]


class IngestionReportRepository:
    """The latest ingestion result of each knowledge file (knowledge table): documents loaded and bad rows."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def record(self, report: Any, at: datetime) -> None:
        item = {
            **keys.ingestion_report(report.brand_id, report.key),
            "documents": report.documents,
            "errors": report.errors,
            "at": at.isoformat(),
        }
        self._table.put_item(Item=item)

    def for_brand(self, brand_id: str) -> list[dict[str, Any]]:
        pk = keys.ingestion_report(brand_id, "")["pk"]
        items = self._table.query(KeyConditionExpression=Key("pk").eq(pk))["Items"]
        return [{"key": i["sk"], "documents": int(i["documents"]), "errors": list(i["errors"]), "at": i["at"]} for i in items]
