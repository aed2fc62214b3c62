"""Tenant isolation as a property: whatever route, role and ids a caller of brand A tries (brand B's
real ids among them), nothing of brand B comes back and nothing of brand B changes."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import Client
from tests.e2e.test_trust import CHANNEL_ROUTES, OPERATOR_ROUTES, ROUTES, SAMPLE_QUERY

pytestmark = pytest.mark.e2e
OTHER = "lumi-beauty"  # brand B: the seeded brand, with orders, parcels, stock, knowledge and live sessions
# The dead-letter tools serve every brand by design (operators only): their isolation is the role test's.
TRIED = sorted(ROUTES - OPERATOR_ROUTES)
ROLES = ("agent", "supervisor", "admin")
SKILLS = ("pre_sale", "logistics", "after_sale", "technical", "supply_chain", "general", "supervisor", "safety")
# What only brand B has: its knowledge, its order's products, its customer's words (set per run).
# Customer ids brand A's channel itself wrote in with: from then on they name A's customers too.
USED_BY_A: set[str] = set()
FINGERPRINTS = ["现货订单付款后48小时内从杭州仓发出", "Hydra 玻尿酸补水精华液", "王小美"]
EXAMPLES = 60


@pytest.fixture(scope="module")
def other_brand(api: Client) -> dict[str, str]:
    """Brand B's ticket, conversation and customer, opened for this test with words only B has."""
    stamp = str(time.time_ns())[-8:]
    marker, customer = f"只有B品牌知道-{stamp}", f"b-cust-{stamp}"
    body = {
        "channel": "app_chat",
        "channel_message_id": f"{customer}-{time.time_ns()}",
        "customer_id": customer,
        "text": f"我要退货，瓶子漏了 {marker}",
        "sent_at": datetime.now(UTC).isoformat(),
    }
    assert api.post("/v1/messages", body, brand=OTHER).status_code == 202
    api.settle()
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=OTHER).json()["conversations"]
    message = api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=OTHER).json()["messages"][0]
    FINGERPRINTS.append(marker)
    return {
        "{ticket_id}": message["ticket_id"],
        "{conversation_id}": conversation["conversation_id"],
        "{customer_id}": customer,
        "{order_id}": "DD20261120001",
        "{tracking_number}": "SF1234567890",
        "{sku}": "LB-SERUM-30",
        "{live_session_id}": "live-2026-11-21-lb",
        "{return_id}": "ret_none",
        "{name}": "inbound-dlq",
    }


def _worked(ticket: dict[str, Any]) -> tuple[Any, ...]:
    """What a caller could change: its state, holder, queue, survey and what people did to it (the SLA
    and escalation workflows write to it on their own clock)."""
    people = [e for e in ticket["history"] if e["actor"] not in ("sla", "escalation")]
    return ticket["status"], ticket.get("assignee"), ticket["skill"], ticket["csat"], people


def _body(route: str, ids: dict[str, str], version: int, data: st.DataObject) -> Any:
    """A valid body, so the request reaches the domain code rather than stopping at validation."""
    if route in CHANNEL_ROUTES:
        now = datetime.now(UTC).isoformat()
        if route == "POST /v1/messages":
            return {
                "channel": "app_chat",
                "channel_message_id": f"iso-{time.time_ns()}",
                "customer_id": ids["{customer_id}"],
                "text": "我的快递到哪了",
                "sent_at": now,
            }
        if route == "POST /v1/sentiment":
            return {"texts": ["还没到"]}
        return {"score": 1, "comment": "差"}
    action = route.rsplit("/", 1)[-1]
    bodies: dict[str, dict[str, Any]] = {
        "assign": {"agent_id": "someone"},
        "transfer": {"skill": "supply_chain", "note": "n"},
        "replies": {"text": "您好"},
        "notes": {"text": "n"},
        "wait": {"on": "customer"},
        "resolve": {"resolution": "r"},
        "reopen": {"reason": "r"},
        "merge": {"into": ids["{ticket_id}"]},
        "recovery": {"message": "m"},
        "returns": {"order_id": ids["{order_id}"], "sku": ids["{sku}"], "kind": "return", "reason": "damaged"},
        "inspection": {"passed": True, "note": "n"},
    }
    if route == "POST /v1/search":
        return {"query": data.draw(st.sampled_from(["下单后多久发货", "精华液", "主播说买二送一"]))}
    if route.startswith("PUT /v1/live-sessions"):
        return {"start": "2026-12-24T12:00:00+00:00", "end": "2026-12-24T14:00:00+00:00"}
    return {"version": version, **bodies.get(action, {})}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_a_caller_of_one_brand_never_reads_or_changes_another_brands_data(
    api: Client, other_brand: dict[str, str], data: st.DataObject
) -> None:
    brand = "iso-a"  # brand A: the same caller across examples, so its tokens are issued once
    route = data.draw(st.sampled_from(TRIED), label="route")
    method, template = route.split(" ", 1)
    path = template
    for placeholder, real in other_brand.items():
        if placeholder in path:
            path = path.replace(placeholder, data.draw(st.sampled_from([real, f"x{real[1:]}"]), label=placeholder))
    path += SAMPLE_QUERY.get(route, "")
    before = api.get(f"/v1/tickets/{other_brand['{ticket_id}']}", brand=OTHER).json()
    body = _body(route, other_brand, before["version"], data)
    if route == "POST /v1/messages":
        USED_BY_A.add(body["customer_id"])
    if route in CHANNEL_ROUTES:
        response = api.signed(method, path, json.dumps(body, ensure_ascii=False).encode(), brand, "app_chat")
    else:
        role = data.draw(st.sampled_from(ROLES), label="role")
        token = api.token(brand, f"iso-{role}", role, SKILLS)
        response = api.session.request(
            method, f"{api.stack.url}{path}", json=body, headers={"authorization": f"Bearer {token}"}, timeout=60
        )
    assert response.status_code < 500, (route, response.text)
    asked = path + json.dumps(body, ensure_ascii=False)
    leaked = [f for f in [*FINGERPRINTS, *other_brand.values()] if f in response.text and f not in asked and f not in USED_BY_A]
    assert not leaked, (route, leaked, response.text[:300])
    after = api.get(f"/v1/tickets/{other_brand['{ticket_id}']}", brand=OTHER).json()
    assert _worked(after) == _worked(before), route
    conversations = api.get(f"/v1/customers/{other_brand['{customer_id}']}/conversations", brand=OTHER).json()["conversations"]
    assert [c["message_count"] for c in conversations] == [1], route
