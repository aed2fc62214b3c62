"""A/B experiments over HTTP on the local stack: an admin starts one, routing assigns each customer a
variant for good and applies it, the results compare variants with their sample sizes, and stopping
returns everyone to the control."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Client
from tests.e2e.test_tickets import _wait_for

pytestmark = pytest.mark.e2e
WARM = "爱你们！我们会继续努力的 ❤"
DRAFT = {
    "name": "warmer thanks",
    "hypothesis": "a warmer courtesy reply keeps viewers engaged",
    "variants": [
        {"name": "control", "weight": 50},
        {"name": "warm", "weight": 50, "courtesy": {"praise": {"zh": WARM, "en": "Love you too!"}}},
    ],
}


def _thank(api: Client, brand: str, customer: str, text: str = "谢谢主播，你们太棒了") -> list[dict[str, Any]]:
    body = {
        "channel": "app_chat",
        "channel_message_id": f"{customer}-{time.time_ns()}",
        "customer_id": customer,
        "text": text,
    }
    assert api.post("/v1/messages", {**body, "sent_at": datetime.now(UTC).isoformat()}, brand=brand).status_code == 202
    api.settle()
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    return list(api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=brand).json()["messages"])


def test_an_experiment_assigns_customers_applies_their_variant_and_reports_until_it_is_stopped(
    api: Client, unique: Callable[[str], str]
) -> None:
    brand = unique("experiments")
    admin = api.token(brand, "boss", "admin")
    started = api.post("/v1/experiments", DRAFT, brand=brand, token=admin).json()
    experiment_id = started["experiment_id"]
    assert started["status"] == "running"
    assert api.post("/v1/experiments", DRAFT, brand=brand, token=admin).status_code == 409, "one experiment at a time"

    seen: dict[str, str] = {}
    for n in range(12):
        customer = f"viewer-{n}"
        messages = _thank(api, brand, customer)
        routing = messages[0]["routing"]
        assert routing["experiment_id"] == experiment_id and routing["variant"] in ("control", "warm")
        seen[customer] = routing["variant"]
        reply = next(m["text"] for m in messages if m["author"] == "bot")
        assert (reply == WARM) == (routing["variant"] == "warm"), "the variant's wording, and only for its customers"
    again = _thank(api, brand, "viewer-3")
    assert again[-2]["routing"]["variant"] == seen["viewer-3"], "a customer keeps their variant"
    assert set(seen.values()) == {"control", "warm"}
    warm = next(customer for customer, variant in seen.items() if variant == "warm")
    in_english = _thank(api, brand, warm, "thank you so much, you guys are amazing")
    assert in_english[-1]["author"] == "bot" and in_english[-1]["text"] == "Love you too!", "the variant's English wording"

    def read() -> dict[str, Any] | None:
        found = api.get(f"/v1/experiments/{experiment_id}/results", brand=brand).json()
        return found if sum(v["messages"] for v in found["variants"]) == 14 else None

    results = _wait_for(read, what="the results to count every message")
    by_variant = {v["variant"]: v for v in results["variants"]}
    assert by_variant["warm"]["customers"] == sum(1 for v in seen.values() if v == "warm")
    assert by_variant["warm"]["containment"]["value"] == 1.0 and by_variant["warm"]["containment"]["n"] == by_variant["warm"]["messages"]
    assert not results["enough_data"] and "not enough data yet" in results["note"]

    stopped = api.post(f"/v1/experiments/{experiment_id}/stop", {}, brand=brand, token=admin).json()
    assert stopped["status"] == "stopped" and stopped["stopped_at"]
    after = _thank(api, brand, "viewer-after")
    assert after[0]["routing"]["experiment_id"] is None and after[1]["text"] != WARM, "everyone is back on the control"
    listed = api.get("/v1/experiments", brand=brand).json()["experiments"]
    assert [(e["experiment_id"], e["status"]) for e in listed] == [(experiment_id, "stopped")]
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+", "%2B")
    audit = api.get(f"/v1/audit?from={since}", brand=brand, token=admin).json()["entries"]
    assert [e["detail"]["status"] for e in audit if e["target"] == f"experiment/{experiment_id}"] == ["running", "stopped"]
