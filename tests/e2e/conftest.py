"""End-to-end: the local stack (synthesized template on embedded moto) driven over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infrastructure.local.knowledge import seed_knowledge
from infrastructure.local.seed import seed_customers
from infrastructure.local.stack import LocalStack


class Client:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.session = requests.Session()

    def post(self, path: str, body: Any, brand: str | None = "lumi-beauty", **kwargs: Any) -> requests.Response:
        headers = {"x-livedesk-brand": brand} if brand else {}
        return self.session.post(f"{self.stack.url}{path}", json=body, headers=headers, timeout=60, **kwargs)

    def get(self, path: str, brand: str = "lumi-beauty") -> requests.Response:
        return self.session.get(f"{self.stack.url}{path}", headers={"x-livedesk-brand": brand}, timeout=60)

    def settle(self) -> None:
        """Wait for the queues to drain and every escalation execution to finish."""
        self.stack.drain()
        sfn = self.stack.client("stepfunctions")
        deadline = time.monotonic() + 30
        for machine in sfn.list_state_machines()["stateMachines"]:
            while sfn.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")["executions"]:
                assert time.monotonic() < deadline, "escalation executions did not finish"
                time.sleep(0.05)


@pytest.fixture(scope="package")
def local_stack(synthesized_template: Path) -> Iterator[LocalStack]:
    # Wait states are skipped and failed records retried at once: time runs fast in tests.
    stack = LocalStack(
        template_path=synthesized_template, wait_scale=0, retry_delay_s=0, timing_overrides={"KNOWLEDGE_REFRESH_SECONDS": "0"}
    ).start()
    seed_customers(boto3.resource("dynamodb", endpoint_url=stack.endpoint).Table(stack.table_name("Customers")))
    seed_knowledge(stack.client("s3"), stack.bucket_name("KnowledgeBucket"))
    yield stack
    stack.stop()


@pytest.fixture(scope="package")
def api(local_stack: LocalStack) -> Client:
    return Client(local_stack)


@pytest.fixture
def unique() -> Callable[[str], str]:
    counter = iter(range(1_000_000))
    stamp = str(time.time_ns())[-8:]
    return lambda prefix: f"{prefix}-{stamp}-{next(counter)}"
