"""Operations over HTTP on the local stack: KPIs and their report, voice of customer, knowledge
gaps, the three alert levels and the forecast. Each test uses a brand of its own."""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from livedesk.analytics.forecast import Forecast, Interval
from livedesk.analytics.store import AnalyticsStore
from tests.e2e.conftest import Client, Notifications

pytestmark = pytest.mark.e2e


def _post(api: Client, brand: str, customer: str, text: str, **extra: Any) -> str:
    body = {"channel": "app_chat", "channel_message_id": f"{customer}-{time.time_ns()}", "customer_id": customer, "text": text, **extra}
    response = api.post("/v1/messages", {**body, "sent_at": datetime.now(UTC).isoformat()}, brand=brand)
    assert response.status_code == 202
    return str(response.json()["message_id"])


def _store(api: Client) -> AnalyticsStore:
    return AnalyticsStore(boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Analytics")))


def _ticket_of(api: Client, brand: str, customer: str) -> dict[str, Any]:
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    message = api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=brand).json()["messages"][0]
    return dict(api.get(f"/v1/tickets/{message['ticket_id']}", brand=brand).json())


def test_kpis_come_from_what_happened_and_the_report_draws_them(api: Client, unique: Callable[[str], str]) -> None:
    brand, start = unique("ops-kpi"), datetime.now(UTC) - timedelta(seconds=1)
    happy, refund, safety = unique("c"), unique("c"), unique("c")
    _post(api, brand, happy, "谢谢客服 你们服务太好了")  # a courtesy reply: the bot
    _post(api, brand, refund, "我要退款，不想要了")
    _post(api, brand, safety, "用了面霜脸上过敏起红疹")
    api.settle()
    ticket = _ticket_of(api, brand, refund)
    agent = api.token(brand, "amy", "agent", ("after_sale",))
    claimed = api.post(f"/v1/tickets/{ticket['ticket_id']}/claim", {"version": ticket["version"]}, brand=brand, token=agent).json()
    replied = api.post(
        f"/v1/tickets/{ticket['ticket_id']}/replies", {"version": claimed["version"], "text": "好的，已为您退款"}, brand=brand, token=agent
    )
    api.post(
        f"/v1/tickets/{ticket['ticket_id']}/resolve",
        {"version": replied.json()["version"], "resolution": "已退款"},
        brand=brand,
        token=agent,
    )
    api.post(f"/v1/surveys/{ticket['ticket_id']}", {"score": 4}, brand=brand, token="")
    api.settle()

    kpis = api.get(f"/v1/kpis?from={start.isoformat().replace('+', '%2B')}", brand=brand).json()
    assert (kpis["messages"], kpis["tickets_created"], kpis["tickets_resolved"]) == (3, 2, 1)
    assert kpis["bot_containment"] == pytest.approx(1 / 3, abs=1e-3) and kpis["negative_emotion_share"] > 0
    assert kpis["first_response_seconds"]["count"] == 1 and kpis["first_response_seconds"]["p50"] > 0
    assert (kpis["csat"]["answers"], kpis["csat"]["average"]) == (1, 4.0) and set(kpis["sla_attainment"]) == {"P1", "P3"}
    assert kpis["sla_attainment"]["P3"]["first_response"] == 1.0  # answered within the normal lane's 180 s
    since = start.isoformat().replace("+", "%2B")
    sliced = api.get(f"/v1/kpis?from={since}&skill=safety", brand=brand).json()
    assert (sliced["tickets_created"], sliced["messages"]) == (1, 1)
    by_channel = api.get(f"/v1/kpis?from={since}&channel=app_chat&lane=normal", brand=brand).json()
    assert (by_channel["tickets_created"], api.get(f"/v1/kpis?from={since}&channel=dm", brand=brand).json()["tickets_created"]) == (2, 0)
    report = api.get("/v1/kpis/report", brand=brand)
    assert (
        report.headers["content-type"] == "text/html; charset=utf-8"
        and f"KPIs — {brand}" in report.text  # read as UTF-8, not Latin-1 (the dash came out as â€”)
        and report.text.count("<svg") == 4
        and "First-contact resolution" in report.text
    )
    assert api.get("/v1/kpis?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", brand=brand).status_code == 422


def test_voice_of_customer_names_complaint_terms_per_category_and_supplier(api: Client, unique: Callable[[str], str]) -> None:
    brand = "thread-lab"  # its catalog is seeded: TL-HOODIE-01 is apparel, from its supplier
    start = datetime.now(UTC) - timedelta(seconds=1)
    for text in (
        "卫衣色差太大，和图片不一样，我要退货",
        "颜色不对，色差严重，联系我13912345678",
        "The hoodie runs small, wrong size. I want to return it",
    ):
        _post(api, brand, unique("c"), text, sku="TL-HOODIE-01")
    api.settle()
    window = f"from={start.isoformat().replace('+', '%2B')}"
    report = api.get(f"/v1/voc?{window}&by=category", brand=brand).json()
    rows = {(r["group"], r["term"]): r for r in report["terms"]}
    assert rows[("apparel", "色差")]["count"] == 2 and rows[("apparel", "尺寸不符")]["label_en"] == "size mismatch"
    assert any("139****5678" in example for example in rows[("apparel", "色差")]["examples"]), "phone numbers masked"
    by_supplier = api.get(f"/v1/voc?{window}&by=supplier", brand=brand).json()
    assert {r["group"] for r in by_supplier["terms"]} == {"东莞织然服饰有限公司"}
    csv = api.get(f"/v1/voc?{window}&by=sku&format=csv", brand=brand)
    assert (
        csv.headers["content-type"].startswith("text/csv") and csv.text.splitlines()[0] == "sku,term,term_en,count,previous,trend,examples"
    )


