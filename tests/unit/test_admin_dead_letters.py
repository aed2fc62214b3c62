"""Dead letters, on an in-memory SQS: a redrive sends each message back and says whose data it moved."""

from __future__ import annotations

import json
from typing import Any

from admin.service import DeadLetters, DeadLetterSource
from livedesk import keys


class FakeSqs:
    """Just what DeadLetters calls: receive, send, delete and the depth."""

    def __init__(self, queues: dict[str, list[str]]) -> None:
        self.queues = queues
        self.sent: list[tuple[str, str]] = []

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:
        bodies = self.queues[QueueUrl][:MaxNumberOfMessages]
        return {"Messages": [{"Body": body, "ReceiptHandle": f"{QueueUrl}|{body}"} for body in bodies]}

    def send_message(self, QueueUrl: str, MessageBody: str, **_: Any) -> None:
        self.sent.append((QueueUrl, MessageBody))

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        self.queues[QueueUrl].remove(ReceiptHandle.split("|", 1)[1])

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:
        return {"Attributes": {"ApproximateNumberOfMessages": str(len(self.queues[QueueUrl]))}}


def test_a_redrive_sends_messages_back_and_counts_them_per_brand() -> None:
    inbound = [json.dumps({"brand_id": brand, "text": "还没到"}) for brand in ("lumi-beauty", "lumi-beauty", "oak-home")]
    knowledge_event = json.dumps({"detail": {"object": {"key": "knowledge/zenvolt/faq.jsonl"}}})
    sqs = FakeSqs({"dlq": [*inbound, knowledge_event, "not json"]})
    dead_letters = DeadLetters(sqs, None, None, {"inbound-dlq": "dlq"}, {"inbound-dlq": DeadLetterSource(queue_url="inbound")})
    result = dead_letters.redrive("inbound-dlq")
    assert (result.redriven, result.failed, result.remaining) == (5, 0, 0)
    assert result.brands == {"lumi-beauty": 2, "oak-home": 1, "zenvolt": 1}, "a body without a brand is moved but counted nowhere"
    assert [url for url, _ in sqs.sent] == ["inbound"] * 5


def test_the_brand_of_a_key_is_read_back_from_any_partition_key() -> None:
    assert keys.brand_of(keys.conversation_pk("lumi-beauty", "conv-1")) == "lumi-beauty"
    assert keys.brand_of(keys.ticket("oak-home", "tkt-1")["pk"]) == "oak-home"
    assert keys.brand_of("SOMETHING#else") is None and keys.brand_of("") is None
