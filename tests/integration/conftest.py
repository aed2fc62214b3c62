"""Integration tests: real repositories and handlers on in-process moto, with the
tables, queues and state machine provisioned from the synthesized template."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infrastructure.local.channel_keys import ChannelKeyring
from infrastructure.local.stack import function_environment, provision_resources, storage_ref
from infrastructure.local.template import Template

FUNCTION_PACKAGES = frozenset(path.parent.name for path in (Path(__file__).resolve().parents[2] / "functions").glob("*/handler.py"))


@dataclass
class Aws:
    template: Template

    def table(self, construct_id: str) -> Any:
        return boto3.resource("dynamodb").Table(storage_ref(self.template, "AWS::DynamoDB::Table", construct_id))

    def bucket(self, construct_id: str) -> str:
        return storage_ref(self.template, "AWS::S3::Bucket", construct_id)

    def queue_url(self, construct_id: str) -> str:
        return storage_ref(self.template, "AWS::SQS::Queue", construct_id)

    def environment_of(self, folder: str) -> dict[str, str]:
        return function_environment(self.template, folder)

    def channel_headers(self, brand_id: str, channel: str, method: str, path: str, body: bytes) -> dict[str, str]:
        """Signed as the brand's channel integration signs (its key issued into the channel's secret on first use)."""
        return ChannelKeyring.of(self.template, boto3.client("secretsmanager")).headers(brand_id, channel, method, path, body)


@pytest.fixture
def aws(synthesized_template: Path) -> Iterator[Aws]:
    with mock_aws():
        template = Template.load(synthesized_template)
        provision_resources(template, boto3.client)
        yield Aws(template)


@pytest.fixture
def load_handler(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Import a function's handler fresh, under the environment the template gives it."""

    def load(folder: str) -> Any:
        for name, value in aws.environment_of(folder).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", f"livedesk-test-{folder}")
        _forget_function_modules()
        import importlib

        return importlib.import_module(f"{folder}.handler")

    yield load
    _forget_function_modules()


def _forget_function_modules() -> None:
    for name in list(sys.modules):
        if name.split(".")[0] in FUNCTION_PACKAGES:
            del sys.modules[name]


def agent_claims(brand_id: str, username: str = "sue", role: str = "supervisor", skills: str = "") -> dict[str, str]:
    """What API Gateway's JWT authorizer passes for a signed-in agent."""
    return {
        "sub": f"sub-{username}",
        "cognito:username": username,
        "custom:brand_id": brand_id,
        "custom:skills": skills,
        "cognito:groups": f"[{role}]",
    }


class FakeContext:
    function_name = "livedesk-test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:livedesk-test"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def context() -> FakeContext:
    return FakeContext()


os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
