"""The analytics table: facts by brand and day, hourly volume, scheduled live sessions, forecasts and
fired alerts. Recording a fact and counting it happen in one transaction that fails on a fact
already recorded, so a replayed stream record is never counted twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from livedesk import keys
from livedesk.analytics.alerts import Alert
from livedesk.analytics.facts import Fact
from livedesk.analytics.forecast import Forecast, Session
from livedesk.dynamo import decimalize, pages, plain

RETENTION = timedelta(days=400)  # a year of KPIs plus a month


def _facts_pk(brand_id: str, day: date) -> str:
    return f"{keys.brand(brand_id)}#FACTS#{day.isoformat()}"


def _hour(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


class AnalyticsStore:
    def __init__(self, table: Any) -> None:
        self._table = table
        self._client = table.meta.client

    # -- facts -------------------------------------------------------------------------------
    def record(self, fact: Fact) -> bool:
        """Store the fact and count it; False (and nothing counted) if it was recorded before."""
        at = fact.at.astimezone(UTC)
        item = {
            "pk": _facts_pk(fact.brand_id, at.date()),
            "sk": f"{at.isoformat()}#{fact.fact_id}",
            **fact.model_dump(mode="json", exclude_none=True),
            "expires_at": int((at + RETENTION).timestamp()),
        }
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table.name, "Item": decimalize(item), "ConditionExpression": "attribute_not_exists(pk)"}}
        ]
        if fact.kind == "message":
            writes.append(
                {
                    "Update": {
                        "TableName": self._table.name,
                        "Key": {"pk": f"{keys.brand(fact.brand_id)}#VOLUME", "sk": _hour(at)},
                        "UpdateExpression": "ADD messages :one SET expires_at = :exp",
                        "ExpressionAttributeValues": {":one": 1, ":exp": item["expires_at"]},
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=writes)
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            if self.known(fact):
                return False
            raise
        self._table.update_item(
            Key={"pk": "BRANDS", "sk": "ALL"}, UpdateExpression="ADD brands :b", ExpressionAttributeValues={":b": {fact.brand_id}}
        )
        return True

    def known(self, fact: Fact) -> bool:
        at = fact.at.astimezone(UTC)
        key = {"pk": _facts_pk(fact.brand_id, at.date()), "sk": f"{at.isoformat()}#{fact.fact_id}"}
        return "Item" in self._table.get_item(Key=key, ConsistentRead=True)

    def facts(self, brand_id: str, start: datetime, end: datetime) -> list[Fact]:
        """Every fact of the brand in [start, end), a day partition at a time."""
        found: list[Fact] = []
        low, high = start.astimezone(UTC), end.astimezone(UTC)
        day: date = low.date()
        while day <= high.date():
            found += [Fact.model_validate(plain(item)) for item in self._query(_facts_pk(brand_id, day), low.isoformat(), high.isoformat())]
            day += timedelta(days=1)
        return [fact for fact in found if start <= fact.at < end]

    def anonymise_customer(self, brand_id: str, customer_id: str, pseudonym: str) -> int:
        """The customer's KPI facts stay (the numbers must not change) without them or their words.
        Facts are keyed by day, not customer: this scans the table (erasure is rare; a customer
        index would cost a write on every fact)."""
        found = pages(self._table.scan, FilterExpression=Attr("brand_id").eq(brand_id) & Attr("customer_id").eq(customer_id))
        count = 0
        for fact in found:
            self._table.update_item(
                Key={"pk": fact["pk"], "sk": fact["sk"]},
                UpdateExpression="SET customer_id = :p REMOVE #text",
                ExpressionAttributeNames={"#text": "text"},
                ExpressionAttributeValues={":p": pseudonym},
            )
            count += 1
        return count

    def brands(self) -> list[str]:
        item = self._table.get_item(Key={"pk": "BRANDS", "sk": "ALL"}).get("Item") or {}
        return sorted(item.get("brands", set()))

    # -- hourly volume, live-session schedule and forecasts -----------------------------------------
    def volume(self, brand_id: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
        items = self._query(f"{keys.brand(brand_id)}#VOLUME", _hour(start), _hour(end))
        return [(datetime.fromisoformat(f"{item['sk']}:00:00+00:00"), int(item["messages"])) for item in items]

    def add_volume(self, brand_id: str, hour: datetime, messages: int) -> None:
        """History imported from elsewhere (or seeded for the demo)."""
        self._table.put_item(Item={"pk": f"{keys.brand(brand_id)}#VOLUME", "sk": _hour(hour), "messages": messages})

    def schedule(self, brand_id: str, session_id: str, start: datetime, end: datetime) -> None:
        self._table.put_item(
            Item={
                "pk": f"{keys.brand(brand_id)}#SCHEDULE",
                "sk": f"{start.astimezone(UTC).isoformat()}#{session_id}",
                "session_id": session_id,
                "start": start.isoformat(),
                "end": end.isoformat(),
            }
        )

    def sessions(self, brand_id: str, start: datetime, end: datetime) -> list[Session]:
        items = self._query(f"{keys.brand(brand_id)}#SCHEDULE", start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat() + "~")
        return [Session(datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"])) for i in items]

    def save_forecast(self, brand_id: str, forecast: Forecast) -> None:
        with self._table.batch_writer() as batch:
            for interval in forecast.intervals:
                batch.put_item(
                    Item=decimalize(
                        {"pk": f"{keys.brand(brand_id)}#FORECAST", "sk": _hour(interval.hour), **interval.model_dump(mode="json")}
                    )
                )
        self._table.put_item(
            Item=decimalize(
                {"pk": f"{keys.brand(brand_id)}#FORECAST", "sk": "LATEST", **forecast.model_dump(mode="json", exclude={"intervals"})}
            )
        )

    def forecast_by_hour(self, brand_id: str, start: datetime, end: datetime) -> dict[datetime, float]:
        items = self._query(f"{keys.brand(brand_id)}#FORECAST", _hour(start), _hour(end))
        return {datetime.fromisoformat(f"{item['sk']}:00:00+00:00"): float(item["expected"]) for item in items if item["sk"] != "LATEST"}

    # -- alerts -------------------------------------------------------------------------------------
    def fire(self, brand_id: str, alert: Alert) -> bool:
        """Record the alert once per key; True when it is new (and should be sent)."""
        item = {
            "pk": f"{keys.brand(brand_id)}#ALERTS",
            "sk": f"{alert.at.astimezone(UTC).isoformat()}#{alert.key}",
            "key": alert.key,
            **alert.model_dump(mode="json"),
        }
        marker = {
            "pk": f"{keys.brand(brand_id)}#ALERT_KEYS",
            "sk": alert.key,
            "expires_at": int((alert.at + timedelta(days=7)).timestamp()),
        }
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": decimalize(marker),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": self._table.name, "Item": decimalize(item)}},
                ]
            )
        except self._client.exceptions.TransactionCanceledException:
            return False
        return True

    def alerts(self, brand_id: str, since: datetime) -> list[Alert]:
        items = self._query(f"{keys.brand(brand_id)}#ALERTS", since.astimezone(UTC).isoformat(), "~")
        return [Alert.model_validate(plain(item)) for item in items]

    def _query(self, pk: str, low: str, high: str) -> list[dict[str, Any]]:
        return list(pages(self._table.query, KeyConditionExpression=Key("pk").eq(pk) & Key("sk").between(low, high)))
