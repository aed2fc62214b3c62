"""The local stack's DynamoDB stream mappings: Lambda's event-filtering patterns."""

import pytest

from infrastructure.local.event_sources import matches

REPLY = {"eventName": "INSERT", "dynamodb": {"NewImage": {"author": {"S": "bot"}, "sk": {"S": "MSG#2026"}}}}
PATTERN = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"author": {"S": ["bot", "agent"]}}}}


def test_a_record_passes_when_every_field_of_the_pattern_matches() -> None:
    assert matches(PATTERN, REPLY)
    assert not matches(PATTERN, {**REPLY, "eventName": "MODIFY"})
    assert not matches(PATTERN, {"eventName": "INSERT", "dynamodb": {"NewImage": {"author": {"S": "customer"}}}})
    assert not matches(PATTERN, {"eventName": "INSERT", "dynamodb": {"NewImage": {}}}), "a missing field never matches"
    assert matches({"dynamodb": {"NewImage": {"sk": {"S": [{"prefix": "MSG#"}]}}}}, REPLY)


def test_an_operator_the_local_stack_does_not_know_is_an_error_not_a_silent_pass() -> None:
    with pytest.raises(ValueError, match="not supported"):
        matches({"eventName": [{"anything-but": ["REMOVE"]}]}, REPLY)
