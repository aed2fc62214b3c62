"""Fault injection on the local stack: DynamoDB, SQS and Step Functions calls fail mid-batch, and
every accepted message still ends up processed exactly once (one stored message, one ticket, one
workflow, counted once in the KPIs) or in the dead-letter queue, from where a redrive finishes it.

The matrix (operation × failure × how long) is the parametrisation of ``test_a_fault_mid_batch…``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr

from infrastructure.local.faults import Fault, injected
from tests.e2e.conftest import Client

BURST = 6  # messages posted together, so routing takes them in one batch with the victim's


@dataclass(frozen=True)
class Case:
    operation: str
    failure: str
    times: int | None
    outcome: str  # "retried" within the call, "redelivered" by SQS, or "dead-lettered"
    text: str = "我的快递三天没动了，到哪了"


MATRIX = [
    Case("dynamodb.UpdateItem", "throttled", 2, "retried"),
    Case("dynamodb.TransactWriteItems", "unavailable", 2, "retried"),
    Case("dynamodb.TransactWriteItems", "unavailable", 6, "redelivered"),  # 5 attempts fail, the next delivery succeeds
    Case("dynamodb.UpdateItem", "rejected", 1, "redelivered"),  # not retryable: the record fails, SQS redelivers it
    Case("sfn.StartExecution", "throttled", 2, "retried", "用了面霜脸上过敏起红疹"),
    Case("sfn.StartExecution", "unavailable", 6, "redelivered", "用了面霜脸上过敏起红疹"),
    Case("dynamodb.PutItem", "rejected", None, "dead-lettered"),  # the message never stores: the DLQ holds it
]


def _message(customer: str, text: str) -> dict[str, str]:
    return {
        "channel": "app_chat",
        "channel_message_id": f"{customer}-1",
        "customer_id": customer,
        "text": text,
        "sent_at": datetime.now(UTC).isoformat(),
    }


def _stored(api: Client, brand: str, customer: str) -> list[dict[str, Any]]:
    return [
        m
        for c in api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
        for m in api.get(f"/v1/conversations/{c['conversation_id']}", brand=brand).json()["messages"]
        if m["author"] == "customer"
    ]


def _tickets(api: Client, brand: str, customer: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Tickets"))
    found = table.scan(FilterExpression=Attr("brand_id").eq(brand) & Attr("customer_id").eq(customer) & Attr("sk").eq("TICKET"))
    return list(found["Items"])


def _executions(api: Client, ticket_id: str) -> int:
    sfn = api.stack.client("stepfunctions")
    return sum(
        1
        for machine in sfn.list_state_machines()["stateMachines"]
        for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
        if execution["name"] == ticket_id  # the SLA watch; a supervisor offer is named {ticket}-takeover-v{n}
    )


@pytest.mark.parametrize("case", MATRIX, ids=[f"{c.operation}-{c.failure}-x{c.times or 'all'}-{c.outcome}" for c in MATRIX])
def test_a_fault_mid_batch_leaves_every_message_processed_once_or_dead_lettered(
    api: Client, unique: Callable[[str], str], case: Case
) -> None:
    brand, since = unique("faults"), datetime.now(UTC) - timedelta(seconds=1)
    customers = [unique("c") for _ in range(BURST)]
    victim = customers[BURST // 2]
    routing = api.stack.function_name("routing")
    fault = Fault(case.operation, case.failure, case.times, when=lambda body: _routing_victim(body, brand, victim), function=routing)
    dlq = api.stack.queue_url("InboundDeadLetterQueue")
    with injected(fault):
        for customer in customers:
            text = case.text if customer == victim else "我的快递到哪了"
            assert api.post("/v1/messages", _message(customer, text), brand=brand).status_code == 202
        api.settle()
    assert fault.failed >= 1, "the fault was met"
    for customer in customers:
        if customer == victim and case.outcome == "dead-lettered":
            continue
        stored = _stored(api, brand, customer)
        assert len(stored) == 1, (customer, stored)
        tickets = _tickets(api, brand, customer)
        assert len(tickets) == 1 and stored[0]["ticket_id"] == tickets[0]["ticket_id"]
    if case.operation.startswith("sfn."):
        (ticket,) = _tickets(api, brand, victim)
        assert _executions(api, ticket["ticket_id"]) == 1 and ticket.get("escalation_execution")
    kpis = api.get(f"/v1/kpis?from={since.isoformat().replace('+', '%2B')}", brand=brand).json()
    if case.outcome != "dead-lettered":
        assert (kpis["messages"], kpis["tickets_created"]) == (BURST, BURST)
        return
    # Dead-lettered: nothing was stored for it; the DLQ holds the message; a redrive finishes it once.
    assert _stored(api, brand, victim) == [] and _tickets(api, brand, victim) == []
    held = _dlq_bodies(api, dlq)
    assert any(json.loads(body)["customer_id"] == victim for body in held)
    operator = api.token("livedesk-ops", "ops-faults", "operator")
    redriven = api.session.post(
        f"{api.stack.url}/v1/admin/dead-letters/inbound-dlq/redrive", headers={"authorization": f"Bearer {operator}"}
    )
    assert redriven.status_code == 200 and redriven.json()["redriven"] >= 1
    api.settle()
    assert len(_stored(api, brand, victim)) == 1 and len(_tickets(api, brand, victim)) == 1
    kpis = api.get(f"/v1/kpis?from={since.isoformat().replace('+', '%2B')}", brand=brand).json()
    assert (kpis["messages"], kpis["tickets_created"]) == (BURST, BURST)


def _routing_victim(body: bytes, brand: str, victim: str) -> bool:
    """A call routing makes for the victim's message: its conversation, profile and ticket writes name
    the customer; its SLA workflow is the P1's."""
    if body.startswith(b"{") and b'"stateMachineArn"' in body:
        return brand.encode() in body and b'\\"severity\\": \\"P1\\"' in body  # the input is a JSON string
    return victim.encode() in body


def _dlq_bodies(api: Client, url: str) -> list[str]:
    sqs = api.stack.client("sqs")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1)
    return [m["Body"] for m in received.get("Messages", [])]


def test_intake_answers_503_while_the_queue_is_down_and_a_retry_is_accepted_once(api: Client, unique: Callable[[str], str]) -> None:
    brand, customer = unique("faults-intake"), unique("c")
    message = _message(customer, "请问什么时候发货")
    intake = api.stack.function_name("intake")
    with injected(Fault("sqs.SendMessage", "unavailable", when=lambda body: customer.encode() in body, function=intake)) as (fault,):
        down = api.post("/v1/messages", message, brand=brand)
    assert down.status_code == 503 and "retry" in down.json()["message"] and fault.failed == 5  # botocore tried five times
    with injected(Fault("sqs.SendMessage", "throttled", times=1, when=lambda body: customer.encode() in body, function=intake)):
        retried = api.post("/v1/messages", message, brand=brand)  # the channel's retry: same id, same text
    assert retried.status_code == 202
    assert api.post("/v1/messages", message, brand=brand).status_code == 202  # and once more: a duplicate
    api.settle()
    assert len(_stored(api, brand, customer)) == 1 and len(_tickets(api, brand, customer)) == 1
