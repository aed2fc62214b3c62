"""What service leaders read: KPIs, the report, voice of customer, knowledge gaps and alerts, from
the facts the analytics function recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, Protocol

from livedesk.analytics import gaps, voc
from livedesk.analytics.alerts import Alert, AlertRules, Signals, evaluate
from livedesk.analytics.kpis import Kpis, QualityOfService, Slice, compute
from livedesk.analytics.store import AnalyticsStore
from livedesk.errors import NotFound
from livedesk.quality import report
from livedesk.quality.store import QualityStore
from livedesk.supply.ports import Catalog

LOOKBACK = timedelta(days=7)  # repeat contacts look a week back
ALERTS_KEPT = timedelta(hours=24)
PLATFORM = "_platform"  # dead-letter queues and function errors belong to the deployment, not to a brand


class Infrastructure(Protocol):
    """What only the platform knows: dead-letter queue depths and function errors."""

    def dlq_depths(self) -> dict[str, int]: ...

    def function_errors(self, since: datetime) -> dict[str, int]: ...


class AlertChannel(Protocol):
    def send(self, brand_id: str, alert: Alert) -> None: ...


class AwsInfrastructure:
    def __init__(self, sqs: Any, cloudwatch: Any, dead_letter_queues: dict[str, str], functions: list[str], clock: Callable[[], datetime]):
        self._sqs = sqs
        self._cloudwatch = cloudwatch
        self._queues = dead_letter_queues
        self._functions = functions
        self._clock = clock

    def dlq_depths(self) -> dict[str, int]:
        depths = {}
        for name, url in self._queues.items():
            attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
            depths[name] = int(attributes["ApproximateNumberOfMessages"])
        return depths

    def function_errors(self, since: datetime) -> dict[str, int]:
        """Lambda's own Errors metric per function (the local stack's runtime publishes the same)."""
        errors = {}
        start = since.replace(second=0, microsecond=0)  # whole one-minute periods, the last one still open
        end = self._clock().replace(second=0, microsecond=0) + timedelta(minutes=1)
        for function in self._functions:
            points = self._cloudwatch.get_metric_statistics(
                Namespace="AWS/Lambda",
                MetricName="Errors",
                Dimensions=[{"Name": "FunctionName", "Value": function}],
                StartTime=start,
                EndTime=end,
                Period=60,
                Statistics=["Sum"],
            )["Datapoints"]
            errors[function] = int(sum(point["Sum"] for point in points))
        return errors


class SnsAlerts:
    """Each level to its own topic."""

    def __init__(self, sns: Any, topics: dict[str, str]) -> None:
        self._sns = sns
        self._topics = topics

    def send(self, brand_id: str, alert: Alert) -> None:
        message = {"brand_id": brand_id, **alert.model_dump(mode="json")}
        self._sns.publish(
            TopicArn=self._topics[alert.level.value],
            Subject=f"LiveDesk {alert.level.value}: {alert.rule}"[:99],
            Message=json.dumps(message, ensure_ascii=False),
        )


class Insights:
    def __init__(
        self,
        store: AnalyticsStore,
        catalog: Catalog,
        gap_log: Any,
        infrastructure: Infrastructure,
        alerts: AlertChannel,
        rules: AlertRules,
        clock: Callable[[], datetime],
        inspections: QualityStore,
    ) -> None:
        self._store = store
        self._inspections = inspections
        self._catalog = catalog
        self._gaps = gap_log
        self._infrastructure = infrastructure
        self._alerts = alerts
        self._rules = rules
        self._clock = clock

    def kpis(self, brand_id: str, start: datetime, end: datetime, where: Slice) -> Kpis:
        facts = self._store.facts(brand_id, start - LOOKBACK, end)
        kpis = compute(facts, start, end, where, self._store.forecast_by_hour(brand_id, start, end))
        if where.intent or where.lane:
            return kpis  # inspections are per conversation, not per intent or value lane
        scope = report.Where(channel=where.channel, skill=where.skill, live_session_id=where.live_session_id)
        inspected = report.period([i for i in self._inspections.between(brand_id, start, end) if scope.conversation(i)], start, end)
        quality = QualityOfService(
            conversations_inspected=inspected.conversations, average_score=inspected.score, findings_by_rule=inspected.findings_by_rule
        )
        return kpis.model_copy(update={"quality": quality})

    def voice_of_customer(
        self, brand_id: str, start: datetime, end: datetime, by: Literal["sku", "category", "supplier"]
    ) -> voc.VoiceOfCustomer:
        previous = self._store.facts(brand_id, start - (end - start), start)
        current = self._store.facts(brand_id, start, end)

        @lru_cache(maxsize=1024)
        def group(sku: str | None) -> str:
            if by == "sku" or not sku:
                return sku or "(no SKU)"
            try:
                product = self._catalog.product(brand_id, sku)
            except NotFound:
                return "(not in the catalog)"
            return (product.category if by == "category" else product.supplier) or "(unknown)"

        return voc.voice_of_customer(current, previous, start, end, by, group)

    def knowledge_gaps(self, brand_id: str, start: datetime, end: datetime) -> list[gaps.Topic]:
        asked = [
            gaps.Unanswered(item["query"], "search", datetime.fromisoformat(item["at"]))
            for item in self._gaps.between(brand_id, start, end)
            if "at" in item
        ]
        handed = [
            gaps.Unanswered(f.text or "", "handoff", f.at)
            for f in self._store.facts(brand_id, start, end)
            if f.kind == "message" and f.handled_by == "person" and (f.intent == "out_of_scope" or f.skill == "general") and f.text
        ]
        return gaps.topics(asked + handed)

    def schedule(self, brand_id: str, session_id: str, start: datetime, end: datetime) -> None:
        self._store.schedule(brand_id, session_id, start, end)

    def evaluate_alerts(self, brand_id: str) -> list[Alert]:
        """Evaluate every rule now; record what fired and send the new ones to their level's topic.
        Returns the brand's and the platform's alerts of the last 24 hours."""
        now = self._clock()
        self._fire(brand_id, evaluate(self._rules, self._brand_signals(brand_id, now)))
        red_since = now - timedelta(minutes=self._rules.red.window_minutes)
        platform = Signals(
            now=now,
            hourly_volume=[],
            recent_messages=0,
            recent_intent_confidence=None,
            recent_bot_containment=None,
            dlq_depths=self._infrastructure.dlq_depths(),
            p1_breaches=[],
            function_errors=self._infrastructure.function_errors(red_since),
        )
        self._fire(PLATFORM, evaluate(self._rules, platform))
        recent = self._store.alerts(brand_id, now - ALERTS_KEPT) + self._store.alerts(PLATFORM, now - ALERTS_KEPT)
        return sorted(recent, key=lambda alert: alert.at)

    def evaluate_all(self) -> dict[str, int]:
        """The scheduled run: every brand that has facts; how many alerts each has now."""
        return {brand: len(self.evaluate_alerts(brand)) for brand in self._store.brands()}

    def _brand_signals(self, brand_id: str, now: datetime) -> Signals:
        hour = now.replace(minute=0, second=0, microsecond=0)
        since = hour - timedelta(hours=self._rules.yellow.consecutive_intervals + 1)
        forecast = self._store.forecast_by_hour(brand_id, since, now)
        volume = dict(self._store.volume(brand_id, since, now))
        hours = [since + timedelta(hours=n) for n in range(int((hour - since) / timedelta(hours=1)) + 1)]
        recent = [
            f for f in self._store.facts(brand_id, now - timedelta(minutes=self._rules.orange.window_minutes), now) if f.kind == "message"
        ]
        red_since = now - timedelta(minutes=self._rules.red.window_minutes)
        breaches = {
            f.ticket_id or ""
            for f in self._store.facts(brand_id, red_since, now)
            if f.kind == "ticket" and f.action in ("first_response_breached", "resolution_breached") and f.detail.get("was") == "P1"
        }
        return Signals(
            now=now,
            hourly_volume=[(h, volume.get(h, 0), forecast.get(h)) for h in hours],
            recent_messages=len(recent),
            recent_intent_confidence=sum(f.intent_confidence or 0 for f in recent) / len(recent) if recent else None,
            recent_bot_containment=sum(f.handled_by == "bot" for f in recent) / len(recent) if recent else None,
            dlq_depths={},
            p1_breaches=sorted(breaches),
            function_errors={},
        )

    def _fire(self, owner: str, alerts: list[Alert]) -> None:
        for alert in alerts:
            if self._store.fire(owner, alert):
                self._alerts.send(owner, alert)
