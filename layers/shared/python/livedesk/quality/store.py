"""Where inspections live: the analytics table, one partition per brand and day of closing. The
store owns the keys; erasure's scan of the analytics table by ``customer_id`` covers inspections too
(they keep their scores, the customer becomes a pseudonym)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from livedesk import keys
from livedesk.dynamo import decimalize, pages, plain
from livedesk.quality.model import Inspection

RETENTION = timedelta(days=400)
FIELDS = ("brand_id", "customer_id", "conversation_id", "score")


def _partition(brand_id: str, day: date) -> str:
    return f"{keys.brand(brand_id)}#QUALITY#{day.isoformat()}"


class QualityStore:
    def __init__(self, table: Any) -> None:
        self._table = table

    def save(self, inspection: Inspection) -> None:
        """One record per closing of a conversation: inspecting it again (a replay) overwrites it."""
        closed = inspection.closed_at.astimezone(UTC)
        item = {
            "pk": _partition(inspection.brand_id, closed.date()),
            "sk": f"{closed.isoformat()}#{inspection.conversation_id}",
            "kind": "inspection",
            **inspection.model_dump(mode="json", include=set(FIELDS)),
            "inspection": inspection.model_dump(mode="json", exclude=set(FIELDS)),
            "expires_at": int((closed + RETENTION).timestamp()),
        }
        self._table.put_item(Item=decimalize(item))

    def between(self, brand_id: str, start: datetime, end: datetime) -> list[Inspection]:
        """Every inspection of the brand whose conversation closed in [start, end)."""
        found: list[Inspection] = []
        day = start.astimezone(UTC).date()
        while day <= end.astimezone(UTC).date():
            condition = Key("pk").eq(_partition(brand_id, day)) & Key("sk").between(
                start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()
            )
            for item in pages(self._table.query, KeyConditionExpression=condition):
                stored = plain(item)
                found.append(Inspection.model_validate({**stored.pop("inspection"), **stored}))
            day += timedelta(days=1)
        return [inspection for inspection in found if start <= inspection.closed_at < end]
