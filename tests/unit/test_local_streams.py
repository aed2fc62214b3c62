"""The local stack's DynamoDB stream mappings as Lambda runs them: event-filtering patterns, batch
size, partial batch responses, bisecting on a function error, retries and the on-failure queue;
an idle poller reads again when its table is written."""

import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from infrastructure.local import event_sources
from infrastructure.local.event_sources import SqsMapping, SqsPoller, StreamMapping, StreamPoller, StreamWrites, matches

REPLY = {"eventName": "INSERT", "dynamodb": {"NewImage": {"author": {"S": "bot"}, "sk": {"S": "MSG#2026"}}}}
PATTERN = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"author": {"S": ["bot", "agent"]}}}}


def test_a_record_passes_when_every_field_of_the_pattern_matches() -> None:
    assert matches(PATTERN, REPLY)
    assert not matches(PATTERN, {**REPLY, "eventName": "MODIFY"})
    assert not matches(PATTERN, {"eventName": "INSERT", "dynamodb": {"NewImage": {"author": {"S": "customer"}}}})
    assert not matches(PATTERN, {"eventName": "INSERT", "dynamodb": {"NewImage": {}}}), "a missing field never matches"
    assert matches({"dynamodb": {"NewImage": {"sk": {"S": [{"prefix": "MSG#"}]}}}}, REPLY)


def test_an_operator_the_local_stack_does_not_know_is_an_error_not_a_silent_pass() -> None:
    with pytest.raises(ValueError, match="not supported"):
        matches({"eventName": [{"anything-but": ["REMOVE"]}]}, REPLY)


# -- the poller follows the mapping's settings -------------------------------------------------


