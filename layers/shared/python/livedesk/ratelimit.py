"""Per brand and channel request limits: one atomic counter per second in DynamoDB (on demand, TTL-expired).

API Gateway throttles each route for everyone; this keeps one brand's live-comment flood from using the
whole route's allowance, and lets each channel have its own ceiling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from livedesk.models import utc_now

# Requests per second per brand: a live stream's comments arrive in bursts, e-mail never does.
DEFAULT_LIMITS = {"live_comment": 200, "app_chat": 100, "dm": 50, "email": 20, "phone_transcript": 20}


class TooManyRequests(Exception):
    """Over the channel's per-second limit for the brand (429)."""


class ChannelRateLimiter:
    def __init__(
        self, dynamodb: Any, table_name: str, limits: Mapping[str, int] | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        """``dynamodb``: a low-level client (one update per request; the resource layer would cost a
        cold start about 30 ms for nothing)."""
        self._dynamodb = dynamodb
        self._table_name = table_name
        self._limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._clock = clock

    def admit(self, brand_id: str, channel: str) -> None:
        """Count one request; raises TooManyRequests once this second's allowance is used."""
        second = int(self._clock().timestamp())
        limit = self._limits.get(channel, min(DEFAULT_LIMITS.values()))
        try:
            self._dynamodb.update_item(
                TableName=self._table_name,
                Key={"id": {"S": f"rate#{brand_id}#{channel}#{second}"}},
                UpdateExpression="ADD requests :one SET expiration = :expires",
                ConditionExpression="attribute_not_exists(requests) OR requests < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}, ":expires": {"N": str(second + 120)}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise TooManyRequests(f"more than {limit} {channel} requests a second for this brand; retry with backoff") from None
