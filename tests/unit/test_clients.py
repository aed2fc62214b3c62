"""A lazy client is built on its first call, once, with the options it was given."""

from typing import Any

import boto3
import pytest

from livedesk.clients import LazyClient


class FakeClient:
    def send_message(self, **request: Any) -> dict[str, Any]:
        return {"MessageId": "m-1", **request}


def test_the_client_is_built_on_first_use_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[str, dict[str, Any]]] = []

    def client(service: str, **options: Any) -> FakeClient:
        built.append((service, options))
        return FakeClient()

    monkeypatch.setattr(boto3, "client", client)
    sqs = LazyClient("sqs", region_name="eu-west-1")
    assert built == []
    assert "built=False" in repr(sqs)

    assert sqs.send_message(QueueUrl="q")["MessageId"] == "m-1"
    assert sqs.send_message(QueueUrl="q")["QueueUrl"] == "q"
    assert built == [("sqs", {"region_name": "eu-west-1"})]
    assert "built=True" in repr(sqs)


def test_quality_sources_leave_their_client_unbuilt_until_they_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from quality.sources import S3Knowledge, S3Rules

    built: list[str] = []
    monkeypatch.setattr(boto3, "client", lambda service, **options: built.append(service))
    s3 = LazyClient("s3")
    S3Rules(s3, "bucket"), S3Knowledge(s3, "bucket", "index/")
    assert built == []