class FakeStream:
    """One shard with ``count`` INSERT records; every client the poller uses."""

    def __init__(self, count: int, poison: set[int], partial: bool = False) -> None:
        self.records = [
            {"eventName": "INSERT", "dynamodb": {"SequenceNumber": f"{n:03d}", "NewImage": {"n": {"N": str(n)}}}} for n in range(count)
        ]
        self.poison = poison
        self.partial = partial
        self.batches: list[list[int]] = []
        self.dead: list[dict[str, Any]] = []
        self._read = False

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **_: Any) -> dict[str, str]:
        return {"ShardIterator": "it-0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        start = int(ShardIterator.split("-")[1])
        page = self.records[start : start + Limit]
        return {"Records": page, "NextShardIterator": f"it-{start + len(page)}"}

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        numbers = [int(r["dynamodb"]["NewImage"]["n"]["N"]) for r in json.loads(Payload)["Records"]]
        self.batches.append(numbers)
        bad = [n for n in numbers if n in self.poison]
        if bad and self.partial:
            body = {"batchItemFailures": [{"itemIdentifier": f"{n:03d}"} for n in bad]}
            return {"Payload": io.BytesIO(json.dumps(body).encode())}
        if bad:
            return {"FunctionError": "Unhandled", "Payload": io.BytesIO(b'{"errorType": "Boom"}')}
        return {"Payload": io.BytesIO(b'{"batchItemFailures": []}')}

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:
        self.dead.append(json.loads(MessageBody)["DDBStreamBatchInfo"])


def _poll(stream: FakeStream, **settings: Any) -> StreamPoller:
    mapping = StreamMapping(
        function_name="fn",
        stream_arn="arn:stream",
        batch_size=settings.get("batch_size", 8),
        max_retries=settings.get("max_retries", 3),
        report_batch_item_failures=settings.get("report", False),
        filters=settings.get("filters", []),
        on_failure_queue_url="https://sqs/dlq",
        bisect_on_error=settings.get("bisect", False),
    )
    poller = StreamPoller(mapping, stream, stream, stream)
    for _ in range(40):  # what the thread does, one step at a time
        if not poller._pending:
            poller._pending = poller._read()
        if not poller._pending:
            break
        poller._deliver()
    return poller


def test_batches_follow_the_mappings_batch_size() -> None:
    stream = FakeStream(10, poison=set())
    _poll(stream, batch_size=4)
    assert stream.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_without_bisecting_a_function_error_dead_letters_the_whole_batch_after_the_retries() -> None:
    stream = FakeStream(8, poison={5})
    _poll(stream, max_retries=2)
    assert stream.batches == [list(range(8))] * 3, "the first try and two retries"
    assert [(d["startSequenceNumber"], d["endSequenceNumber"], d["batchSize"]) for d in stream.dead] == [("000", "007", 8)]


def test_bisecting_isolates_the_failing_record_and_the_rest_are_processed() -> None:
    stream = FakeStream(8, poison={5})
    _poll(stream, bisect=True, max_retries=3)
    assert stream.batches[:4] == [list(range(8)), [0, 1, 2, 3], [4, 5, 6, 7], [4, 5]], "halves, the failing half halved again"
    assert [(d["startSequenceNumber"], d["batchSize"]) for d in stream.dead] == [("005", 1)], "only the poisoned record is given up"
    processed = {n for batch in stream.batches for n in batch if 5 not in batch}
    assert processed == set(range(8)) - {5}


def test_a_partial_batch_response_retries_from_the_first_failed_record() -> None:
    stream = FakeStream(6, poison={3}, partial=True)
    _poll(stream, report=True, max_retries=1)
    assert stream.batches == [[0, 1, 2, 3, 4, 5], [3, 4, 5]], "0–2 are done; the retry starts at 3"
    assert [(d["startSequenceNumber"], d["batchSize"]) for d in stream.dead] == [("003", 3)], "as in AWS: the retried batch is given up"


def test_filter_criteria_drop_records_before_the_function_sees_them() -> None:
    stream = FakeStream(6, poison=set())
    _poll(stream, filters=[{"dynamodb": {"NewImage": {"n": {"N": ["1", "4"]}}}}])
    assert stream.batches == [[1, 4]]


def test_an_idle_poller_told_of_its_tables_writes_reads_again_only_after_a_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_sources, "STREAM_IDLE_RECHECK_S", 60.0)  # the safety net stays out of the way
    stream, writes = FakeStream(0, set()), StreamWrites()
    mapping = StreamMapping("fn", "arn:aws:dynamodb:us-east-1:1:table/Tickets/stream/2026", 8, 0, True, [], None)
    poller = StreamPoller(mapping, stream, stream, stream, writes)
    poller.start()
    try:
        _until(lambda: poller.reads == 1)
        time.sleep(1.0)  # four reads a second, if it polled
        assert poller.reads == 1 and poller.caught_up, "nothing was written: no read"
        writes.added("Conversations")
        time.sleep(0.5)
        assert poller.reads == 1, "another table's write does not wake it"
        stream.records.append({"eventName": "INSERT", "dynamodb": {"SequenceNumber": "000", "NewImage": {"n": {"N": "0"}}}})
        writes.added("Tickets")
        _until(lambda: stream.batches == [[0]])
        _until(lambda: poller.caught_up)
    finally:
        stopping = time.monotonic()
        poller.stop()
    assert time.monotonic() - stopping < 2, "stopping wakes an idle poller"


def test_a_write_during_a_retried_batch_is_read_before_the_poller_counts_as_caught_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_sources, "STREAM_IDLE_RECHECK_S", 60.0)  # only a write wakes it
    writes = StreamWrites()

    class WrittenWhileFailing(FakeStream):
        def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
            if not self.batches:  # the first delivery fails, and the table is written meanwhile
                self.records.append({"eventName": "INSERT", "dynamodb": {"SequenceNumber": "001", "NewImage": {"n": {"N": "1"}}}})
                writes.added("Tickets")
                self.batches.append([0])
                return {"FunctionError": "Unhandled", "Payload": io.BytesIO(b'{"errorType": "Boom"}')}
            return super().invoke(FunctionName, Payload)

    stream = WrittenWhileFailing(1, set())
    writes.added("Tickets")  # record 0
    mapping = StreamMapping("fn", "arn:aws:dynamodb:us-east-1:1:table/Tickets/stream/2026", 8, 3, False, [], None)
    poller = StreamPoller(mapping, stream, stream, stream, writes)
    poller.start()
    try:
        _until(lambda: stream.batches == [[0], [0], [1]])  # the retry, then the record written meanwhile, at once
        _until(lambda: poller.caught_up)
    finally:
        poller.stop()


