"""DynamoDB helpers every store uses: its tables, paging, numbers as Decimal, items without their keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from boto3.dynamodb.table import BatchWriter
from boto3.dynamodb.transform import TransformationInjector, copy_dynamodb_params
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


class Tables:
    """The stores' tables over one low-level DynamoDB client, without boto3's resource layer.

    Each call goes through boto3's own DynamoDB transformation (plain Python values in and out,
    ``Key``/``Attr`` conditions), as a resource ``Table``'s calls do, but applied per call rather
    than registered on the client. So the client stays low-level for the callers that send
    AttributeValues themselves (Powertools' idempotency layer, the rate limiter), and a function
    builds one DynamoDB client instead of two plus the resource factory: about 40 ms less at a
    cold start (``bench/cold_imports.py``).
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self._plain_values = PlainValues(client)

    def table(self, name: str) -> Table:
        return Table(name, self._plain_values)


class PlainValues:
    """A low-level DynamoDB client's calls with plain Python values, as a resource's client takes them."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._injector = TransformationInjector()
        self.exceptions = client.exceptions

    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        send = getattr(self._client, method)
        operation = self._client.meta.service_model.operation_model(self._client.meta.method_to_api_mapping[method])

        def call(**request: Any) -> dict[str, Any]:
            request = copy_dynamodb_params(request)  # the injector rewrites the request in place
            self._injector.inject_condition_expressions(request, operation)
            self._injector.inject_attribute_value_input(request, operation)
            response: dict[str, Any] = send(**request)
            self._injector.inject_attribute_value_output(response, operation)
            return response

        return call


class Table:
    """What the stores use of boto3's resource ``Table``: its name, item calls, query and scan, a batch
    writer, and ``meta.client`` for calls across tables (transactions, batch gets)."""

    def __init__(self, name: str, client: PlainValues) -> None:
        self.name = name
        self.meta = SimpleNamespace(client=client)

    def get_item(self, **request: Any) -> dict[str, Any]:
        return self._call("get_item", request)

    def put_item(self, **request: Any) -> dict[str, Any]:
        return self._call("put_item", request)

    def update_item(self, **request: Any) -> dict[str, Any]:
        return self._call("update_item", request)

    def delete_item(self, **request: Any) -> dict[str, Any]:
        return self._call("delete_item", request)

    def query(self, **request: Any) -> dict[str, Any]:
        return self._call("query", request)

    def scan(self, **request: Any) -> dict[str, Any]:
        return self._call("scan", request)

    def batch_writer(self, overwrite_by_pkeys: list[str] | None = None) -> BatchWriter:
        return BatchWriter(self.name, self.meta.client, overwrite_by_pkeys=overwrite_by_pkeys)

    def _call(self, method: str, request: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = getattr(self.meta.client, method)(TableName=self.name, **request)
        return response
