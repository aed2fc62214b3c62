"""Knowledge gaps (queries knowledge could not answer) and ingestion reports (knowledge table)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from livedesk import keys
from livedesk.dynamo import delete_all, epoch, pages


class KnowledgeGapRepository:
    """Queries the knowledge could not answer, for review (knowledge table). Callers pass the
    query with phone and order numbers already masked."""

    def __init__(self, table: Any, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    def record(self, brand_id: str, query: str, reason: str, top_doc_id: str | None, at: datetime, customer_id: str | None = None) -> None:
        digest = hashlib.sha256(query.encode()).hexdigest()[:12]
        item: dict[str, Any] = {**keys.knowledge_gap(brand_id, at, digest), "query": query, "reason": reason, "at": at.isoformat()}
        item["expires_at"] = epoch(at + self._retention)
        if top_doc_id:
            item["top_doc_id"] = top_doc_id
        if customer_id:
            item["customer_id"] = customer_id  # for erasure; never shown in gap reports
        self._table.put_item(Item=item)

    def between(self, brand_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Every gap recorded in [start, end), oldest first."""
        condition = Key("pk").eq(keys.knowledge_gaps_pk(brand_id)) & Key("sk").between(start.isoformat(), end.isoformat())
        found = pages(self._table.query, KeyConditionExpression=condition)
        return [{k: v for k, v in item.items() if k not in ("pk", "expires_at", "customer_id")} for item in found]

    def erase_customer(self, brand_id: str, customer_id: str) -> int:
        condition = Key("pk").eq(keys.knowledge_gaps_pk(brand_id))
        found = list(pages(self._table.query, KeyConditionExpression=condition, FilterExpression=Attr("customer_id").eq(customer_id)))
        delete_all(self._table, found)
        return len(found)

    def recent(self, brand_id: str, limit: int = 50) -> list[dict[str, Any]]:
        page = self._table.query(KeyConditionExpression=Key("pk").eq(keys.knowledge_gaps_pk(brand_id)), ScanIndexForward=False, Limit=limit)
        return [{k: v for k, v in item.items() if k not in ("pk", "sk", "expires_at", "customer_id")} for item in page["Items"]]


class IngestionReportRepository:
    """The latest ingestion result of each knowledge file (knowledge table): documents loaded and bad rows."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def record(self, report: Any, at: datetime) -> None:
        item = {
            **keys.ingestion_report(report.brand_id, report.key),
            "documents": report.documents,
            "errors": report.errors,
            "at": at.isoformat(),
        }
        self._table.put_item(Item=item)

    def for_brand(self, brand_id: str) -> list[dict[str, Any]]:
        pk = keys.ingestion_report(brand_id, "")["pk"]
        items = self._table.query(KeyConditionExpression=Key("pk").eq(pk))["Items"]
        return [{"key": i["sk"], "documents": int(i["documents"]), "errors": list(i["errors"]), "at": i["at"]} for i in items]
