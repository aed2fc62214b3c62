"""Administration: erase a customer's data everywhere, anonymise tickets past their retention, and
inspect and redrive the dead-letter queues. Every action is written to the audit log."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from livedesk import keys
from livedesk.analytics.store import AnalyticsStore
from livedesk.audit import AuditLog
from livedesk.clusters.store import LiveClusterRepository
from livedesk.conversations.store import ConversationRepository, InboundMessageRepository
from livedesk.customers.store import CustomerRepository
from livedesk.errors import InvalidRequest, NotFound
from livedesk.identity import Actor
from livedesk.knowledge.gaps import KnowledgeGapRepository
from livedesk.modelbase import Model
from livedesk.pii import mask
from livedesk.tickets.repository import TicketRepository


class ErasureReport(Model):
    customer_id: str
    conversations_deleted: int = 0
    messages_deleted: int = 0
    inbound_records_deleted: int = 0
    profile_deleted: bool = False
    tickets_anonymised: int = 0
    history_events_redacted: int = 0
    facts_anonymised: int = 0
    knowledge_gaps_deleted: int = 0
    live_clusters_updated: int = 0
    dead_letters_deleted: int = 0
    pseudonym: str = Field(description="What the customer's id became where records are kept (tickets, KPI facts)")


class RetentionReport(Model):
    tickets_anonymised: int
    history_events_redacted: int
    cutoff: datetime


@dataclass(frozen=True)
class Stores:
    """Every store that keeps something of a customer: each erases its own."""

    inbound: InboundMessageRepository
    conversations: ConversationRepository
    clusters: LiveClusterRepository
    customers: CustomerRepository
    tickets: TicketRepository
    facts: AnalyticsStore
    gaps: KnowledgeGapRepository


class Erasure:
    """``DELETE /v1/customers/{id}/data``: what the customer wrote is deleted; records the business
    must keep (tickets, KPI facts) keep no link to them."""

    def __init__(self, stores: Stores, audit: AuditLog, clock: Callable[[], datetime], dead_letters: DeadLetters | None = None) -> None:
        self._stores = stores
        self._audit = audit
        self._clock = clock
        self._dead_letters = dead_letters

    def erase(self, actor: Actor, customer_id: str) -> ErasureReport:
        brand_id, stores = actor.brand_id, self._stores
        pseudonym = f"erased-{uuid.uuid4().hex[:12]}"
        conversations = stores.conversations.erase_customer(brand_id, customer_id)
        clusters = sum(stores.clusters.forget_message(brand_id, session, message) for session, message in conversations.live_messages)
        inbound = stores.inbound.erase_customer(brand_id, customer_id, conversations.customer_messages)
        profile, open_tickets = stores.customers.erase(brand_id, customer_id)
        tickets = redacted = 0
        for ticket_id in sorted(conversations.ticket_ids | open_tickets):
            events = stores.tickets.anonymise(brand_id, ticket_id, pseudonym, self._clock())
            if events is not None:  # None: a ticket id that no longer exists
                tickets, redacted = tickets + 1, redacted + events
        report = ErasureReport(
            customer_id=customer_id,
            pseudonym=pseudonym,
            conversations_deleted=conversations.conversations,
            messages_deleted=conversations.messages,
            live_clusters_updated=clusters,
            inbound_records_deleted=inbound,
            dead_letters_deleted=self._dead_letters.purge(brand_id, customer_id) if self._dead_letters else 0,
            profile_deleted=profile,
            tickets_anonymised=tickets,
            history_events_redacted=redacted,
            facts_anonymised=stores.facts.anonymise_customer(brand_id, customer_id, pseudonym),
            knowledge_gaps_deleted=stores.gaps.erase_customer(brand_id, customer_id),
        )
        self._audit.record(actor, "erase", f"customer/{customer_id}", {k: str(v) for k, v in report.model_dump().items()})
        return report


class Retention:
    """The daily sweep: tickets created longer ago than the retention period lose their customer and words."""

    def __init__(self, tickets: TicketRepository, retention: timedelta, clock: Callable[[], datetime]) -> None:
        self._tickets = tickets
        self._retention = retention
        self._clock = clock

    def sweep(self) -> RetentionReport:
        now = self._clock()
        cutoff = now - self._retention
        tickets = redacted = 0
        for brand_id, ticket_id in self._tickets.created_before(cutoff):
            events = self._tickets.anonymise(brand_id, ticket_id, "anonymised", now)
            if events is not None:
                tickets, redacted = tickets + 1, redacted + events
        return RetentionReport(tickets_anonymised=tickets, history_events_redacted=redacted, cutoff=cutoff)


class DeadLetterSource(Model):
    """Where a dead letter came from: a queue to send it back to, or the stream consumer to replay it on."""

    queue_url: str | None = None
    function: str | None = None


class DeadLetterQueue(Model):
    name: str
    depth: int
    redrives_to: str
    samples: list[str] = Field(description="The first messages, personal data masked")


class Redriven(Model):
    name: str
    redriven: int
    failed: int
    remaining: int
    brands: dict[str, int] = Field(default_factory=dict, description="Messages redriven per brand they belong to")


class DeadLetters:
    def __init__(self, sqs: Any, streams: Any, lambda_client: Any, queues: dict[str, str], sources: dict[str, DeadLetterSource]) -> None:
        self._sqs = sqs
        self._streams = streams
        self._lambda = lambda_client
        self._queues = queues
        self._sources = sources

    def _url(self, name: str) -> str:
        if name not in self._queues:
            raise NotFound(f"no dead-letter queue {name!r}; there are {', '.join(sorted(self._queues))}")
        return self._queues[name]

    def depth(self, name: str) -> int:
        attributes = self._sqs.get_queue_attributes(QueueUrl=self._url(name), AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    def inspect(self, peek: int = 3) -> list[DeadLetterQueue]:
        found = []
        for name in sorted(self._queues):
            source = self._sources.get(name, DeadLetterSource())
            samples = []
            if peek:
                received = self._sqs.receive_message(QueueUrl=self._url(name), MaxNumberOfMessages=min(10, peek), VisibilityTimeout=0)
                samples = [mask(message["Body"])[:500] for message in received.get("Messages", [])]
            found.append(
                DeadLetterQueue(
                    name=name,
                    depth=self.depth(name),
                    redrives_to=f"queue {source.queue_url}" if source.queue_url else f"function {source.function}",
                    samples=samples,
                )
            )
        return found

    def redrive(self, name: str, limit: int = 100) -> Redriven:
        """Move up to ``limit`` messages back to where they came from; a replay that fails again stays."""
        url, source = self._url(name), self._sources.get(name)
        if source is None or not (source.queue_url or source.function):
            raise InvalidRequest(f"{name} has no source to redrive to")
        redriven = failed = 0
        brands: Counter[str] = Counter()
        while redriven + failed < limit:
            batch = self._sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=min(10, limit - redriven - failed), VisibilityTimeout=60, MessageAttributeNames=["All"]
            )
            messages = batch.get("Messages", [])
            if not messages:
                break
            for message in messages:
                sent_back, owners = self._send_back(source, message)
                if sent_back:
                    self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    redriven += 1
                    brands.update(owners)
                else:
                    failed += 1
        return Redriven(name=name, redriven=redriven, failed=failed, remaining=self.depth(name), brands=dict(brands))

    def purge(self, brand_id: str, customer_id: str, limit: int = 10_000) -> int:
        """Delete the customer's messages from the queues that hold whole messages (stream failures
        hold only where the batch was, never its data); the others become visible again at once."""
        deleted = 0
        for name, url in self._queues.items():
            source = self._sources.get(name)
            if source is None or not source.queue_url:
                continue
            kept: list[str] = []
            while len(kept) + deleted < limit:
                messages = self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
                if not messages:
                    break
                for message in messages:
                    if _belongs_to(message["Body"], brand_id, customer_id):
                        self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                        deleted += 1
                    else:
                        kept.append(message["ReceiptHandle"])
            for handle in kept:
                self._sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        return deleted

    def _send_back(self, source: DeadLetterSource, message: dict[str, Any]) -> tuple[bool, set[str]]:
        """Whether the message went back to its source, and the brands whose data it carried."""
        if source.queue_url:
            attributes = message.get("MessageAttributes") or {}
            self._sqs.send_message(
                QueueUrl=source.queue_url, MessageBody=message["Body"], **({"MessageAttributes": attributes} if attributes else {})
            )
            return True, _brands_in_body(message["Body"])
        info = json.loads(message["Body"]).get("DDBStreamBatchInfo") or {}
        records = self._stream_records(info)
        if not records:
            return False, set()  # the records have aged out of the stream (24 hours): nothing left to replay
        response = self._lambda.invoke(FunctionName=source.function, Payload=json.dumps({"Records": records}, default=str).encode())
        result = json.loads(response["Payload"].read() or b"null")
        replayed = "FunctionError" not in response and not (isinstance(result, dict) and result.get("batchItemFailures"))
        owners = {brand for r in records if (brand := keys.brand_of(r["dynamodb"].get("Keys", {}).get("pk", {}).get("S", "")))}
        return replayed, owners

    def _stream_records(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        """The stream records a failed batch held, read again from the stream, as Lambda delivers them."""
        if not info.get("shardId") or not info.get("streamArn"):
            return []
        try:
            iterator = self._streams.get_shard_iterator(
                StreamArn=info["streamArn"],
                ShardId=info["shardId"],
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=info["startSequenceNumber"],
            )["ShardIterator"]
        except self._streams.exceptions.TrimmedDataAccessException:
            return []
        end, records = int(info["endSequenceNumber"]), list[dict[str, Any]]()
        while iterator:
            page = self._streams.get_records(ShardIterator=iterator, Limit=100)
            for record in page["Records"]:
                if int(record["dynamodb"]["SequenceNumber"]) > end:
                    return records
                created = record["dynamodb"].get("ApproximateCreationDateTime")
                if isinstance(created, datetime):
                    record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
                records.append({**record, "eventSourceARN": info["streamArn"]})
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
        return records


def _belongs_to(body: str, brand_id: str, customer_id: str) -> bool:
    try:
        message = json.loads(body)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("brand_id") == brand_id and message.get("customer_id") == customer_id


def _brands_in_body(body: str) -> set[str]:
    """The brand a queued message belongs to: an inbound message's brand, or the knowledge/<brand>/
    folder of a knowledge file event."""
    try:
        message = json.loads(body)
    except ValueError:
        return set()
    if not isinstance(message, dict):
        return set()
    if isinstance(message.get("brand_id"), str):
        return {message["brand_id"]}
    key = str(((message.get("detail") or {}).get("object") or {}).get("key") or "")
    parts = key.split("/")
    return {parts[1]} if len(parts) > 2 and parts[0] == "knowledge" and parts[1] else set()
