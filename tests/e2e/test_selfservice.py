"""Self-service on the local stack: the bot answers orders and parcels from the seeded supply chain,
for the customer who asks only, in Chinese and English; what it cannot settle goes to a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Client
from tests.e2e.test_journey import _conversation_of, _message

pytestmark = pytest.mark.e2e


def _ask(api: Client, unique: Callable[[str], str], customer: str, text: str, brand: str = "lumi-beauty") -> list[dict[str, Any]]:
    """The customer's message (found by its text: several may share a timestamp) and the bot's reply, if any."""
    assert api.post("/v1/messages", _message(unique("ss"), text, customer), brand=brand).status_code == 202
    api.settle()
    messages = _conversation_of(api, customer, brand=brand)["messages"]
    (asked,) = [m for m in messages if m["author"] == "customer" and m["text"] == text]
    return [asked, *(m for m in messages if m["author"] == "bot" and m.get("in_reply_to") == asked["message_id"])]


def test_several_orders_get_a_question_back_then_the_named_one_is_answered(api: Client, unique: Callable[[str], str]) -> None:
    question, reply = _ask(api, unique, "cust-1004", "where is my order?")
    assert question["routing"]["answer_source"] == "clarify" and question["routing"]["queue"] == "bot"
    assert "Which one" in reply["text"] and "1015" in reply["text"] and "9008" in reply["text"]
    assert "DD20261201015" not in reply["text"]
    asked, answered = _ask(api, unique, "cust-1004", "订单DD20261201015什么时候发货")
    assert asked["routing"]["answer_source"] == "supply:order" and "supply:order" in asked["routing"]["lookups"]
    assert "已付款" in answered["text"] and "前发货" in answered["text"]
    assert "intents:logreg-3-fused" in asked["routing"]["classifier_version"]


def test_an_order_in_english_is_answered_with_its_shipping_date(api: Client, unique: Callable[[str], str]) -> None:
    question, reply = _ask(api, unique, "cust-3001", "when will my order ship?", brand="thread-lab")
    assert question["routing"]["answer_source"] == "supply:order"
    assert reply["author"] == "bot" and reply["text"].startswith("Your order ending 0040")


def test_a_late_parcel_goes_to_a_person_with_the_lookup_on_the_ticket(api: Client, unique: Callable[[str], str]) -> None:
    (message,) = _ask(api, unique, "cust-1006", "我的快递到哪了？")  # no bot reply
    routing = message["routing"]
    assert routing["queue"] == "logistics" and routing["needs_human"] and message.get("ticket_id")
    assert any("late or stuck" in reason for reason in routing["reasons"])


def test_another_customers_order_is_never_disclosed(api: Client, unique: Callable[[str], str]) -> None:
    (message,) = _ask(api, unique, "cust-1007", "我的订单DD20261127011到哪了")  # cust-1003's parcel: no bot reply
    assert message["routing"]["needs_human"] and message["routing"]["queue"] in {"logistics", "general"}
