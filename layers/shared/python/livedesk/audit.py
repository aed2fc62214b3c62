"""The audit log: who viewed or changed what, and when. Append-only: functions may only PutItem
into its table and read it. Entries are kept three years (TTL) and partitioned by brand and day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import Field

from livedesk import keys
from livedesk.dynamo import pages
from livedesk.identity import Actor
from livedesk.modelbase import Model
from livedesk.pii import mask

KEPT = timedelta(days=3 * 365)


class AuditEntry(Model):
    at: datetime
    brand_id: str
    actor: str
    role: str
    action: str = Field(description="view, reveal, change, erase, redrive…")
    target: str = Field(description="What was viewed or changed: conversation/<id>, ticket/<id>, customer/<id>, queue/<name>")
    detail: dict[str, str] = Field(default_factory=dict)


def _pk(brand_id: str, day: str) -> str:
    return f"{keys.brand(brand_id)}#AUDIT#{day}"


class AuditLog:
    def __init__(self, table: Any, clock: Any = None) -> None:
        self._table = table
        self._clock = clock or (lambda: datetime.now(UTC))

    def record(self, actor: Actor, action: str, target: str, detail: dict[str, str] | None = None) -> AuditEntry:
        entry = AuditEntry(
            at=self._clock(),
            brand_id=actor.brand_id,
            actor=actor.id,
            role=actor.role.value,
            action=action,
            target=target,
            detail={k: mask(v) for k, v in (detail or {}).items()},
        )
        at = entry.at.astimezone(UTC)
        self._table.put_item(
            Item={
                "pk": _pk(entry.brand_id, at.date().isoformat()),
                "sk": f"{at.isoformat()}#{uuid.uuid4().hex[:12]}",
                **entry.model_dump(mode="json"),
                "expires_at": int((at + KEPT).timestamp()),
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        return entry

    def between(self, brand_id: str, start: datetime, end: datetime) -> list[AuditEntry]:
        """Every entry in [start, end), oldest first."""
        entries: list[AuditEntry] = []
        day = start.astimezone(UTC).date()
        while day <= end.astimezone(UTC).date():
            condition = Key("pk").eq(_pk(brand_id, day.isoformat())) & Key("sk").between(
                start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()
            )
            entries += [AuditEntry.model_validate(item) for item in pages(self._table.query, KeyConditionExpression=condition)]
            day += timedelta(days=1)
        return [entry for entry in entries if start <= entry.at < end]
