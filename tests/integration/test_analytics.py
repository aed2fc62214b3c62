"""The analytics function on moto: stream records become facts once, however often they arrive."""

from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from livedesk.analytics.store import AnalyticsStore
from tests.integration.conftest import Aws, FakeContext

AT = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
SERIALIZE = TypeSerializer().serialize


def _record(table: str, image: dict[str, Any], sequence: str) -> dict[str, Any]:
    typed = {name: SERIALIZE(value) for name, value in image.items()}
    return {
        "eventID": sequence,
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/stream/2026-11-24T00:00:00.000",
        "dynamodb": {
            "Keys": {"pk": typed["pk"], "sk": typed["sk"]},
            "NewImage": typed,
            "SequenceNumber": sequence,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def test_a_replayed_batch_is_counted_once(aws: Aws, load_handler: Any, context: FakeContext) -> None:
    analytics = load_handler("analytics")
    conversations = aws.environment_of("analytics")["CONVERSATIONS_TABLE"]
    routing = {
        "intent": "refund", "intent_confidence": "0.9", "queue": "after_sale", "value_lane": "normal", "needs_human": True,
        "emotion": {"polarity": "negative"},
    }  # fmt: skip
    message = {
        "pk": "BRAND#lumi#CONV#conv_1", "sk": f"MSG#{AT.isoformat()}#m1", "message_id": "m1", "author": "customer", "channel": "dm",
        "customer_id": "c1", "text": "我要退款 13812345678", "sent_at": AT.isoformat(), "routing": routing,
    }  # fmt: skip
    created = {
        "pk": "BRAND#lumi#TICKET#t1", "sk": f"EVENT#{AT.isoformat()}#000100", "at": AT.isoformat(), "actor": "routing",
        "action": "created", "detail": {"skill": "after_sale", "severity": "P3"},
    }  # fmt: skip
    marker = {"pk": "BRAND#lumi#CONV#conv_1", "sk": "SENT#x"}  # not a message: ignored
    event = {
        "Records": [
            _record(conversations, message, "1"),
            _record(conversations, marker, "2"),
            _record("livedesk-dev-ticket-history", created, "3"),
        ]
    }
    assert analytics.handler(event, context) == {"batchItemFailures": []}
    assert analytics.handler(event, context) == {"batchItemFailures": []}, "the stream hands the batch over again"
    store = AnalyticsStore(aws.table("Analytics"))
    facts = store.facts("lumi", AT - timedelta(hours=1), AT + timedelta(hours=1))
    assert sorted(f.kind for f in facts) == ["message", "ticket"]
    (fact,) = [f for f in facts if f.kind == "message"]
    assert (fact.handled_by, fact.polarity, fact.text) == ("person", "negative", "我要退款 138****5678"), "stored masked"
    assert store.volume("lumi", AT - timedelta(hours=1), AT + timedelta(hours=1)) == [(AT.replace(minute=0), 1)]
    assert store.brands() == ["lumi"]
