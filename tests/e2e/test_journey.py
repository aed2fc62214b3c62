"""One customer message along the whole path, and the ways that path must not break."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from tests.e2e.conftest import Client, Notifications

pytestmark = pytest.mark.e2e
NOW = datetime.now(UTC).replace(microsecond=0)


def _message(channel_message_id: str, text: str, customer_id: str = "cust-1002", channel: str = "app_chat", **extra: Any) -> dict[str, Any]:
    return {
        "channel": channel,
        "channel_message_id": channel_message_id,
        "customer_id": customer_id,
        "text": text,
        "sent_at": NOW.isoformat(),
        **extra,
    }


def _conversation_of(api: Client, customer_id: str, brand: str = "lumi-beauty") -> dict[str, Any]:
    listed = api.get(f"/v1/customers/{customer_id}/conversations", brand=brand).json()["conversations"]
    assert listed, f"{customer_id} has no conversation"
    response = api.get(f"/v1/conversations/{listed[0]['conversation_id']}", brand=brand)
    assert response.status_code == 200
    return dict(response.json())


def test_a_message_needing_a_person_is_routed_ticketed_and_escalated(
    api: Client, notifications: Notifications, unique: Callable[[str], str]
) -> None:
    customer = unique("cust")
    with api.stack.fast_forward():  # the SLA timers run out at once
        accepted = api.post(
            "/v1/messages", _message(unique("dm"), "用了你们的面霜脸上过敏起红疹，怎么办！！", customer, "dm", sku="LB-CREAM-50")
        )
        assert accepted.status_code == 202
        message_id = accepted.json()["message_id"]
        api.settle()
        conversation = _conversation_of(api, customer)
        message = conversation["messages"][0]
        ticket = api.get(f"/v1/tickets/{message['ticket_id']}").json()
        assert api.succeeded(ticket["escalation_execution"])
        api.settle()

    assert message["message_id"] == message_id and message["channel"] == "dm" and message["sku"] == "LB-CREAM-50"
    routing = message["routing"]
    assert (routing["intent"], routing["queue"], routing["severity"], routing["needs_human"]) == ("product_safety", "safety", "P1", True)
    ticket = api.get(f"/v1/tickets/{message['ticket_id']}").json()
    assert ticket["conversation_id"] == conversation["conversation_id"] and ticket["severity"] == "P1"
    assert ticket["escalation_execution"].endswith(ticket["ticket_id"])
    # Nobody answered by either due time: both breaches are on record, the customer was told, people were notified.
    assert ticket["sla_state"] == "resolution_breached"
    sla_events = [e["action"] for e in ticket["history"] if e["actor"] in ("routing", "sla")]
    assert sla_events == ["created", "first_response_breached", "resolution_breached"]
    told = [m["text"] for m in _conversation_of(api, customer)["messages"] if m["author"] == "bot"]
    assert any("升级" in text for text in told), told
    published = {(topic, kind) for topic, kind, _ in notifications.about(ticket["ticket_id"])}
    assert {
        ("supervisors", "p1_opened"),
        ("escalations", "first_response_breached"),
        ("supervisors", "first_response_breached"),
    } <= published
    assert ("escalations", "resolution_breached") in published


def test_a_question_the_bot_can_answer_opens_no_ticket(api: Client, unique: Callable[[str], str]) -> None:
    customer = unique("cust")
    assert (
        api.post("/v1/messages", _message(unique("app"), "Do you have the floor lamp in stock?", customer), brand="oak-home").status_code
        == 202
    )
    api.settle()
    message, reply = _conversation_of(api, customer, brand="oak-home")["messages"]
    routing = message["routing"]
    assert routing["queue"] == "bot" and routing["needs_human"] is False and message.get("ticket_id") is None
    # Stock is live: the lamp knowledge search found is looked up in oak-home's inventory, per colour.
    assert routing["answer_source"] == "supply:stock" and routing["lookups"] == ["knowledge", "supply:stock"]
    assert "matte black" in routing["answer"] and "sold out: cream white" in routing["answer"]
    assert (reply["author"], reply["in_reply_to"], reply["text"]) == ("bot", message["message_id"], routing["answer"])


def test_a_threat_goes_to_a_supervisor(api: Client, unique: Callable[[str], str]) -> None:
    customer = unique("cust")
    api.post(
        "/v1/messages",
        _message(unique("live"), "退款三天没人理，再不解决就投诉12315", customer, "live_comment", live_session_id="live-2026-11-21-lb"),
    )
    api.settle()
    (message,) = _conversation_of(api, customer)["messages"]
    assert message["routing"]["queue"] == "supervisor" and message["routing"]["emotion"]["threat"] is True
    assert api.get(f"/v1/tickets/{message['ticket_id']}").json()["skill"] == "supervisor"


def test_a_duplicate_delivery_is_one_message(api: Client, unique: Callable[[str], str]) -> None:
    customer, channel_id = unique("cust"), unique("dy")
    body = _message(channel_id, "主播说买二送一，赠品什么时候发？", customer, "live_comment")
    first, second = api.post("/v1/messages", body), api.post("/v1/messages", body)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    api.settle()
    conversation = _conversation_of(api, customer)
    assert conversation["message_count"] == 1 and [m["author"] for m in conversation["messages"]][:1] == ["customer"]
    assert len(conversation["messages"]) in (1, 2), "the message, and at most one bot reply"
    reused = api.post("/v1/messages", {**body, "text": "another text"})
    assert reused.status_code == 409 and "already used" in reused.json()["message"]


def test_one_customer_is_one_conversation_across_channels(api: Client, unique: Callable[[str], str]) -> None:
    customer = unique("cust")
    api.post("/v1/messages", _message(unique("live"), "这个精华敏感肌能用吗？", customer, "live_comment"))
    later = (NOW + timedelta(minutes=5)).isoformat()
    api.post(
        "/v1/messages", {**_message(unique("mail"), "Where is my order? It still says not shipped.", customer, "email"), "sent_at": later}
    )
    api.settle()
    conversation = _conversation_of(api, customer)
    assert conversation["channels"] == ["email", "live_comment"]
    assert [m["channel"] for m in conversation["messages"] if m["author"] == "customer"] == ["live_comment", "email"]


def test_a_poisoned_record_goes_to_the_dlq_and_the_rest_of_the_batch_is_routed(api: Client, unique: Callable[[str], str]) -> None:
    stack = api.stack
    sqs = stack.client("sqs")
    customer = unique("cust")
    good = [
        {"brand_id": "lumi-beauty", "message_id": unique("msg"), "received_at": NOW.isoformat(), **_message(unique("app"), text, customer)}
        for text in ("这款有货吗", "优惠券怎么用")
    ]
    entries = [{"Id": f"good{i}", "MessageBody": json.dumps(m, ensure_ascii=False)} for i, m in enumerate(good)]
    entries.insert(1, {"Id": "poison", "MessageBody": '{"brand_id": "lumi-beauty", "text": "no channel, no id"}'})
    sent = sqs.send_message_batch(QueueUrl=stack.queue_url("InboundQueue"), Entries=entries)["Successful"]
    poison_id = next(entry["MessageId"] for entry in sent if entry["Id"] == "poison")
    api.settle()

    dlq = sqs.receive_message(QueueUrl=stack.queue_url("InboundDeadLetterQueue"), MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dlq] == [entries[1]["MessageBody"]]
    # Retried up to the redrive policy's maxReceiveCount (3) before it was dead-lettered.
    (poller,) = [p for p in stack.pollers if p.mapping.function_name == f"{stack.function_name('routing')}:live"]
    assert poller.deliveries[poison_id] == 3
    stored = {m["message_id"] for m in _conversation_of(api, customer)["messages"] if m["author"] == "customer"}
    assert stored == {m["message_id"] for m in good}


def test_no_brand_sees_another_brands_data(api: Client, unique: Callable[[str], str]) -> None:
    customer = unique("cust")
    api.post("/v1/messages", _message(unique("dm"), "我要退款，东西坏了", customer, "dm"), brand="lumi-beauty")
    api.settle()
    conversation = _conversation_of(api, customer, brand="lumi-beauty")
    ticket_id = conversation["messages"][0]["ticket_id"]
    assert api.get(f"/v1/conversations/{conversation['conversation_id']}", brand="oak-home").status_code == 404
    assert api.get(f"/v1/tickets/{ticket_id}", brand="oak-home").status_code == 404
    assert api.get(f"/v1/customers/{customer}/conversations", brand="oak-home").json()["conversations"] == []


@pytest.mark.parametrize(
    ("body", "brand", "status"),
    [
        (
            {"channel": "fax", "channel_message_id": "x", "customer_id": "c", "text": "hi", "sent_at": "2026-11-21T12:00:00Z"},
            "lumi-beauty",
            422,
        ),
        (
            {"channel": "dm", "channel_message_id": "x", "customer_id": "c", "text": "hi", "sent_at": "2026-11-21T12:00:00"},
            "lumi-beauty",
            422,
        ),
        (
            {"channel": "dm", "channel_message_id": "x", "customer_id": "c", "text": "", "sent_at": "2026-11-21T12:00:00Z"},
            "lumi-beauty",
            422,
        ),
        (
            {"channel": "dm", "channel_message_id": "x", "customer_id": "c", "text": "hi", "sent_at": "2026-11-21T12:00:00Z", "vip": True},
            "lumi-beauty",
            422,
        ),
        ({"channel": "dm", "channel_message_id": "x", "customer_id": "c", "text": "hi", "sent_at": "2026-11-21T12:00:00Z"}, None, 401),
    ],
    ids=["unknown-channel", "naive-timestamp", "empty-text", "unknown-field", "unsigned"],
)
def test_bad_input_gets_a_clear_4xx(api: Client, body: dict[str, Any], brand: str | None, status: int) -> None:
    response = api.post("/v1/messages", body, brand=brand)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["message"]


def test_unknown_routes_and_resources_are_404(api: Client) -> None:
    assert api.get("/v1/nothing-here").status_code == 404
    assert api.get("/v1/tickets/tkt_does_not_exist").status_code == 404
    assert api.get("/v1/conversations/conv_does_not_exist").json()["message"]


def test_sentiment_endpoint_takes_a_batch(api: Client) -> None:
    texts = ["等了五天还没发货，太差了！！再不解决就投诉", "收到了，很喜欢，谢谢主播", "WHERE IS MY PARCEL, THIS IS RIDICULOUS!!!"]
    response = api.post("/v1/sentiment", {"texts": texts})
    assert response.status_code == 200
    angry, happy, shouting = response.json()["results"]
    assert angry["polarity"] == "negative" and angry["threat"] is True
    assert happy["polarity"] == "positive" and happy["category"] == "satisfaction"
    assert shouting["category"] == "anger" and shouting["intensity"] >= 0.8
    assert api.post("/v1/sentiment", {"texts": []}).status_code == 422
    assert api.post("/v1/sentiment", {"texts": ["x"] * 101}).status_code == 422


def test_search_answers_from_the_brands_knowledge_and_records_gaps(api: Client, local_stack: Any) -> None:
    response = api.post("/v1/search", {"query": "下单以后多久能发货呀", "k": 3}, brand="lumi-beauty")
    assert response.status_code == 200
    result = response.json()
    assert result["hits"][0]["doc_id"] == "faq-lb-001" and result["embedder"] == "multilingual-e5-small-4bit"
    assert all(hit["doc_id"].split("-")[1] == "lb" for hit in result["hits"]), "only this brand's knowledge"
    assert (result["answer"], result["answer_doc_id"]) == (result["hits"][0]["content"], "faq-lb-001")
    unknown = api.post("/v1/search", {"query": "how long does shipping take"}, brand="brand-without-knowledge").json()
    assert (unknown["hits"], unknown["answer"], unknown["reason"]) == ([], None, "no knowledge matches")
    gaps = boto3.resource("dynamodb", endpoint_url=local_stack.endpoint).Table(local_stack.table_name("Knowledge"))
    recorded = gaps.query(KeyConditionExpression=Key("pk").eq("BRAND#brand-without-knowledge#KNOWLEDGE_GAPS"))["Items"]
    assert [item["query"] for item in recorded] == ["how long does shipping take"]


def test_a_policy_question_gets_the_version_in_force_on_the_day(api: Client) -> None:
    ask = {"query": "退货规则 几天无理由退货", "k": 5, "filters": {"kinds": ["policy"]}}
    today = {hit["doc_id"] for hit in api.post("/v1/search", ask, brand="lumi-beauty").json()["hits"]}
    last_year = {
        hit["doc_id"] for hit in api.post("/v1/search", {**ask, "filters": {"kinds": ["policy"], "on": "2025-06-01"}}).json()["hits"]
    }
    assert "pol-lb-return-window-v2" in today and "pol-lb-return-window-v1" not in today
    assert "pol-lb-return-window-v1" in last_year and "pol-lb-return-window-v2" not in last_year


def test_what_the_host_promised_in_a_live_session_comes_first(api: Client) -> None:
    ask = {"query": "主播说买二送一，赠品怎么没有", "filters": {"live_session_id": "live-2026-11-21-lb"}}
    top = api.post("/v1/search", ask, brand="lumi-beauty").json()["hits"][0]
    assert (top["kind"], top["live_session_id"]) == ("live_session", "live-2026-11-21-lb")
    assert top["promised_at"] and top["content"]


def test_a_live_comment_burst_is_answered_once_and_noise_is_dropped(api: Client, unique: Callable[[str], str]) -> None:
    session = unique("live")
    viewers = [unique("viewer") for _ in range(25)]
    for n, viewer in enumerate(viewers):
        text = "这个能带上飞机吗？" if n % 2 else "這個能帶上飛機嗎"  # the knowledge has no confident answer: a person
        assert api.post("/v1/messages", _message(unique("dy"), text, viewer, "live_comment", live_session_id=session)).status_code == 202
    noisy = unique("viewer")
    for text in ("666666", "来了来了", "😍😍😍"):
        api.post("/v1/messages", _message(unique("dy"), text, noisy, "live_comment", live_session_id=session))
    api.settle()

    messages = [_conversation_of(api, viewer)["messages"][0] for viewer in viewers]
    assert len({m["cluster_id"] for m in messages}) == 1
    assert len({m["ticket_id"] for m in messages}) == 1, "one ticket for the whole burst"
    assert api.get(f"/v1/customers/{noisy}/conversations").json()["conversations"] == []
    (cluster,) = api.get(f"/v1/live-sessions/{session}/clusters").json()["clusters"]
    assert (cluster["members"], cluster["ticket_id"], cluster["answer"]) == (25, messages[0]["ticket_id"], None)


def test_a_question_many_viewers_ask_is_answered_once_and_broadcast(api: Client, unique: Callable[[str], str]) -> None:
    session = unique("live")
    asks = ["几号链接", "链接在哪里？？", "幾號鏈接", "几号链接呀", "which number is the link?"]
    viewers = [unique("viewer") for _ in range(20)]
    for n, viewer in enumerate(viewers):
        body = _message(unique("dy"), asks[n % len(asks)], viewer, "live_comment", live_session_id=session)
        assert api.post("/v1/messages", body).status_code == 202
    api.settle()

    clusters = api.get(f"/v1/live-sessions/{session}/clusters").json()["clusters"]
    assert sum(c["members"] for c in clusters) == 20 and clusters[0]["members"] >= 12
    assert all(c["answer"] and c["ticket_id"] is None for c in clusters), "the bot answers; nobody is ticketed"
    routed = [_conversation_of(api, viewer)["messages"][0] for viewer in viewers]
    answers = {c["cluster_id"]: c["answer"] for c in clusters}
    assert all(m["routing"]["answer"] == answers[m["cluster_id"]] for m in routed), "every viewer gets the cluster's one answer"
    assert api.get(f"/v1/live-sessions/{session}/clusters", brand="oak-home").json()["clusters"] == []


def test_an_uploaded_knowledge_file_is_searchable_and_a_deleted_one_is_gone(api: Client, local_stack: Any) -> None:
    s3, bucket = local_stack.client("s3"), local_stack.bucket_name("KnowledgeBucket")
    faq = {"id": "faq-new-1", "kind": "faq", "lang": "en", "source": "e2e", "category": "home"}
    rows = [{**faq, "questions": ["Do you deliver to Macau?", "shipping to Macau"], "answer": "Yes, Macau in 5-7 days."}, {"id": "bad"}]
    s3.put_object(Bucket=bucket, Key="knowledge/new-brand/faq.jsonl", Body="\n".join(json.dumps(r) for r in rows).encode())
    api.settle()
    found = api.post("/v1/search", {"query": "can you ship to macau"}, brand="new-brand").json()
    assert found["hits"][0]["doc_id"] == "faq-new-1"
    s3.delete_object(Bucket=bucket, Key="knowledge/new-brand/faq.jsonl")
    api.settle()
    assert api.post("/v1/search", {"query": "can you ship to macau"}, brand="new-brand").json()["hits"] == []


def _gaps(local_stack: Any, brand: str) -> list[str]:
    table = boto3.resource("dynamodb", endpoint_url=local_stack.endpoint).Table(local_stack.table_name("Knowledge"))
    return [item["query"] for item in table.query(KeyConditionExpression=Key("pk").eq(f"BRAND#{brand}#KNOWLEDGE_GAPS"))["Items"]]


def test_routing_answers_a_viewer_with_what_the_host_promised_in_that_session(api: Client, unique: Callable[[str], str]) -> None:
    viewer = unique("viewer")
    body = _message(unique("dy"), "主播说买二送一，赠品什么时候发？", viewer, "live_comment", live_session_id="live-2026-11-21-lb")
    assert api.post("/v1/messages", body).status_code == 202
    api.settle()
    message, reply = _conversation_of(api, viewer)["messages"]
    assert (message["routing"]["queue"], message["routing"]["answer_source"]) == ("bot", "live-lb-01")
    assert "knowledge: confident match" in message["routing"]["reasons"]
    assert reply["author"] == "bot" and "买二送一" in reply["text"] and "11月21日 19:45" in reply["text"]


def test_an_unanswerable_question_goes_to_a_person_with_suggestions_and_is_a_knowledge_gap(
    api: Client, local_stack: Any, unique: Callable[[str], str]
) -> None:
    customer, text = unique("cust"), f"这个能带上飞机吗？ {unique('ask')}"
    api.post("/v1/messages", _message(unique("app"), text, customer))
    refund_customer, refund = unique("cust"), f"我要退款，东西坏了 {unique('ask')}"
    api.post("/v1/messages", _message(unique("app"), refund, refund_customer))
    api.settle()
    for who in (customer, refund_customer):
        (message,) = _conversation_of(api, who)["messages"]
        ticket = api.get(f"/v1/tickets/{message['ticket_id']}").json()
        assert ticket["knowledge"], "the agent sees the closest knowledge"
        assert all(s["doc_id"].split("-")[1] == "lb" and s["content"] and s["version"] >= 1 for s in ticket["knowledge"])
    gaps = _gaps(local_stack, "lumi-beauty")
    assert text in gaps, "a question the bot could not answer is for the knowledge editors"
    assert refund not in gaps, "a refund is for a person: no gap"