def _until(condition: Callable[[], bool], bound_s: float = 10.0) -> None:
    deadline = time.monotonic() + bound_s
    while not condition():
        assert time.monotonic() < deadline, "not within the bound"
        time.sleep(0.01)


class FakeQueue:
    """An SQS queue and the function behind it; records what the poller deletes and releases."""

    def __init__(self, bodies: list[str], fail: set[str], error: bool = False) -> None:
        self.waiting = [{"MessageId": b, "ReceiptHandle": f"rh-{b}", "Body": b, "MD5OfBody": "x"} for b in bodies]
        self.fail, self.error = fail, error
        self.batches: list[list[str]] = []
        self.deleted: list[str] = []
        self.released: list[str] = []

    def receive_message(self, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:
        taken, self.waiting = self.waiting[:MaxNumberOfMessages], self.waiting[MaxNumberOfMessages:]
        return {"Messages": taken}

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        bodies = [r["body"] for r in json.loads(Payload)["Records"]]
        self.batches.append(bodies)
        if self.error:
            return {"FunctionError": "Unhandled", "Payload": io.BytesIO(b"{}")}
        failures = [{"itemIdentifier": b} for b in bodies if b in self.fail]
        return {"Payload": io.BytesIO(json.dumps({"batchItemFailures": failures}).encode())}

    def delete_message(self, ReceiptHandle: str, **_: Any) -> None:
        self.deleted.append(ReceiptHandle.removeprefix("rh-"))

    def change_message_visibility(self, ReceiptHandle: str, **_: Any) -> None:
        self.released.append(ReceiptHandle.removeprefix("rh-"))


class TricklingQueue(FakeQueue):
    """Messages arrive one at a time: each receive finds at most one."""

    def receive_message(self, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:
        return super().receive_message(MaxNumberOfMessages=min(1, MaxNumberOfMessages))


def _sqs(queue: FakeQueue, batch_size: int, report: bool = True, window_s: float = 0.0) -> None:
    mapping = SqsMapping("fn", "https://sqs/q", "arn:q", batch_size, batching_window_s=window_s, report_batch_item_failures=report)
    poller = SqsPoller(mapping, queue, queue)
    while messages := poller._collect():
        poller._deliver(messages)


def test_sqs_batches_follow_the_batch_size_and_partial_failures_return_only_the_failed() -> None:
    queue = FakeQueue([f"m{n}" for n in range(12)], fail={"m3", "m11"})
    _sqs(queue, batch_size=5)
    assert [len(b) for b in queue.batches] == [5, 5, 2]
    assert sorted(queue.released) == ["m11", "m3"], "visible again: the queue's redrive policy counts them towards its DLQ"
    assert len(queue.deleted) == 10


def test_sqs_a_batching_window_gathers_what_arrives_while_it_is_open() -> None:
    gathered = TricklingQueue(["a", "b", "c"], fail=set())
    _sqs(gathered, batch_size=10, window_s=0.5)
    assert gathered.batches == [["a", "b", "c"]], "one invocation for the messages that arrived within the window"
    at_once = TricklingQueue(["a", "b", "c"], fail=set())
    _sqs(at_once, batch_size=10)
    assert at_once.batches == [["a"], ["b"], ["c"]], "without a window each receive is delivered as it comes"
    full = TricklingQueue(["a", "b", "c", "d"], fail=set())
    _sqs(full, batch_size=2, window_s=600.0)  # a full batch goes at once: this would otherwise take 20 minutes
    assert full.batches == [["a", "b"], ["c", "d"]]


def test_sqs_a_function_error_or_ignored_partial_responses_return_the_whole_batch() -> None:
    errored = FakeQueue(["a", "b", "c"], fail=set(), error=True)
    _sqs(errored, batch_size=10)
    assert sorted(errored.released) == ["a", "b", "c"] and errored.deleted == []
    unreported = FakeQueue(["a", "b"], fail={"a"})
    _sqs(unreported, batch_size=10, report=False)
    assert unreported.deleted == ["a", "b"], "without ReportBatchItemFailures the response is not read"
