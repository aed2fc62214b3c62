"""Tickets and their workflows over HTTP on the local stack: agents working tickets, SLA breaches,
supervisor takeover, service recovery, the 24-hour follow-up, and returns with their refunds."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from infrastructure.local.faults import Fault, injected
from livedesk.customers.store import CustomerRepository
from livedesk.supply.dynamo import DynamoSupplyChain
from livedesk.supply.ports import Order, OrderLine
from livedesk.tickets.repository import TaskTokens
from livedesk.value import CustomerValue
from tests.e2e.conftest import Client, Notifications

pytestmark = pytest.mark.e2e
BRAND = "lumi-beauty"


def _wait_for(check: Callable[[], Any], timeout_s: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _open_ticket(api: Client, customer: str, text: str, channel: str = "app_chat", brand: str = BRAND) -> dict[str, Any]:
    body = {"channel": channel, "channel_message_id": f"{customer}-{time.time_ns()}", "customer_id": customer, "text": text}
    assert api.post("/v1/messages", {**body, "sent_at": datetime.now(UTC).isoformat()}, brand=brand).status_code == 202
    api.settle()
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    message = api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=brand).json()["messages"][0]
    assert message.get("ticket_id"), message["routing"]["reasons"]
    return dict(api.get(f"/v1/tickets/{message['ticket_id']}", brand=brand).json())


def _conversation(api: Client, ticket: dict[str, Any], brand: str = BRAND) -> list[dict[str, Any]]:
    return list(api.get(f"/v1/conversations/{ticket['conversation_id']}", brand=brand).json()["messages"])


def _act(api: Client, ticket_id: str, action: str, body: dict[str, Any], token: str, brand: str = BRAND) -> Any:
    return api.post(f"/v1/tickets/{ticket_id}/{action}", body, brand=brand, token=token)


def _execution(api: Client, workflow: str, name_part: str) -> str:
    sfn = api.stack.client("stepfunctions")
    (machine,) = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"] if m["name"].endswith(f"-{workflow}")]

    def started() -> str | None:
        return next((e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"] if name_part in e["name"]), None)

    return str(_wait_for(started, what=f"a {workflow} execution for {name_part}"))


def _states(api: Client, execution_arn: str) -> list[str]:
    events = api.stack.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


# -- an agent at work -----------------------------------------------------------------------------


def test_an_agent_works_a_ticket_end_to_end(api: Client, unique: Callable[[str], str]) -> None:
    amy = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    ben = api.token(BRAND, unique("ben"), "agent", ("pre_sale",))
    customer = unique("cust")
    # A calm request: an angry one is also offered to supervisors, whose workflow writes to the ticket meanwhile.
    ticket = _open_ticket(api, customer, "我要退款，麻烦帮我处理一下")
    tid = ticket["ticket_id"]
    assert ticket["skill"] == "after_sale" and ticket["knowledge"], "the agent sees the closest knowledge"

    queue = api.get("/v1/agents/me/queue", token=amy).json()["tickets"]
    assert tid in [item["ticket"]["ticket_id"] for item in queue]
    priorities = [(item["ticket"]["priority"], item["due"]) for item in queue]
    assert priorities == sorted(priorities), "most urgent first"
    assert tid not in [item["ticket"]["ticket_id"] for item in api.get("/v1/agents/me/queue", token=ben).json()["tickets"]]
    assert api.get(f"/v1/tickets/{tid}", token=ben).status_code == 403, "not one of ben's skills"

    claimed = _act(api, tid, "claim", {"version": ticket["version"]}, amy).json()
    assert claimed["status"] == "assigned" and claimed["assignee"].startswith(f"{BRAND}-amy-")
    replied = _act(api, tid, "replies", {"version": claimed["version"], "text": "非常抱歉！已为您登记，稍后安排退款。"}, amy).json()
    assert replied["status"] == "pending_customer" and replied["first_responded_at"]
    noted = _act(api, tid, "notes", {"version": replied["version"], "text": "同批次第三起漏液，已告知品控"}, amy).json()
    resolved = _act(api, tid, "resolve", {"version": noted["version"], "resolution": "退款已原路返回"}, amy).json()
    assert resolved["status"] == "resolved"
    api.settle()

    messages = _conversation(api, ticket)
    agent_reply = next(m for m in messages if m["author"] == "agent")
    assert agent_reply["text"].startswith("非常抱歉") and agent_reply["channel"] == "app_chat"
    assert agent_reply["delivered_at"] and agent_reply["delivery"] == "recorded", "the outbox delivered it on its channel"
    survey = next(m for m in messages if m["author"] == "bot" and "打分" in m["text"])
    assert survey["delivered_at"], "the CSAT survey went out too"
    assert not any("同批次" in m["text"] for m in messages), "internal notes never reach the customer"

    answered = api.post(f"/v1/surveys/{tid}", {"score": 5, "comment": "很快，谢谢"}, brand=BRAND, token="")
    assert answered.json() == {"ticket_id": tid, "score": 5}
    closed = _act(api, tid, "close", {"version": resolved["version"] + 1}, amy).json()
    assert closed["status"] == "closed" and closed["csat"]["score"] == 5
    worked = [e["action"] for e in closed["history"] if e["actor"] not in ("escalation", "sla")]  # workflows write as they run
    assert worked[-6:] == ["claim", "reply", "note", "resolve", "csat", "close"]


def test_concurrent_changes_never_overwrite_each_other(api: Client, unique: Callable[[str], str]) -> None:
    amy = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    dan = api.token(BRAND, unique("dan"), "agent", ("after_sale",))
    ticket = _open_ticket(api, unique("cust"), "东西坏了，我要退款")
    first = _act(api, ticket["ticket_id"], "claim", {"version": ticket["version"]}, amy)
    second = _act(api, ticket["ticket_id"], "claim", {"version": ticket["version"]}, dan)
    assert first.status_code == 200 and second.status_code == 409
    assert "reload" in second.json()["message"]
    stolen = _act(api, ticket["ticket_id"], "claim", {"version": first.json()["version"]}, dan)
    assert stolen.status_code == 409 and "already assigned" in stolen.json()["message"]
    assert api.get(f"/v1/tickets/{ticket['ticket_id']}").json()["assignee"] == first.json()["assignee"]


def test_a_ticket_goes_to_the_supply_chain_expert_with_its_context_and_duplicates_are_merged(
    api: Client, unique: Callable[[str], str]
) -> None:
    amy = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    expert = api.token(BRAND, unique("expert"), "agent", ("supply_chain",))
    ticket = _open_ticket(api, unique("cust"), "我要退货，瓶子漏了")
    moved = _act(api, ticket["ticket_id"], "transfer", {"version": ticket["version"], "skill": "supply_chain", "note": "同批次漏液"}, amy)
    assert moved.status_code == 200 and moved.json()["skill"] == "supply_chain"
    assert ticket["ticket_id"] in [i["ticket"]["ticket_id"] for i in api.get("/v1/agents/me/queue", token=expert).json()["tickets"]]
    transferred = moved.json()["history"][-1]
    assert (transferred["action"], transferred["detail"]["note"]) == ("transfer", "同批次漏液")

    duplicate = _open_ticket(api, unique("cust"), "瓶子漏液了，我要退货")
    merged = _act(api, duplicate["ticket_id"], "merge", {"version": duplicate["version"], "into": ticket["ticket_id"]}, expert)
    assert merged.status_code == 403, "the duplicate is after_sale's, not the expert's"
    sue = api.token(BRAND)  # a supervisor may act on any ticket
    merged = _act(api, duplicate["ticket_id"], "merge", {"version": duplicate["version"], "into": ticket["ticket_id"]}, sue)
    assert (merged.json()["status"], merged.json()["merged_into"]) == ("closed", ticket["ticket_id"])
    assert api.get(f"/v1/tickets/{ticket['ticket_id']}").json()["duplicates"] == [duplicate["ticket_id"]]


def test_the_desk_refuses_callers_without_a_valid_token_or_of_another_brand(api: Client, unique: Callable[[str], str]) -> None:
    ticket = _open_ticket(api, unique("cust"), "我要退款")
    assert api.get(f"/v1/tickets/{ticket['ticket_id']}", token="not-a-token").status_code == 401
    assert api.session.get(f"{api.stack.url}/v1/tickets/{ticket['ticket_id']}").status_code == 401
    assert api.get(f"/v1/tickets/{ticket['ticket_id']}", brand="oak-home").status_code == 404, "another brand's supervisor"


# -- workflows --------------------------------------------------------------------------------------


def test_a_vips_missed_first_response_reaches_a_supervisor(api: Client, notifications: Notifications, unique: Callable[[str], str]) -> None:
    customer = unique("vip")
    customers = boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Customers"))
    CustomerRepository(customers).put_profile(BRAND, customer, "VIP", CustomerValue(vip_level=4, lifetime_spend=30000, order_count=30))
    with api.stack.fast_forward():
        ticket = _open_ticket(api, customer, "我想退货，这个颜色不合适")
        assert api.succeeded(ticket["escalation_execution"])
    after = api.get(f"/v1/tickets/{ticket['ticket_id']}").json()
    breach = next(e for e in after["history"] if e["action"] == "first_response_breached")
    created = after["history"][0]["detail"]["severity"]
    assert ticket["value_lane"] == "vip" and (created, breach["detail"]["severity"], after["severity"]) == ("P3", "P2", "P1")
    assert after["status"] == "new" and after["assignee"] is None, "re-queued"
    kinds = {(topic, kind) for topic, kind, _ in notifications.about(ticket["ticket_id"])}
    assert ("supervisors", "first_response_breached") in kinds and ("escalations", "first_response_breached") in kinds
    assert "NotifySupervisorsOfBreach" in _states(api, ticket["escalation_execution"])


def test_a_supervisor_takes_over_an_angry_customer(api: Client, notifications: Notifications, unique: Callable[[str], str]) -> None:
    sue = api.token(BRAND, unique("sue"), "supervisor")
    ticket = _open_ticket(api, unique("angry"), "三天了没人管，再不解决就投诉12315！")
    execution = _execution(api, "takeover", ticket["ticket_id"])
    _wait_for(lambda: any(e["action"] == "offered_to_supervisors" for e in api.get(f"/v1/tickets/{ticket['ticket_id']}").json()["history"]))
    current = api.get(f"/v1/tickets/{ticket['ticket_id']}").json()
    taken = _act(api, ticket["ticket_id"], "takeover", {"version": current["version"]}, sue)
    assert taken.status_code == 200, taken.text
    assert (taken.json()["status"], taken.json()["assignee"].startswith(f"{BRAND}-sue-")) == ("assigned", True)
    assert api.succeeded(execution) and "Accepted" in _states(api, execution)
    assert ("supervisors", "takeover_offered") in {(t, k) for t, k, _ in notifications.about(ticket["ticket_id"])}
    again = _act(api, ticket["ticket_id"], "takeover", {"version": taken.json()["version"]}, sue)
    assert again.status_code == 200 and again.json()["assignee"] == taken.json()["assignee"], "a second click changes nothing"
    _an_offer_after_the_takeover_accepts_at_once(api, execution, ticket["ticket_id"], taken.json()["assignee"])


def _an_offer_after_the_takeover_accepts_at_once(api: Client, execution: str, ticket_id: str, supervisor: str) -> None:
    """The supervisor clicked as the offer moved up a level (their answer waits in the offer's place):
    the next level's offer answers its own wait for them, through the escalation function's grant."""
    tickets = boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Tickets"))
    assert TaskTokens(tickets).answer_ahead(BRAND, ticket_id, "takeover", supervisor)
    sfn = api.stack.client("stepfunctions")
    described = sfn.describe_execution(executionArn=execution)
    offers_before = [e["action"] for e in api.get(f"/v1/tickets/{ticket_id}").json()["history"]].count("offered_to_supervisors")
    race = sfn.start_execution(stateMachineArn=described["stateMachineArn"], name=f"{ticket_id}-race", input=described["input"])
    assert api.succeeded(race["executionArn"]) and _states(api, race["executionArn"])[-1] == "Accepted"
    assert json.loads(sfn.describe_execution(executionArn=race["executionArn"])["output"])["accepted"] == {"supervisor": supervisor}
    after = api.get(f"/v1/tickets/{ticket_id}").json()
    assert [e["action"] for e in after["history"]].count("offered_to_supervisors") == offers_before, "no offer is shown again"


def test_an_unaccepted_takeover_escalates_level_by_level(api: Client, notifications: Notifications, unique: Callable[[str], str]) -> None:
    ticket = _open_ticket(api, unique("angry"), "Fix this today or I will file a chargeback and report you")
    execution = _execution(api, "takeover", ticket["ticket_id"])
    assert api.succeeded(execution)
    states = _states(api, execution)
    assert states.count("AwaitSupervisor") == 3 and "OfferToHeadOfService" in states and states[-1] == "NobodyAccepted"
    after = api.get(f"/v1/tickets/{ticket['ticket_id']}").json()
    assert [e["detail"]["level"] for e in after["history"] if e["action"] == "offered_to_supervisors"] == ["1", "2", "3"]
    assert after["priority"] == 1 and after["history"][-1]["action"] == "takeover_unaccepted"
    kinds = [(topic, kind) for topic, kind, _ in notifications.about(ticket["ticket_id"])]
    assert ("escalations", "takeover_offered") in kinds and ("escalations", "takeover_unaccepted") in kinds


def _resolved(api: Client, customer: str, agent: str) -> dict[str, Any]:
    ticket = _open_ticket(api, customer, "赠品一直没收到，要退款")
    claimed = _act(api, ticket["ticket_id"], "claim", {"version": ticket["version"]}, agent).json()
    return dict(_act(api, ticket["ticket_id"], "resolve", {"version": claimed["version"], "resolution": "已补发赠品"}, agent).json())


def test_a_bad_csat_opens_a_recovery_and_the_manager_issues_a_coupon(
    api: Client, notifications: Notifications, unique: Callable[[str], str]
) -> None:
    amy = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    manager = api.token(BRAND, unique("manager"), "supervisor")
    resolved = _resolved(api, unique("cust"), amy)
    tid = resolved["ticket_id"]
    api.post(f"/v1/surveys/{tid}", {"score": 1, "comment": "补发太慢了"}, brand=BRAND, token="")
    execution = _execution(api, "recovery", tid)
    _wait_for(
        lambda: any(e["action"] == "recovery_opened" for e in api.get(f"/v1/tickets/{tid}").json()["history"]), what="a recovery task"
    )
    assert ("managers", "recovery_needed") in {(t, k) for t, k, _ in notifications.about(tid)}
    current = api.get(f"/v1/tickets/{tid}").json()
    assert _act(api, tid, "recovery", {"version": current["version"], "coupon_amount": 30, "message": "x"}, amy).status_code == 403
    done = _act(api, tid, "recovery", {"version": current["version"], "coupon_amount": 30, "message": "非常抱歉让您失望了。"}, manager)
    assert done.status_code == 200
    assert api.succeeded(execution)
    assert {"IssueCoupon", "Apologize", "Recovered"} <= set(_states(api, execution))
    after = api.get(f"/v1/tickets/{tid}").json()
    (coupon,) = after["compensations"]
    assert coupon["amount"] == 30 and coupon["coupon_id"].startswith("CP")
    api.settle()
    apology = [m["text"] for m in _conversation(api, after) if m["author"] == "bot" and coupon["coupon_id"] in m["text"]]
    assert apology and apology[0].startswith("非常抱歉让您失望了。")


def test_a_resolution_without_csat_gets_a_follow_up_after_a_day(api: Client, unique: Callable[[str], str]) -> None:
    amy = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    with api.stack.fast_forward():  # the 24 hours pass at once
        resolved = _resolved(api, unique("cust"), amy)
        execution = _execution(api, "aftercare", resolved["ticket_id"])
        assert api.succeeded(execution)
    assert _states(api, execution)[-2:] == ["FollowUp", "FollowedUp"]
    api.settle()
    assert any("都解决了吗" in m["text"] for m in _conversation(api, resolved) if m["author"] == "bot")


# -- after-sales --------------------------------------------------------------------------------------


def _order(api: Client, customer: str, sku: str, price: float, delivered_days_ago: float) -> str:
    order_id = f"DD{time.time_ns()}"
    now = datetime.now(UTC)
    order = Order(
        order_id=order_id,
        customer_id=customer,
        status="delivered",
        lines=[OrderLine(sku=sku, name=sku, quantity=1, unit_price=price)],
        amount=price,
        paid_at=now - timedelta(days=delivered_days_ago + 2),
        delivered_at=now - timedelta(days=delivered_days_ago),
    )
    table = boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Supply"))
    DynamoSupplyChain(table).put_order(BRAND, order)
    return order_id


def _return(api: Client, unique: Callable[[str], str], kind: str, delivered_days_ago: float) -> dict[str, Any]:
    amy = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    customer = unique("cust")
    order_id = _order(api, customer, "LB-SERUM-30", 199, delivered_days_ago)
    ticket = _open_ticket(api, customer, "不想要了，我要退货")
    body = {"version": ticket["version"], "order_id": order_id, "sku": "LB-SERUM-30", "kind": kind, "reason": "no_reason"}
    started = _act(api, ticket["ticket_id"], "returns", body, amy)
    assert started.status_code == 201, started.text
    return {"ticket": ticket, "return": started.json(), "order_id": order_id}


def _inspect(api: Client, unique: Callable[[str], str], return_id: str, passed: bool, notes: str) -> None:
    warehouse = api.token(BRAND, unique("wh"), "agent", ("warehouse",))
    agent = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    _wait_for(lambda: api.get(f"/v1/returns/{return_id}").json()["status"] == "inspecting", what="the inspection step")
    verdict = {"passed": passed, "notes": notes}
    assert api.post(f"/v1/returns/{return_id}/inspection", verdict, token=agent).status_code == 403, "only the warehouse"
    assert api.post(f"/v1/returns/{return_id}/inspection", verdict, token=warehouse).status_code == 200


def _refunds(api: Client, order_id: str) -> list[Any]:
    table = boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Supply"))
    return DynamoSupplyChain(table).refunds_of(BRAND, order_id)


def test_a_return_is_checked_picked_up_inspected_and_refunded_once(api: Client, unique: Callable[[str], str]) -> None:
    started = _return(api, unique, "return", delivered_days_ago=3)
    return_id = started["return"]["return_id"]
    _inspect(api, unique, return_id, passed=True, notes="未拆封，完好")
    execution = started["return"]["execution_arn"]
    assert api.succeeded(execution)
    path = ["CheckEligibility", "Eligible", "SchedulePickup", "AwaitInspection", "InspectionPassed", "Refund", "Refunded"]
    assert _states(api, execution) == path
    final = api.get(f"/v1/returns/{return_id}").json()
    assert (final["status"], final["refund_amount"]) == ("refunded", 199) and final["pickup_tracking"].startswith("RT")
    assert [r.refund_id for r in _refunds(api, started["order_id"])] == [final["refund_id"]]
    api.settle()
    told = [m["text"] for m in _conversation(api, started["ticket"]) if m["author"] == "bot"]
    assert any("15天" in t and "无理由退货" in t for t in told), "the customer was told their rights, from the policy in force"
    assert any("上门取件" in t for t in told) and any("退款 199 元" in t for t in told)
    steps = ["return_checked", "pickup_scheduled", "awaiting_inspection", "refunded"]
    history = [e["action"] for e in api.get(f"/v1/tickets/{started['ticket']['ticket_id']}").json()["history"]]
    assert [action for action in history if action in steps] == steps, "each step is on the ticket"


def test_a_failed_inspection_sends_the_goods_back_without_a_refund(api: Client, unique: Callable[[str], str]) -> None:
    started = _return(api, unique, "exchange", delivered_days_ago=2)
    _inspect(api, unique, started["return"]["return_id"], passed=False, notes="已使用过半")
    execution = started["return"]["execution_arn"]
    assert api.succeeded(execution) and _states(api, execution)[-2:] == ["InspectionFailed", "SentBack"]
    assert api.get(f"/v1/returns/{started['return']['return_id']}").json()["status"] == "inspection_failed"
    assert _refunds(api, started["order_id"]) == []
    api.settle()
    assert any("验货未通过：已使用过半" in m["text"] for m in _conversation(api, started["ticket"]))


def test_a_refund_is_retried_after_a_transient_error_and_paid_exactly_once(api: Client, unique: Callable[[str], str]) -> None:
    started = _return(api, unique, "return", delivered_days_ago=1)
    execution = started["return"]["execution_arn"]
    order = started["order_id"].encode()
    # Recording the refund is throttled through all five of botocore's attempts, once.
    busy = Fault("dynamodb.PutItem", "throttled", times=5, when=lambda body: order in body and b"#REFUND#" in body)
    with injected(busy):
        _inspect(api, unique, started["return"]["return_id"], passed=True, notes="完好")
        assert api.succeeded(execution)
    assert busy.failed == 5
    history = api.stack.client("stepfunctions").get_execution_history(executionArn=execution, maxResults=1000)["events"]
    failures = [e for e in history if e["type"] == "LambdaFunctionFailed" or e["type"] == "TaskFailed"]
    assert any("TransientSupplyError" in str(e) for e in failures), "the first refund attempt failed"
    assert len(_refunds(api, started["order_id"])) == 1, "and the retry paid exactly once"


def test_a_return_outside_the_window_is_refused_with_the_reason(api: Client, unique: Callable[[str], str]) -> None:
    started = _return(api, unique, "return", delivered_days_ago=40)
    execution = started["return"]["execution_arn"]
    assert api.succeeded(execution) and _states(api, execution)[-1] == "NotEligible"
    final = api.get(f"/v1/returns/{started['return']['return_id']}").json()
    assert final["status"] == "ineligible" and "15-day window ended" in final["eligibility"]
    api.settle()
    assert any("无法办理" in m["text"] for m in _conversation(api, started["ticket"]))


def test_agents_look_up_orders_stock_and_parcels(api: Client) -> None:
    order = api.get("/v1/orders/DD20261120001").json()
    assert order["customer_id"] == "cust-1002" and order["lines"][0]["sku"] == "LB-SERUM-30"
    stock = api.get("/v1/inventory/LB-SERUM-30").json()
    assert {level["warehouse"]: level["available"] for level in stock["levels"]} == {"hangzhou": 320, "shanghai": 80}
    parcel = api.get("/v1/shipments/SF1234567890").json()
    assert parcel["status"] == "in_transit" and [e["status"] for e in parcel["events"]] == ["picked_up", "in_transit"] and parcel["eta"]
    assert api.get("/v1/orders/DD20261120001", brand="oak-home").status_code == 404, "another brand's order"
    assert api.get("/v1/orders/DD20261120001", token="bad").status_code == 401


def test_a_passed_exchange_ships_a_replacement_from_stock(api: Client, unique: Callable[[str], str]) -> None:
    started = _return(api, unique, "exchange", delivered_days_ago=2)
    _inspect(api, unique, started["return"]["return_id"], passed=True, notes="色号不对，完好")
    execution = started["return"]["execution_arn"]
    assert api.succeeded(execution) and _states(api, execution)[-2:] == ["ShipReplacement", "Exchanged"]
    final = api.get(f"/v1/returns/{started['return']['return_id']}").json()
    assert final["status"] == "exchanged" and final["replacement_tracking"].startswith("EX")
    assert _refunds(api, started["order_id"]) == [], "an exchange refunds nothing"


def test_tasks_nobody_picks_up_are_escalated_when_they_time_out(
    api: Client, notifications: Notifications, unique: Callable[[str], str]
) -> None:
    """The warehouse never inspects, the manager never decides: each workflow notifies escalations and ends."""
    amy = api.token(BRAND, unique("amy"), "agent", ("after_sale",))
    started = _return(api, unique, "return", delivered_days_ago=1)
    resolved = _resolved(api, unique("cust"), amy)
    api.post(f"/v1/surveys/{resolved['ticket_id']}", {"score": 2}, brand=BRAND, token="")
    recovery = _execution(api, "recovery", resolved["ticket_id"])
    inspection = started["return"]["execution_arn"]
    assert api.succeeded(inspection) and _states(api, inspection)[-1] == "InspectionNotDone"
    assert api.succeeded(recovery) and _states(api, recovery)[-1] == "RecoveryNotDone"
    assert ("escalations", "inspection_overdue") in {(t, k) for t, k, _ in notifications.about(started["ticket"]["ticket_id"])}
    assert ("escalations", "recovery_overdue") in {(t, k) for t, k, _ in notifications.about(resolved["ticket_id"])}
