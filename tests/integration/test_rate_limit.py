"""The per-brand channel limiter on the template's idempotency table (moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from infrastructure.local.stack import storage_ref
from livedesk.ratelimit import ChannelRateLimiter, TooManyRequests
from tests.integration.conftest import Aws


def _limiter(aws: Aws, now: list[datetime]) -> ChannelRateLimiter:
    table = storage_ref(aws.template, "AWS::DynamoDB::Table", "Idempotency")
    return ChannelRateLimiter(boto3.client("dynamodb"), table, {"email": 2}, clock=lambda: now[0])


def test_a_brand_over_its_channel_limit_is_refused_for_that_second_only(aws: Aws) -> None:
    now = [datetime(2026, 12, 6, 20, 0, 0, 100_000, tzinfo=UTC)]
    limiter = _limiter(aws, now)
    limiter.admit("lumi-beauty", "email")
    limiter.admit("lumi-beauty", "email")
    with pytest.raises(TooManyRequests, match="more than 2 email requests"):
        limiter.admit("lumi-beauty", "email")
    limiter.admit("oak-home", "email")  # another brand has its own allowance
    limiter.admit("lumi-beauty", "live_comment")  # and another channel of the same brand
    now[0] += timedelta(seconds=1)
    limiter.admit("lumi-beauty", "email")  # a new second, a new allowance


def test_the_counters_expire(aws: Aws) -> None:
    now = [datetime(2026, 12, 6, 20, 0, 0, tzinfo=UTC)]
    _limiter(aws, now).admit("lumi-beauty", "dm")
    items = aws.table("Idempotency").scan()["Items"]
    assert [(item["id"], item["requests"], item["expiration"]) for item in items] == [
        (f"rate#lumi-beauty#dm#{int(now[0].timestamp())}", 1, int(now[0].timestamp()) + 120)
    ]
