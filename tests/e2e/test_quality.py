"""Quality inspection over HTTP on the local stack: a resolved ticket's conversation is inspected
from the history stream; supervisors read findings and scores; an admin's new rule file applies to
the next inspection without a deploy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from livedesk.quality.rules import RuleSet
from tests.e2e.conftest import Client
from tests.e2e.test_tickets import _act, _open_ticket, _wait_for

pytestmark = pytest.mark.e2e
BRAND = "lumi-beauty"


def _work(api: Client, token: str, customer: str, question: str, replies: list[str], brand: str = BRAND) -> str:
    """An agent claims the ticket of ``question``, sends ``replies`` and resolves it."""
    ticket = _open_ticket(api, customer, question, brand=brand)
    claimed = _act(api, ticket["ticket_id"], "claim", {"version": ticket["version"]}, token, brand)
    assert claimed.status_code == 200, (ticket["skill"], claimed.text)
    version = claimed.json()["version"]
    for text in replies:
        version = _act(api, ticket["ticket_id"], "replies", {"version": version, "text": text}, token, brand).json()["version"]
    assert _act(api, ticket["ticket_id"], "resolve", {"version": version, "resolution": "done"}, token, brand).status_code == 200
    api.settle()
    return str(ticket["ticket_id"])


def _findings(api: Client, ticket_id: str, **query: str) -> list[dict[str, Any]]:
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+", "%2B")
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    found = api.get(f"/v1/quality/findings?from={since}{extra}").json()["findings"]
    return [f for f in found if f["ticket_id"] == ticket_id]


def test_a_resolved_conversation_is_inspected_and_supervisors_read_its_findings_and_scores(
    api: Client, unique: Callable[[str], str]
) -> None:
    amy_id = unique("amy")
    amy = api.token(BRAND, amy_id, "agent", ("after_sale",))
    replies = ["亲，我们是7天无理由退货哦，这款面霜是全网最好的", "已登记您的电话13812345678，稍后联系您"]
    ticket_id = _work(api, amy, unique("cust"), "面霜我想退货，麻烦处理一下", replies)

    findings = _wait_for(lambda: _findings(api, ticket_id), what="the inspection of the resolved ticket")
    by_rule = {f["rule_id"]: f for f in findings}
    assert {"policy_contradiction", "absolute_claim", "personal_data", "missing_closing"} <= set(by_rule)
    assert by_rule["policy_contradiction"]["reference"] == "pol-lb-return-window-v2", "the policy in force, 15 days"
    phone = by_rule["personal_data"]
    assert phone["author_id"] == f"{BRAND}-{amy_id}" and phone["severity"] == "critical"
    assert "13812345678" not in str(findings) and "138****5678" in phone["excerpt"], "findings never show the data unmasked"
    assert _findings(api, ticket_id, rule="absolute_claim", severity="major")[0]["detail"] == "全网最"

    scores = api.get("/v1/quality/scores?by=agent").json()["groups"]
    mine = next(row for row in scores if row["group"] == f"{BRAND}-{amy_id}")
    assert mine["conversations"] == 1 and mine["score"] < 50 and mine["findings"]["critical"] == 2
    week = datetime.now(UTC).strftime("%G-W%V")
    summary = api.get(f"/v1/quality/summary?week={week}").json()
    assert summary["this_week"]["conversations"] >= 1 and summary["this_week"]["findings_by_rule"]["policy_contradiction"] >= 1
    quality = api.get("/v1/kpis?skill=after_sale").json()["quality"]
    assert quality["conversations_inspected"] >= 1 and quality["findings_by_rule"]["policy_contradiction"] >= 1, "the KPIs carry quality"
    gaps = api.get("/v1/knowledge/gaps").json()["topics"]
    assert any("7天无理由" in str(topic) for topic in gaps), "a contradicted policy shows up as a knowledge gap"
    assert api.get("/v1/quality/findings", token=amy).status_code == 403, "agents do not read the team's findings"


def test_an_admins_rule_file_applies_to_the_next_inspection_without_a_deploy(api: Client, unique: Callable[[str], str]) -> None:
    brand = unique("quality-rules")
    admin = api.token(brand, "boss", "admin")
    agent = api.token(brand, unique("eve"), "agent", ("after_sale", "pre_sale", "logistics", "general"))
    rules = RuleSet.packaged().model_dump(mode="json")
    rules["version"] = "lenient-2026-12"
    rules["wording"] = [rule for rule in rules["wording"] if rule["id"] != "rude_wording"]
    rules["closing"]["enabled"] = False

    broken = {**rules, "wording": [{**rules["wording"][0], "terms": [{"pattern": "(unclosed", "suggestion": "x"}]}]}
    assert api.put("/v1/quality/rules", broken, brand=brand, token=admin).status_code in (400, 422)
    assert api.put("/v1/quality/rules", rules, brand=brand, token=admin).json()["version"] == "lenient-2026-12"
    assert api.get("/v1/quality/rules", brand=brand).json()["version"] == "lenient-2026-12"
    assert api.get("/v1/quality/rules").json()["version"] == RuleSet.packaged().version, "other brands keep theirs"

    replies = ["Hi, that's not my problem, read the description yourself."]
    ticket_id = _work(api, agent, unique("cust"), "I want to return my order please", replies, brand)
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+", "%2B")

    def inspected() -> list[dict[str, Any]] | None:
        rows = api.get(f"/v1/quality/scores?by=skill&from={since}", brand=brand).json()["groups"]
        return rows or None

    [row] = _wait_for(inspected, what="the inspection under the new rules")
    assert row["conversations"] == 1 and row["score"] == 100, row
    assert api.get(f"/v1/quality/findings?from={since}", brand=brand).json()["findings"] == []
    audit = api.get(f"/v1/audit?from={since}", brand=brand, token=admin).json()["entries"]
    assert any(e["target"] == "quality/rules" and e["detail"]["to_version"] == "lenient-2026-12" for e in audit)
    assert ticket_id


def test_the_hourly_sweep_inspects_conversations_the_bot_handled_alone(api: Client, unique: Callable[[str], str]) -> None:
    brand = BRAND  # a brand whose knowledge answers the question
    customer = unique("cust")
    body = {"channel": "app_chat", "channel_message_id": unique("m"), "customer_id": customer, "text": "几号链接呀"}
    assert api.post("/v1/messages", {**body, "sent_at": datetime.now(UTC).isoformat()}, brand=brand).status_code == 202
    api.settle()
    (message,) = api.get(f"/v1/conversations/{_conversation_id(api, brand, customer)}", brand=brand).json()["messages"][:1]
    assert message["routing"]["answer"] and message.get("ticket_id") is None, "the bot answered it"

    hour_later = (datetime.now(UTC) + timedelta(minutes=90)).isoformat()
    invoked = api.stack.client("lambda").invoke(
        FunctionName="livedesk-dev-quality", Payload=json.dumps({"quality": "sweep", "at": hour_later}).encode()
    )
    assert json.loads(invoked["Payload"].read())["inspected"] >= 1
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+", "%2B")
    rows = api.get(f"/v1/quality/scores?by=skill&from={since}", brand=brand).json()["groups"]
    assert any(row["group"] == "bot" and row["conversations"] >= 1 for row in rows), rows


def _conversation_id(api: Client, brand: str, customer: str) -> str:
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    return str(conversation["conversation_id"])
