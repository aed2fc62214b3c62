"""SQS event-source mappings, as Lambda runs them, for the local stack.

moto's own SQS-to-Lambda hook invokes synchronously inside SendMessage and ignores
partial batch responses, so the local stack polls instead: batch size and batching
window from the template's mapping, ReportBatchItemFailures honoured, failed
records made visible again after ``retry_delay`` and moved to the DLQ by the
queue's own redrive policy.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infrastructure.local.template import REGION

# Lambda reads each stream shard four times a second; moto's streams answer as fast as they are asked.
STREAM_POLL_INTERVAL_S = 0.25
SHARD_LISTING_INTERVAL_S = 1.0  # how often the poller looks for new shards
# An idle poller told of its table's writes reads again at least this often all the same.
STREAM_IDLE_RECHECK_S = 5.0
WINDOW_POLL_INTERVAL_S = 0.05  # between empty receives while a batching window is open


@dataclass(frozen=True)
class SqsMapping:
    function_name: str
    queue_url: str
    queue_arn: str
    batch_size: int
    batching_window_s: float
    report_batch_item_failures: bool


def to_lambda_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        for name, value in message.get("MessageAttributes", {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


class _Poller:
    """A mapping's poller thread; ``deliveries`` counts how often each record was handed over."""

    def __init__(self, function_name: str, lambda_client: Any) -> None:
        self._lambda = lambda_client
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"esm-{function_name}", daemon=True)
        self.deliveries: Counter[str] = Counter()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        raise NotImplementedError


class SqsPoller(_Poller):
    def __init__(self, mapping: SqsMapping, sqs: Any, lambda_client: Any, retry_delay_s: int = 1) -> None:
        super().__init__(mapping.function_name, lambda_client)
        self.mapping = mapping
        self._sqs = sqs
        self._retry_delay_s = retry_delay_s

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                messages = self._collect()
                if messages:
                    self._deliver(messages)
            except Exception:  # keep polling, as the managed poller does
                if not self._stop.is_set():
                    time.sleep(0.5)

    def _collect(self) -> list[dict[str, Any]]:
        mapping = self.mapping
        deadline = time.monotonic() + mapping.batching_window_s
        messages: list[dict[str, Any]] = []
        while len(messages) < mapping.batch_size and not self._stop.is_set():
            response = self._sqs.receive_message(
                QueueUrl=mapping.queue_url,
                MaxNumberOfMessages=min(10, mapping.batch_size - len(messages)),
                WaitTimeSeconds=0 if messages else 1,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = response.get("Messages", [])
            messages.extend(received)
            if not messages or time.monotonic() >= deadline:
                break
            if not received:  # the window is open and the queue is empty for now
                time.sleep(WINDOW_POLL_INTERVAL_S)
        return messages

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        mapping = self.mapping
        event = {"Records": [to_lambda_record(message, mapping.queue_arn) for message in messages]}
        response = self._lambda.invoke(FunctionName=mapping.function_name, Payload=json.dumps(event).encode())
        self.deliveries.update(message["MessageId"] for message in messages)
        result = json.loads(response["Payload"].read() or b"null")
        by_id = {message["MessageId"]: message for message in messages}
        if "FunctionError" in response:
            failed = set(by_id)
        elif mapping.report_batch_item_failures and isinstance(result, dict):
            failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
            if not failed <= set(by_id):  # an unknown id fails the whole batch, as in AWS
                failed = set(by_id)
        else:
            failed = set()
        for message_id, message in by_id.items():
            if message_id in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=self._retry_delay_s
                )
            else:
                self._sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"])


