"""Experiments for a brand's admins and supervisors: start one, stop it, read its results."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from livedesk.analytics.facts import Fact
from livedesk.errors import Conflict, NotFound
from livedesk.experiments.model import Experiment, ExperimentDraft
from livedesk.experiments.results import ExperimentResults, results
from livedesk.identity import Actor

EARLIER = timedelta(days=1)
AFTERWARDS = timedelta(days=7)


class Experiments(Protocol):
    def put(self, experiment: Experiment) -> None: ...

    def get(self, brand_id: str, experiment_id: str) -> Experiment | None: ...

    def all(self, brand_id: str) -> list[Experiment]: ...

    def running(self, brand_id: str) -> Experiment | None: ...


class Facts(Protocol):
    def facts(self, brand_id: str, start: datetime, end: datetime) -> list[Fact]: ...


class Audit(Protocol):
    def record(self, actor: Actor, action: str, target: str, detail: dict[str, str] | None = None) -> Any: ...


class ExperimentDesk:
    def __init__(self, experiments: Experiments, facts: Facts, audit: Audit, clock: Callable[[], datetime]) -> None:
        self._experiments = experiments
        self._facts = facts
        self._audit = audit
        self._clock = clock

    def start(self, actor: Actor, draft: ExperimentDraft) -> Experiment:
        """One experiment runs per brand at a time, so its variants' effects are not mixed with another's."""
        running = self._experiments.running(actor.brand_id)
        if running is not None:
            raise Conflict(f"experiment {running.experiment_id} is running: stop it first")
        experiment = Experiment(
            **draft.model_dump(),
            experiment_id=f"exp_{uuid.uuid4().hex[:12]}",
            brand_id=actor.brand_id,
            status="running",
            started_at=self._clock(),
        )
        self._experiments.put(experiment)
        self._audit.record(actor, "change", f"experiment/{experiment.experiment_id}", {"status": "running", "name": experiment.name})
        return experiment

    def stop(self, actor: Actor, experiment_id: str) -> Experiment:
        """Everyone returns to the control: routing no longer applies any variant."""
        experiment = self._get(actor.brand_id, experiment_id)
        if experiment.status == "stopped":
            return experiment
        stopped = experiment.model_copy(update={"status": "stopped", "stopped_at": self._clock()})
        self._experiments.put(stopped)
        self._audit.record(actor, "change", f"experiment/{experiment_id}", {"status": "stopped"})
        return stopped

    def all(self, brand_id: str) -> list[Experiment]:
        return self._experiments.all(brand_id)

    def results(self, brand_id: str, experiment_id: str) -> ExperimentResults:
        """From a day before the start (a message routed during the experiment may have been sent
        earlier) to now, or a week after the stop (its tickets' resolutions and surveys come later)."""
        experiment = self._get(brand_id, experiment_id)
        now = self._clock()
        end = min(now, experiment.stopped_at + AFTERWARDS) if experiment.stopped_at else now
        start = experiment.started_at - EARLIER
        return results(experiment, self._facts.facts(brand_id, start, end), start, end)

    def _get(self, brand_id: str, experiment_id: str) -> Experiment:
        experiment = self._experiments.get(brand_id, experiment_id)
        if experiment is None:
            raise NotFound(f"experiment {experiment_id} not found")
        return experiment
