"""DynamoDB helpers every store uses: paging, numbers as Decimal, items without their keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

KEY_ATTRIBUTES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "expires_at"})


def pages(call: Callable[..., dict[str, Any]], **request: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query or Scan (``call`` is the table's query or scan), page after page."""
    while True:
        page = call(**request)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def delete_all(table: Any, items: Iterable[dict[str, Any]]) -> None:
    """Delete these items (anything with their ``pk`` and ``sk``) in batches."""
    with table.batch_writer() as batch:
        for item in items:
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})


def is_conditional_failure(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """The item without its keys and expiry: what the store's model is made of."""
    return {k: v for k, v in item.items() if k not in KEY_ATTRIBUTES}


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def decimalize(value: Any) -> Any:
    """DynamoDB takes numbers as Decimal, never float."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: decimalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decimalize(v) for v in value]
    return value