class StreamWrites:
    """How many records moto has appended to each table's stream. An idle stream poller waits for its
    table's next write instead of reading four times a second: those empty reads were most of the
    local stack's idle CPU (a sixth of a core for five streams). Reads keep Lambda's cadence."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._written: Counter[str] = Counter()

    def added(self, table_name: str) -> None:
        with self._changed:
            self._written[table_name] += 1
            self._changed.notify_all()

    def count(self, table_name: str) -> int:
        with self._changed:
            return self._written[table_name]

    def wait(self, table_name: str, seen: int, timeout_s: float, stop: threading.Event) -> None:
        """Until the table's stream has other than ``seen`` records counted, ``stop`` is set (then
        call ``wake``), or the time-out."""
        with self._changed:
            self._changed.wait_for(lambda: self._written[table_name] != seen or stop.is_set(), timeout=timeout_s)

    def wake(self) -> None:
        """Let every waiting poller look at its stop event."""
        with self._changed:
            self._changed.notify_all()


STREAM_WRITES = StreamWrites()


def count_stream_writes() -> StreamWrites:
    """From now on, count each record moto's stream shards append in ``STREAM_WRITES`` (idempotent;
    moto is pinned and tests/integration/test_moto_canary.py checks the method)."""
    from moto.dynamodb.models.table import StreamShard

    original = StreamShard.add
    if not getattr(original, "counts_writes", False):

        def add(shard: StreamShard, old: Any, new: Any) -> None:
            original(shard, old, new)
            STREAM_WRITES.added(shard.table.name)

        add.counts_writes = True  # type: ignore[attr-defined]
        add.__wrapped__ = original  # type: ignore[attr-defined]  # inspect.signature shows moto's
        StreamShard.add = add  # type: ignore[method-assign]
    return STREAM_WRITES


def table_of_stream(stream_arn: str) -> str:
    """arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label> -> <name>"""
    return stream_arn.split(":table/", 1)[1].split("/", 1)[0]


@dataclass(frozen=True)
class StreamMapping:
    function_name: str
    stream_arn: str
    batch_size: int
    max_retries: int
    report_batch_item_failures: bool
    filters: list[dict[str, Any]]  # event-filtering patterns; a record passes if any matches
    on_failure_queue_url: str | None
    bisect_on_error: bool = False  # BisectBatchOnFunctionError: a failing batch is retried in halves


def matches(pattern: Any, value: Any) -> bool:
    """Lambda event filtering for the patterns the template uses: nested objects, lists of exact
    values, and {"prefix": ...}."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(key in value and matches(part, value[key]) for key, part in pattern.items())
    if isinstance(pattern, list):
        for option in pattern:
            if isinstance(option, dict) and "prefix" in option:
                if isinstance(value, str) and value.startswith(option["prefix"]):
                    return True
            elif isinstance(option, dict):
                raise ValueError(f"filter operator not supported locally: {option}")
            elif value == option:
                return True
        return False
    return bool(pattern == value)


SHARD = "_livedesk_shard_id"  # which shard a pending record came from (for the on-failure record)


def to_stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**{k: v for k, v in record.items() if k != SHARD}, "dynamodb": dynamodb, "eventSourceARN": stream_arn}