def test_questions_nobody_could_answer_become_topics_for_the_knowledge_editors(api: Client, unique: Callable[[str], str]) -> None:
    brand, start = "thread-lab", datetime.now(UTC) - timedelta(seconds=1)
    for text in ("你们有实体店吗", "实体店在哪里 有实体店吗", "你们有线下实体店可以试穿吗"):
        _post(api, brand, unique("c"), text)
    api.settle()
    topics = api.get(f"/v1/knowledge/gaps?from={start.isoformat().replace('+', '%2B')}", brand=brand).json()["topics"]
    store_topic = next(t for t in topics if any("实体店" in e for e in t["examples"]))
    assert store_topic["count"] >= 3 and "实体店" in store_topic["label"]


def test_each_alert_level_fires_and_goes_to_its_own_topic(api: Client, notifications: Notifications, unique: Callable[[str], str]) -> None:
    brand = unique("ops-alerts")
    store = _store(api)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for back in (1, 2, 3):  # the last three hours ran 30 % over the forecast (history a brand imports)
        store.add_volume(brand, hour - timedelta(hours=back), 130)
    store.save_forecast(
        brand,
        Forecast(
            generated_at=hour,
            model="test",
            history_hours=0,
            mape=None,
            live_session_multiplier=None,
            intervals=[Interval(hour=hour - timedelta(hours=b), expected=100, live_session=False) for b in (1, 2, 3)],
        ),
    )
    for n in range(20):  # a brand without knowledge: every message goes to a person, containment 0 %
        _post(api, brand, unique("c"), f"这个什么时候能到货 {n}")
    api.settle()  # their SLA timers keep their own pace; only the P1's pass at once
    victim = unique("c")
    with api.stack.fast_forward():
        _post(api, brand, victim, "用了面霜脸上过敏起红疹")  # a P1 that nobody answers
        api.settle()
        api.stack.finish(_ticket_of(api, brand, victim)["escalation_execution"])
    api.settle()
    alerts = api.get("/v1/alerts", brand=brand).json()["alerts"]
    fired = {(a["level"], a["rule"]) for a in alerts}
    assert {("yellow", "volume_over_forecast"), ("orange", "bot_containment"), ("red", "p1_breach")} <= fired, fired
    api.stack.client("sqs").send_message(QueueUrl=api.stack.queue_url("AnalyticsDeadLetterQueue"), MessageBody="{}")
    escalation = api.stack.function_name("escalation")
    for _ in range(5):  # five failed invocations: an error spike
        api.stack.client("lambda").invoke(FunctionName=escalation, Payload=json.dumps({"task": "breach"}).encode())
    platform = {(a["level"], a["rule"]) for a in api.get("/v1/alerts", brand=brand).json()["alerts"]}
    assert {("red", "dlq_not_empty"), ("red", "error_spike")} <= platform
    assert api.get("/v1/alerts", brand=brand).json()["alerts"] == api.get("/v1/alerts", brand=brand).json()["alerts"], "fired once"
    sent = {(m["topic"], m.get("rule")) for m in notifications.everything() if m.get("brand_id") in (brand, "_platform")}
    assert {("yellow", "volume_over_forecast"), ("orange", "bot_containment"), ("red", "p1_breach"), ("red", "dlq_not_empty")} <= sent
    api.stack.client("sqs").purge_queue(QueueUrl=api.stack.queue_url("AnalyticsDeadLetterQueue"))


def test_the_forecast_expects_live_session_bursts_and_staffs_for_them(api: Client, unique: Callable[[str], str]) -> None:
    brand, store = unique("ops-forecast"), _store(api)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(3)
    sessions = [now - timedelta(days=d) + timedelta(hours=2) for d in range(1, 29) if d % 3 == 0]
    for session in sessions:
        store.schedule(brand, f"past-{session:%m%d}", session, session + timedelta(hours=2))
    for h in range(28 * 24, 0, -1):
        hour = now - timedelta(hours=h)
        expected = 15 + 25 * max(0.0, math.sin((hour.hour - 6) / 24 * 2 * math.pi))
        if any(s <= hour < s + timedelta(hours=2) for s in sessions):
            expected *= 5
        store.add_volume(brand, hour, max(0, round(rng.gauss(expected, expected**0.5))))
    upcoming = now + timedelta(hours=5)
    planned = api.put(
        "/v1/live-sessions/live-next/schedule",
        {"start": upcoming.isoformat(), "end": (upcoming + timedelta(hours=2)).isoformat()},
        brand=brand,
    )
    assert planned.status_code == 200
    forecast = api.get("/v1/forecast?hours=48", brand=brand).json()
    assert len(forecast["intervals"]) == 48 and forecast["mape"] is not None and forecast["mape"] < 35
    assert forecast["live_session_multiplier"] == pytest.approx(5, rel=0.3)
    live = [i for i in forecast["intervals"] if i["live_session"]]
    quiet = [i for i in forecast["intervals"] if not i["live_session"]]
    assert len(live) == 2 and min(i["expected"] for i in live) > max(i["expected"] for i in quiet)
    assert min(i["agents_needed"] for i in live) > max(i["agents_needed"] for i in quiet) >= 1
