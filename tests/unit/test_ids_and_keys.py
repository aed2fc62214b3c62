from datetime import UTC, datetime

import pytest

from livedesk import ids, keys


def test_ids_are_deterministic_and_brand_scoped() -> None:
    assert ids.message_id("a", "dm", "1") == ids.message_id("a", "dm", "1")
    assert ids.message_id("a", "dm", "1") != ids.message_id("b", "dm", "1")
    assert ids.message_id("a", "dm", "1") != ids.message_id("a", "email", "1")
    assert ids.ticket_id("a", "msg_1").startswith("tkt_")


def test_every_key_starts_with_the_brand() -> None:
    moment = datetime(2026, 11, 21, tzinfo=UTC)
    built = [
        keys.inbound_message("lumi", "m")["pk"],
        keys.conversation_meta("lumi", "c")["pk"],
        keys.conversation_message("lumi", "c", moment, "m")["pk"],
        keys.customer_profile("lumi", "u")["pk"],
        keys.customer_conversations_pk("lumi", "u"),
        keys.ticket("lumi", "t")["pk"],
        keys.ticket_event("lumi", "t", moment, 0)["pk"],
        keys.ticket_step("lumi", "t", "sla-breach")["pk"],
        keys.conversation_notice_sent("lumi", "c", "m")["pk"],
    ]
    assert all(key.startswith("BRAND#lumi#") for key in built)


def test_a_key_cannot_be_built_without_a_brand() -> None:
    with pytest.raises(ValueError):
        keys.ticket("", "t")


def test_messages_sort_by_time_within_a_conversation() -> None:
    early = keys.conversation_message("b", "c", datetime(2026, 1, 1, 9, tzinfo=UTC), "z")["sk"]
    late = keys.conversation_message("b", "c", datetime(2026, 1, 1, 10, tzinfo=UTC), "a")["sk"]
    assert early < late


def test_a_partition_key_is_read_back_into_its_brand_and_id() -> None:
    assert keys.conversation_of(keys.conversation_pk("lumi", "conv_1")) == ("lumi", "conv_1")
    assert keys.ticket_of(keys.ticket_pk("lumi", "tkt_1")) == ("lumi", "tkt_1")
    assert keys.conversation_of(keys.ticket_pk("lumi", "tkt_1")) is None  # another shape
    assert keys.ticket_of(keys.conversation_pk("lumi", "conv_1")) is None
    assert keys.conversation_of("BRAND#lumi#CONV#") is None and keys.conversation_of("CONV#c") is None
