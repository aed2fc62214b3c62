"""Where experiments live: the analytics table, one partition per brand. The store owns its keys."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from boto3.dynamodb.conditions import Key

from livedesk import keys
from livedesk.dynamo import decimalize, pages, plain
from livedesk.experiments.model import Experiment


def _partition(brand_id: str) -> str:
    return f"{keys.brand(brand_id)}#EXPERIMENTS"


class ExperimentStore:
    def __init__(self, table: Any) -> None:
        self._table = table

    def put(self, experiment: Experiment) -> None:
        item = {"pk": _partition(experiment.brand_id), "sk": experiment.experiment_id, **experiment.model_dump(mode="json")}
        self._table.put_item(Item=decimalize(item))

    def get(self, brand_id: str, experiment_id: str) -> Experiment | None:
        item = self._table.get_item(Key={"pk": _partition(brand_id), "sk": experiment_id}).get("Item")
        return Experiment.model_validate(plain(item)) if item else None

    def all(self, brand_id: str) -> list[Experiment]:
        """The brand's experiments, newest first."""
        found = [
            Experiment.model_validate(plain(i)) for i in pages(self._table.query, KeyConditionExpression=Key("pk").eq(_partition(brand_id)))
        ]
        return sorted(found, key=lambda e: e.started_at, reverse=True)

    def running(self, brand_id: str) -> Experiment | None:
        return next((e for e in self.all(brand_id) if e.status == "running"), None)


class CachedRunning:
    """Each brand's running experiment, read again at most every ``seconds`` (routing asks per message)."""

    def __init__(self, store: ExperimentStore, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._seconds = seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, Experiment | None]] = {}

    def running(self, brand_id: str) -> Experiment | None:
        now = self._clock()
        cached = self._cache.get(brand_id)
        if cached is None or now - cached[0] >= self._seconds:
            cached = (now, self._store.running(brand_id))
            self._cache[brand_id] = cached
        return cached[1]