class StreamPoller(_Poller):
    """A DynamoDB stream event-source mapping as Lambda runs it: batches in order per shard, filter
    criteria, partial batch responses (retry from the first failed record), a function error bisecting
    the batch when the mapping says so, a bounded number of retries (each retry of a half counts),
    then the on-failure destination with only the records still failing."""

    def __init__(self, mapping: StreamMapping, streams: Any, lambda_client: Any, sqs: Any, writes: StreamWrites | None = None) -> None:
        """``writes``: told of the table's writes, the poller skips the empty reads while it is idle."""
        super().__init__(mapping.function_name, lambda_client)
        self.mapping = mapping
        self._streams = streams
        self._sqs = sqs
        self._writes = writes
        self._table = table_of_stream(mapping.stream_arn) if writes else ""
        self._read_upto = -1  # how many writes the table had when the last read that left nothing pending began
        self._iterators: dict[str, str | None] = {}
        self._pending: list[dict[str, Any]] = []  # read, not yet handled by the function
        self._attempts = 0
        self._size = mapping.batch_size  # smaller while a failing batch is bisected
        self._busy = threading.Event()
        self._shards: list[str] = []
        self._listed_at = -SHARD_LISTING_INTERVAL_S
        self.reads = 0  # completed reads of the stream, for waiting on one that starts later

    @property
    def idle(self) -> bool:
        return not self._pending and not self._busy.is_set()

    def stop(self) -> None:
        self._stop.set()
        if self._writes:
            self._writes.wake()
        super().stop()

    @property
    def caught_up(self) -> bool:
        """Idle, and its table's stream had no write since its last read began (needs ``writes``)."""
        return self._writes is not None and self.idle and self._read_upto == self._writes.count(self._table)

    def _run(self) -> None:
        while not self._stop.is_set():
            seen = self._writes.count(self._table) if self._writes else 0
            read_at, read = time.monotonic(), False
            try:
                self._busy.set()
                if not self._pending:
                    self._pending = self._read()
                    read = True
                if self._pending:
                    self._deliver()
            except Exception:  # keep polling, as the managed poller does
                time.sleep(0.5)
            finally:
                self._busy.clear()
            if not self._pending:
                if read:  # a batch that was pending (a retry) may be delivered without reading
                    self._read_upto = seen
                if self._writes:  # at once if anything was written since the last read began
                    self._writes.wait(self._table, self._read_upto, STREAM_IDLE_RECHECK_S, self._stop)
                time.sleep(max(0.0, read_at + STREAM_POLL_INTERVAL_S - time.monotonic()))  # four reads a second at most

    def _read(self) -> list[dict[str, Any]]:
        if time.monotonic() - self._listed_at >= SHARD_LISTING_INTERVAL_S:
            description = self._streams.describe_stream(StreamArn=self.mapping.stream_arn)["StreamDescription"]
            self._shards = [shard["ShardId"] for shard in description["Shards"]]
            self._listed_at = time.monotonic()
        for shard_id in self._shards:
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=self.mapping.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
        records: list[dict[str, Any]] = []
        for shard_id, iterator in self._iterators.items():
            if iterator is None:
                continue
            page = self._streams.get_records(ShardIterator=iterator, Limit=self.mapping.batch_size)
            self._iterators[shard_id] = page.get("NextShardIterator")
            wanted = [r for r in page["Records"] if not self.mapping.filters or any(matches(f, r) for f in self.mapping.filters)]
            records += [{**r, SHARD: shard_id} for r in wanted]
        self.reads += 1
        return records

    def _deliver(self) -> None:
        batch = self._pending[: self._size]
        event = {"Records": [to_stream_record(r, self.mapping.stream_arn) for r in batch]}
        response = self._lambda.invoke(FunctionName=self.mapping.function_name, Payload=json.dumps(event, default=str).encode())
        self.deliveries.update(r["dynamodb"]["SequenceNumber"] for r in batch)
        result = json.loads(response["Payload"].read() or b"null")
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        if "FunctionError" in response:
            first_failed = 0
            if self.mapping.bisect_on_error and len(batch) > 1:
                self._size = (len(batch) + 1) // 2  # the first half next; the rest after it
        elif self.mapping.report_batch_item_failures and isinstance(result, dict) and result.get("batchItemFailures"):
            failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
            first_failed = min((sequence.index(s) for s in failed if s in sequence), default=0)
        else:
            self._pending = self._pending[len(batch) :]
            self._attempts = 0
            self._size = self.mapping.batch_size
            return
        self._pending = self._pending[first_failed:]  # what succeeded before the first failure is done
        self._attempts += 1
        if self._attempts > self.mapping.max_retries:
            self._give_up(self._pending[: len(batch) - first_failed])
            self._pending = self._pending[len(batch) - first_failed :]
            self._attempts = 0
            self._size = self.mapping.batch_size

    def _give_up(self, records: list[dict[str, Any]]) -> None:
        if self.mapping.on_failure_queue_url is None or not records:
            return
        info = {
            "shardId": records[0].get(SHARD),
            "streamArn": self.mapping.stream_arn,
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "batchSize": len(records),
        }
        body = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "functionArn": self.mapping.function_name},
            "DDBStreamBatchInfo": info,
        }
        self._sqs.send_message(QueueUrl=self.mapping.on_failure_queue_url, MessageBody=json.dumps(body))
