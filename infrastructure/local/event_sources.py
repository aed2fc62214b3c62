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
from typing import Any

from infrastructure.local.template import REGION


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


class SqsPoller:
    def __init__(self, mapping: SqsMapping, sqs: Any, lambda_client: Any, retry_delay_s: int = 1) -> None:
        self.mapping = mapping
        self._sqs = sqs
        self._lambda = lambda_client
        self._retry_delay_s = retry_delay_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"esm-{mapping.function_name}", daemon=True)
        self.deliveries: Counter[str] = Counter()  # message id -> times handed to the function

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

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
            messages.extend(response.get("Messages", []))
            if not messages or time.monotonic() >= deadline:
                break
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
