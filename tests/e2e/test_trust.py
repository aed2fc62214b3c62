"""Trust over HTTP on the local stack: who may call what, hostile input, personal data in views,
erasure and the audit log, dead letters and their redrive."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from livedesk.channels import signed_headers
from livedesk.quality.rules import RuleSet
from tests.e2e.conftest import ADDRESS, EMAIL, PHONE, Client

OPENAPI = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
# The least role each agent route needs; channel routes are signed by a channel instead.
SUPERVISOR_ROUTES = {
    "GET /v1/kpis",
    "GET /v1/kpis/report",
    "GET /v1/voc",
    "GET /v1/knowledge/gaps",
    "GET /v1/alerts",
    "GET /v1/forecast",
    "PUT /v1/live-sessions/{live_session_id}/schedule",
    "GET /v1/quality/findings",
    "GET /v1/quality/scores",
    "GET /v1/quality/summary",
    "GET /v1/quality/rules",
    "GET /v1/experiments",
    "GET /v1/experiments/{experiment_id}/results",
}
ADMIN_ROUTES = {
    "DELETE /v1/customers/{customer_id}/data",
    "GET /v1/audit",
    "PUT /v1/quality/rules",
    "POST /v1/experiments",
    "POST /v1/experiments/{experiment_id}/stop",
}
# The dead-letter queues hold every brand's messages: the deployment's operators only, never a brand's admin.
OPERATOR_ROUTES = {"GET /v1/admin/dead-letters", "POST /v1/admin/dead-letters/{name}/redrive"}
CHANNEL_ROUTES = {"POST /v1/messages", "POST /v1/sentiment", "POST /v1/surveys/{ticket_id}"}
ROUTES = {f"{method.upper()} {path}" for path, operations in OPENAPI["paths"].items() for method in operations}
SAMPLE_PATH = {
    "{live_session_id}": "live-1",
    "{customer_id}": "c-1",
    "{name}": "inbound-dlq",
    "{ticket_id}": "tkt_none",
    "{return_id}": "ret_none",
    "{conversation_id}": "conv_none",
    "{sku}": "SKU-1",
    "{order_id}": "DD1",
    "{tracking_number}": "SF1",
    "{experiment_id}": "exp_none",
}
SAMPLE_QUERY = {"GET /v1/audit": "?from=2026-11-01T00:00:00%2B00:00", "GET /v1/quality/summary": "?week=2026-W49"}
SAMPLE_BODY: dict[str, Any] = {
    "PUT /v1/live-sessions/{live_session_id}/schedule": {"start": "2026-12-24T12:00:00+00:00", "end": "2026-12-24T14:00:00+00:00"},
    "PUT /v1/quality/rules": RuleSet.packaged().model_dump(mode="json"),
    "POST /v1/experiments": {
        "name": "x",
        "variants": [{"name": "control", "weight": 50}, {"name": "b", "weight": 50, "min_confidence": 0.6}],
    },
}


def _path(route: str) -> str:
    path = route.split(" ", 1)[1]
    for placeholder, value in SAMPLE_PATH.items():
        path = path.replace(placeholder, value)
    return path + SAMPLE_QUERY.get(route, "")


def _message(customer: str, text: str, channel: str = "app_chat") -> dict[str, str]:
    return {
        "channel": channel,
        "channel_message_id": f"{customer}-{time.time_ns()}",
        "customer_id": customer,
        "text": text,
        "sent_at": datetime.now(UTC).isoformat(),
    }


def test_the_role_tables_name_routes_the_api_has() -> None:
    """Every other route is an agent route; a renamed route must not silently drop out of the role tests."""
    assert CHANNEL_ROUTES <= ROUTES and SUPERVISOR_ROUTES <= ROUTES and ADMIN_ROUTES <= ROUTES and OPERATOR_ROUTES <= ROUTES


@pytest.mark.parametrize("route", sorted(ROUTES - CHANNEL_ROUTES))
def test_agent_routes_refuse_callers_without_a_valid_token(api: Client, route: str) -> None:
    method = route.split(" ", 1)[0]
    for headers in ({}, {"authorization": "Bearer not-a-token"}):
        response = api.session.request(method, f"{api.stack.url}{_path(route)}", json=SAMPLE_BODY.get(route), headers=headers, timeout=30)
        assert response.status_code == 401, (route, response.text)


@pytest.mark.parametrize("route", sorted(SUPERVISOR_ROUTES | ADMIN_ROUTES | OPERATOR_ROUTES))
def test_routes_refuse_roles_below_their_own(api: Client, route: str, unique: Callable[[str], str]) -> None:
    brand = unique("trust-roles")
    below = ["agent"] if route in SUPERVISOR_ROUTES else ["agent", "supervisor"]
    below += ["admin"] if route in OPERATOR_ROUTES else []
    method = route.split(" ", 1)[0]
    for role in below:
        token = api.token(brand, f"{role}-x", role, ("pre_sale",))
        response = api.session.request(
            method,
            f"{api.stack.url}{_path(route)}",
            json=SAMPLE_BODY.get(route),
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 403, (route, role, response.text)
        assert "role" in response.json()["message"]


def test_ticket_actions_refuse_an_agent_outside_the_tickets_skill(api: Client, unique: Callable[[str], str]) -> None:
    brand, customer = unique("trust-skill"), unique("c")
    assert api.post("/v1/messages", _message(customer, "我的快递到哪了，三天没动了"), brand=brand).status_code == 202
    api.settle()
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    ticket_id = api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=brand).json()["messages"][0]["ticket_id"]
    ticket = api.get(f"/v1/tickets/{ticket_id}", brand=brand).json()
    assert ticket["skill"] != "pre_sale"
    outsider = api.token(brand, "outsider", "agent", ("pre_sale",))
    version = ticket["version"]
    actions = {
        "claim": {"version": version},
        "assign": {"version": version, "agent_id": "someone"},
        "transfer": {"version": version, "skill": "pre_sale", "note": "n"},
        "replies": {"version": version, "text": "hi"},
        "notes": {"version": version, "text": "n"},
        "wait": {"version": version, "on": "customer"},
        "resolve": {"version": version, "resolution": "r"},
        "reopen": {"version": version, "reason": "r"},
        "close": {"version": version},
        "merge": {"version": version, "into": "tkt_other"},
        "takeover": {"version": version},
        "recovery": {"version": version, "message": "m"},
        "returns": {"version": version, "order_id": "DD1", "sku": "SKU-1", "kind": "return", "reason": "damaged"},
    }
    assert {f"POST /v1/tickets/{{ticket_id}}/{a}" for a in actions} == {r for r in ROUTES if r.startswith("POST /v1/tickets/")}
    for action, body in actions.items():
        response = api.post(f"/v1/tickets/{ticket_id}/{action}", body, brand=brand, token=outsider)
        assert response.status_code == 403, (action, response.text)
    # The conversation behind the ticket is read under the same rule.
    path = f"/v1/conversations/{conversation['conversation_id']}"
    assert api.get(path, brand=brand, token=outsider).status_code == 403
    insider = api.token(brand, "insider", "agent", (ticket["skill"],))
    assert api.get(path, brand=brand, token=insider).json()["messages"][0]["ticket_id"] == ticket_id
    assert api.get(f"/v1/tickets/{ticket_id}", brand=brand, token=outsider).status_code == 403
    other_brand = api.token(unique("trust-other"), "sue", "supervisor")
    assert api.get(f"/v1/tickets/{ticket_id}", token=other_brand).status_code == 404, "another brand's ticket does not exist for them"
    assert api.get(f"/v1/conversations/{conversation['conversation_id']}", token=other_brand).status_code == 404


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"x-livedesk-signature": "v1=" + "0" * 64}, "bad signature"),
        ({"x-livedesk-timestamp": str(int(time.time()) - 600)}, "stale"),
        ({"x-livedesk-brand": "someone-else"}, "bad signature"),
        ({"x-livedesk-channel": "fax"}, "unknown channel"),
    ],
)
def test_badly_signed_stale_or_other_brand_requests_get_401(api: Client, change: dict[str, str], reason: str) -> None:
    body = json.dumps(_message("c-sig", "hello"), ensure_ascii=False).encode()
    headers = {"content-type": "application/json", **api.stack.channel_headers("lumi-beauty", "app_chat", "POST", "/v1/messages", body)}
    response = api.session.post(f"{api.stack.url}/v1/messages", data=body, headers={**headers, **change}, timeout=30)
    assert response.status_code == 401 and reason in response.json()["message"]


def test_a_key_signs_only_for_its_own_brand(api: Client, unique: Callable[[str], str]) -> None:
    theirs = api.stack.channel_keys.key(unique("trust-a"), "app_chat")
    body = json.dumps(_message("c-x", "hello"), ensure_ascii=False).encode()
    headers = signed_headers(theirs, "lumi-beauty", "app_chat", "POST", "/v1/messages", body)
    response = api.session.post(f"{api.stack.url}/v1/messages", data=body, headers={"content-type": "application/json", **headers})
    assert response.status_code == 401


def test_a_channel_posts_only_its_own_messages(api: Client) -> None:
    response = api.post("/v1/messages", _message("c-ch", "hello", channel="email"), channel="app_chat")
    assert response.status_code == 403 and "app_chat" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"text": "' + b"x" * 70_000 + b'"}', 413),
        (b'{"channel": "app_chat", "text": "\xff\xfe"}', 400),
        (b"[" * 50 + b"]" * 50, 400),
        (b'{"channel": "app_chat"', 422),
    ],
)
def test_oversized_broken_or_deep_bodies_get_a_clear_4xx(api: Client, body: bytes, status: int) -> None:
    response = api.signed("POST", "/v1/messages", body, "lumi-beauty")
    assert response.status_code == status
    assert response.json()["statusCode"] == status and response.json()["message"]


def test_text_length_and_unknown_fields_are_refused(api: Client) -> None:
    too_long = api.post("/v1/messages", _message("c-len", "长" * 4001))
    unknown = api.post("/v1/messages", {**_message("c-unk", "hi"), "priority": 1})
    assert (too_long.status_code, unknown.status_code) == (422, 422)
    assert "text" in too_long.json()["message"] and "priority" in unknown.json()["message"]


def test_agents_see_personal_data_masked_and_a_supervisors_reveal_is_audited(api: Client, unique: Callable[[str], str]) -> None:
    brand, customer = unique("trust-pii"), unique("c")
    text = f"快递一直没到，电话{PHONE}，邮箱{EMAIL}，地址{ADDRESS}"
    assert api.post("/v1/messages", _message(customer, text), brand=brand).status_code == 202
    api.settle()
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    path = f"/v1/conversations/{conversation['conversation_id']}"
    agent = api.token(brand, "amy", "agent", ("logistics",))
    seen = api.get(path, brand=brand, token=agent).json()["messages"][0]["text"]
    assert "139****5678" in seen and PHONE not in seen and EMAIL not in seen and "88号" not in seen
    assert api.get(f"{path}?reveal=true", brand=brand, token=agent).status_code == 403
    start = datetime.now(UTC) - timedelta(seconds=1)
    revealed = api.get(f"{path}?reveal=true", brand=brand).json()["messages"][0]["text"]
    assert revealed == text
    admin = api.token(brand, "root", "admin")
    entries = api.get(f"/v1/audit?from={start.isoformat().replace('+', '%2B')}", brand=brand, token=admin).json()["entries"]
    assert any(e["action"] == "reveal" and e["target"] == f"conversation/{conversation['conversation_id']}" for e in entries)


def test_erasure_removes_a_customer_everywhere_and_reports_it(api: Client, unique: Callable[[str], str]) -> None:
    brand, customer, neighbour = unique("trust-erase"), unique("c"), unique("n")
    for text in (f"我要退货，电话{PHONE}", "实体店在哪里可以试用"):
        assert api.post("/v1/messages", _message(customer, text), brand=brand).status_code == 202
    # Live-comment noise is dropped by routing, but intake kept its record.
    noise = {**_message(customer, "666666", channel="live_comment"), "live_session_id": "live-erase"}
    dropped = api.post("/v1/messages", noise, brand=brand).json()["message_id"]
    api.settle()
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    messages = api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=brand).json()["messages"]
    ticket_ids = {m["ticket_id"] for m in messages if m.get("ticket_id")}
    survey = api.post(f"/v1/surveys/{sorted(ticket_ids)[0]}", {"score": 4, "comment": f"还行，有事打{PHONE}"}, brand=brand, token="")
    assert survey.status_code == 200
    # A copy of one of their messages waits in the inbound DLQ, beside a neighbour's that must stay.
    sqs, dlq = api.stack.client("sqs"), api.stack.queue_url("InboundDeadLetterQueue")
    for who in (customer, neighbour):
        copy = {**_message(who, f"还没到 {PHONE}"), "brand_id": brand, "message_id": f"msg_{time.time_ns()}"}
        sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({**copy, "received_at": datetime.now(UTC).isoformat()}))
    admin = api.token(brand, "root", "admin")
    report = api.session.delete(
        f"{api.stack.url}/v1/customers/{customer}/data", headers={"authorization": f"Bearer {admin}"}, timeout=60
    ).json()
    assert report["conversations_deleted"] == 1 and report["messages_deleted"] >= 2
    assert report["tickets_anonymised"] == len(ticket_ids) >= 1
    assert report["pseudonym"].startswith("erased-")
    assert report["inbound_records_deleted"] == 3 and report["dead_letters_deleted"] == 1
    conversations_table = boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Conversations"))
    assert "Item" not in conversations_table.get_item(Key={"pk": f"BRAND#{brand}#MSG#{dropped}", "sk": "INBOUND"})
    held = [m["Body"] for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])]
    assert any(neighbour in body for body in held) and not any(f'"{customer}"' in body for body in held)
    for message in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", []):  # leave the DLQ as found
        if neighbour in message["Body"]:
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    assert api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"] == []
    assert api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=brand).status_code == 404
    for ticket_id in ticket_ids:
        ticket = api.get(f"/v1/tickets/{ticket_id}?reveal=true", brand=brand).json()
        assert ticket["customer_id"] == report["pseudonym"]
        assert PHONE not in json.dumps(ticket, ensure_ascii=False)
        assert ticket["csat"] is None or ticket["csat"]["comment"] == "[erased]"
    gaps = api.get("/v1/knowledge/gaps", brand=brand).json()
    assert "实体店" not in json.dumps(gaps, ensure_ascii=False)
    # Erasing again finds nothing; the audit log names who erased whom.
    again = api.session.delete(f"{api.stack.url}/v1/customers/{customer}/data", headers={"authorization": f"Bearer {admin}"}).json()
    assert again["messages_deleted"] == 0
    entries = api.get(
        "/v1/audit?from=" + (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+", "%2B"), brand=brand, token=admin
    )
    assert any(e["action"] == "erase" and e["target"] == f"customer/{customer}" for e in entries.json()["entries"])


def test_dead_letters_are_inspected_masked_and_redriven_to_their_source(api: Client, unique: Callable[[str], str]) -> None:
    brand, customer = unique("trust-dlq"), unique("c")
    operator = api.token("livedesk-ops", unique("ops"), "operator")
    auth = {"authorization": f"Bearer {operator}"}
    accepted = api.post("/v1/messages", _message(customer, f"我的快递到哪了 {PHONE}"), brand=brand)
    assert accepted.status_code == 202
    api.settle()
    sqs = api.stack.client("sqs")
    # A message routing gave up on after three failures, as the inbound DLQ holds it.
    replay = {**_message(customer, f"还没到 {PHONE}"), "brand_id": brand, "message_id": f"msg_{time.time_ns()}"}
    replay["received_at"] = datetime.now(UTC).isoformat()
    sqs.send_message(QueueUrl=api.stack.queue_url("InboundDeadLetterQueue"), MessageBody=json.dumps(replay, ensure_ascii=False))
    queues = {q["name"]: q for q in api.session.get(f"{api.stack.url}/v1/admin/dead-letters?peek=5", headers=auth).json()["queues"]}
    assert queues["inbound-dlq"]["depth"] >= 1 and "queue" in queues["inbound-dlq"]["redrives_to"]
    assert queues["inbound-dlq"]["samples"] and all(PHONE not in sample for sample in queues["inbound-dlq"]["samples"])
    result = api.session.post(f"{api.stack.url}/v1/admin/dead-letters/inbound-dlq/redrive", headers=auth).json()
    assert result["redriven"] >= 1 and result["remaining"] == 0
    api.settle()
    customer_messages = [
        m["message_id"]
        for c in api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
        for m in api.get(f"/v1/conversations/{c['conversation_id']}", brand=brand).json()["messages"]
        if m["author"] == "customer"
    ]
    assert customer_messages.count(replay["message_id"]) == 1 and accepted.json()["message_id"] in customer_messages
    assert api.session.post(f"{api.stack.url}/v1/admin/dead-letters/nowhere/redrive", headers=auth).status_code == 404
    # The brand whose message was moved sees who moved it in its own audit log.
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+", "%2B")
    entries = api.get(f"/v1/audit?from={since}", brand=brand, token=api.token(brand, "root", "admin")).json()["entries"]
    assert any(e["action"] == "redrive" and e["target"] == "queue/inbound-dlq" and e["role"] == "operator" for e in entries)
