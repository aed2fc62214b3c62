"""End-to-end: the local stack (synthesized template on embedded moto) driven over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infrastructure.local.knowledge import seed_knowledge
from infrastructure.local.seed import PERSONAL_DATA, PERSONAL_MESSAGES, seed_customers, seed_messages, seed_supply
from infrastructure.local.stack import LocalStack, local_session
from livedesk.api import CHANNELS

CHANNEL_ROUTES = ("/v1/messages", "/v1/sentiment", "/v1/surveys/")
PII_PROBE_BRAND = "pii-probe"
# Personal data test_trust.py sends through the desk; no log line may carry it unmasked.
PHONE, EMAIL, ADDRESS = "13912345678", "wang.fang@example.com", "上海市徐汇区漕溪北路88号5栋301室"
# Everything this process's run logged (stdout, stderr and log records of every test phase).
CAPTURED_LOGS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    CAPTURED_LOGS.append("\n".join((report.capstdout, report.capstderr, report.caplog)))


class Client:
    """Calls the local HTTP API as a channel (signed with the brand's key for the channel) and as a
    signed-in person (by default a supervisor of the brand, who may see everything of it)."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.session = local_session()
        self._tokens: dict[tuple[str, str, str, tuple[str, ...]], str] = {}

    def token(self, brand: str, username: str = "e2e-supervisor", role: str = "supervisor", skills: tuple[str, ...] = ()) -> str:
        key = (brand, username, role, skills)
        if key not in self._tokens:
            self._tokens[key] = self.stack.agent_token(brand, f"{brand}-{username}", role, skills)
        return self._tokens[key]

    def _headers(self, brand: str | None, token: str | None) -> dict[str, str]:
        headers = {"x-livedesk-brand": brand} if brand else {}
        if token is None and brand:
            token = self.token(brand)
        if token:
            headers["authorization"] = f"Bearer {token}"
        return headers

    def post(
        self, path: str, body: Any, brand: str | None = "lumi-beauty", token: str | None = None, channel: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """A channel route is signed by the channel (the body's, or ``channel``); other routes carry a token."""
        if brand and path.startswith(CHANNEL_ROUTES):
            return self.signed("POST", path, json.dumps(body, ensure_ascii=False).encode(), brand, channel or _channel_of(body))
        return self.session.post(f"{self.stack.url}{path}", json=body, headers=self._headers(brand, token), timeout=60, **kwargs)

    def signed(self, method: str, path: str, body: bytes, brand: str, channel: str = "app_chat", **extra: str) -> requests.Response:
        route, _, query = path.partition("?")
        signature = self.stack.channel_headers(brand, channel, method, route, body, query)
        headers = {"content-type": "application/json", **signature, **extra}
        return self.session.request(method, f"{self.stack.url}{path}", data=body, headers=headers, timeout=60)

    def put(self, path: str, body: Any, brand: str = "lumi-beauty", token: str | None = None) -> requests.Response:
        return self.session.put(f"{self.stack.url}{path}", json=body, headers=self._headers(brand, token), timeout=60)

    def get(self, path: str, brand: str = "lumi-beauty", token: str | None = None) -> requests.Response:
        return self.session.get(f"{self.stack.url}{path}", headers=self._headers(brand, token), timeout=60)

    def succeeded(self, execution_arn: str) -> bool:
        """The Step Functions execution ended well; if not, the assertion names the events that failed
        it (a task's error and cause: for States.Runtime, the exception the interpreter met)."""
        if self.stack.finish(execution_arn)["status"] == "SUCCEEDED":
            return True
        events = self.stack.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        failures = [
            {k: v for k, v in e.items() if k.endswith("FailedEventDetails") or k == "type"} for e in events if "Failed" in e["type"]
        ]
        raise AssertionError(f"{execution_arn.rsplit(':', 1)[-1]} failed: {failures}")

    def settle(self) -> None:
        """Wait until every queue and stream is drained (executions may still be waiting)."""
        self.stack.drain()


def _channel_of(body: Any) -> str:
    return str(body.get("channel")) if isinstance(body, dict) and body.get("channel") in CHANNELS else "app_chat"


@pytest.fixture(scope="package")
def local_stack(synthesized_template: Path) -> Iterator[LocalStack]:
    # Wait states take their real time unless a test fast-forwards; failed records are retried at once;
    # supervisors, managers and the warehouse get seconds, not hours, to pick up their tasks.
    timing = {
        "KNOWLEDGE_REFRESH_SECONDS": "0",
        "TAKEOVER_TIMEOUT_SECONDS": "4",
        "RECOVERY_TIMEOUT_SECONDS": "10",
        "INSPECTION_TIMEOUT_SECONDS": "15",
        "EXPERIMENTS_REFRESH_SECONDS": "0",
    }
    stack = LocalStack(template_path=synthesized_template, retry_delay_s=0, timing_overrides=timing).start()
    dynamodb = boto3.resource("dynamodb", endpoint_url=stack.endpoint)
    seed_customers(dynamodb.Table(stack.table_name("Customers")))
    seed_supply(dynamodb.Table(stack.table_name("Supply")))
    seed_knowledge(stack.client("s3"), stack.bucket_name("KnowledgeBucket"))
    # Customers' personal data goes through the whole desk (intake, routing, tickets, outbox, analytics).
    seed_messages(stack, [(PII_PROBE_BRAND, *message[1:]) for message in PERSONAL_MESSAGES])
    stack.drain()  # routed now, so their log lines are in the first test's captured output whatever runs next
    yield stack
    stack.stop()


@pytest.fixture(scope="package")
def api(local_stack: LocalStack) -> Client:
    return Client(local_stack)


@pytest.fixture(scope="package", autouse=True)
def no_personal_data_in_logs(api: Client) -> Iterator[None]:
    """After the last end-to-end test of the process (each test worker checks its own run): nothing
    any test made the desk log carries the personal data customers sent, unmasked (routing logs the
    opening words of each message, so the masking is what keeps it out)."""
    yield
    api.settle()
    logged = "\n".join(CAPTURED_LOGS)
    assert PII_PROBE_BRAND in logged and "message routed" in logged, "the run's logs were captured"
    assert "139****5678" in logged and "****5678" in logged, "the customers' words were logged, masked"
    for secret in (*PERSONAL_DATA.values(), PHONE, EMAIL, ADDRESS):
        assert secret not in logged, f"{secret[:3]}… reached a log line"


@pytest.fixture
def unique() -> Callable[[str], str]:
    counter = iter(range(1_000_000))
    stamp = str(time.time_ns())[-8:]
    return lambda prefix: f"{prefix}-{stamp}-{next(counter)}"


class Notifications:
    """Everything the SNS topics publish, read through an SQS queue subscribed to all of them."""

    def __init__(self, stack: LocalStack) -> None:
        self._sqs = stack.client("sqs")
        sns = stack.client("sns")
        self._url = self._sqs.create_queue(QueueName=f"e2e-notifications-{time.time_ns()}")["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.topics = {topic["TopicArn"].rsplit("-", 1)[-1]: topic["TopicArn"] for topic in sns.list_topics()["Topics"]}
        for topic_arn in self.topics.values():
            sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "false"})
        self.seen: list[dict[str, Any]] = []

    def about(self, ticket_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(topic, kind, message) of everything published about a ticket so far."""
        return [(m["topic"], m.get("kind", ""), m) for m in self.everything() if m.get("ticket_id") == ticket_id]

    def everything(self) -> list[dict[str, Any]]:
        """Every message published so far, with the short name of its topic."""
        import json

        while True:
            messages = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                break
            for message in messages:
                envelope = json.loads(message["Body"])
                self.seen.append({"topic": envelope["TopicArn"].rsplit("-", 1)[-1], **json.loads(envelope["Message"])})
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return self.seen


@pytest.fixture(scope="package")
def notifications(local_stack: LocalStack) -> Notifications:
    return Notifications(local_stack)
