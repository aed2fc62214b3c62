"""Changes to moto's server that the local stack needs: speed-ups that change no behaviour."""

from __future__ import annotations

import copy
import threading
from functools import cache
from typing import Any


def cache_moto_module_listing() -> None:
    """moto's server finds the backend of every request by listing its package folder (a stat per
    service, on every call); the folder does not change while it runs."""
    from moto import backends

    listing = backends.list_of_moto_modules
    if not hasattr(listing, "cache_info"):
        backends.list_of_moto_modules = cache(lambda: tuple(listing()))  # type: ignore[assignment]


def log_task_runtime_errors() -> None:
    """moto's interpreter turns an exception inside a Task state into ``States.Runtime`` and keeps only
    ``str(ex)``; log the traceback too, so a rare failure under load can be traced to its cause."""
    import logging

    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    original = ExecutionState._from_error
    if getattr(original, "logs_runtime_errors", False):
        return

    def _from_error(self: ExecutionState, env: object, ex: Exception) -> object:
        if not isinstance(ex, FailureEventException):
            logging.getLogger("livedesk.local").warning("a task failed with States.Runtime: %r", ex, exc_info=ex)
        return original(self, env, ex)

    _from_error.logs_runtime_errors = True  # type: ignore[attr-defined]
    ExecutionState._from_error = _from_error  # type: ignore[method-assign, assignment]


_UNDOING = threading.local()  # .active while moto backs up the tables of a transaction on this thread


def undo_transactions_item_by_item() -> None:
    """moto backs up a transaction by deep-copying every table it names (all items and all stream
    records, on every call: a tenth of the e2e suite's CPU once tables fill) and puts the copies back
    if it is cancelled. Instead keep a copy of only the items it names, put those back, and take the
    undone writes out of the stream. The tables' own objects stay, so stream readers stay on the
    live shard (moto's copies left them on a shard nobody wrote to any more)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    if getattr(original, "undoes_by_item", False):
        return

    def backup(table: Table, memo: dict[int, Any]) -> Table:
        if getattr(_UNDOING, "active", False):
            return table  # moto's "backup": the undo below does the work
        return copy._reconstruct(table, memo, *table.__reduce_ex__(4))  # type: ignore[attr-defined, no-any-return]

    def transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        before = [_item_before(backend, item) for item in transact_items]
        streams = {id(t): (t.stream_shard, len(t.stream_shard.items)) for t, *_ in filter(None, before) if t.stream_shard}
        _UNDOING.active = True
        try:
            original(backend, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed([b for b in before if b is not None]):
                _put_back(table, hash_key, range_key, item)
            for shard, length in streams.values():
                del shard.items[length:]
            raise
        finally:
            _UNDOING.active = False

    Table.__deepcopy__ = backup  # type: ignore[attr-defined]
    transact_write_items.undoes_by_item = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _item_before(backend: Any, transact_item: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
    """(table, hash key, range key, a copy of the item as it is or None) for one write of a transaction."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    _, operation = next(iter(transact_item.items()))
    table = backend.tables.get(operation.get("TableName"))
    key = operation.get("Key") or operation.get("Item") or {}
    if table is None or table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
        return None  # moto refuses it before writing anything
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    current = table.get_item(hash_key, range_key)
    return table, hash_key, range_key, copy.deepcopy(current)


def _put_back(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
    elif item is None:
        table.items[hash_key].pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item
