from datetime import UTC, datetime, timedelta

import pytest

from intake.service import ConflictingDuplicate, ImplausibleSentAt, IntakeService
from livedesk.conversations.store import StoredInbound
from livedesk.models import Channel, InboundMessage, MessageIn

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class FakeMessages:
    def __init__(self) -> None:
        self.items: dict[str, StoredInbound] = {}

    def add_if_new(self, message: InboundMessage) -> StoredInbound | None:
        if message.message_id in self.items:
            return self.items[message.message_id]
        self.items[message.message_id] = StoredInbound(text=message.text, state="received")
        return None

    def mark_queued(self, brand_id: str, message_id: str) -> None:
        self.items[message_id] = StoredInbound(text=self.items[message_id].text, state="queued")


class FakeQueue:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[InboundMessage] = []
        self.fail = fail

    def send(self, message: InboundMessage) -> None:
        if self.fail:
            raise ConnectionError("queue unavailable")
        self.sent.append(message)


def _message(text: str = "我的快递到哪了") -> MessageIn:
    return MessageIn(channel=Channel.APP_CHAT, channel_message_id="m-1", customer_id="c-1", text=text, sent_at=NOW)


def _service(queue: FakeQueue, messages: FakeMessages) -> IntakeService:
    return IntakeService(messages, queue, clock=lambda: NOW)  # type: ignore[arg-type]


def test_a_new_message_is_stored_and_enqueued_once() -> None:
    queue, messages = FakeQueue(), FakeMessages()
    service = _service(queue, messages)
    first = service.accept(service.prepare("lumi", _message(), "corr-1"))
    again = service.accept(service.prepare("lumi", _message(), "corr-2"))
    assert first == again
    assert len(queue.sent) == 1
    assert queue.sent[0].brand_id == "lumi"
    assert queue.sent[0].correlation_id == "corr-1"


def test_reusing_a_channel_message_id_for_other_text_is_a_conflict() -> None:
    service = _service(FakeQueue(), FakeMessages())
    service.accept(service.prepare("lumi", _message(), None))
    with pytest.raises(ConflictingDuplicate):
        service.accept(service.prepare("lumi", _message("completely different"), None))


def test_a_retry_after_a_failed_enqueue_enqueues_again() -> None:
    messages = FakeMessages()
    with pytest.raises(ConnectionError):
        _service(FakeQueue(fail=True), messages).accept(_service(FakeQueue(), messages).prepare("lumi", _message(), None))
    queue = FakeQueue()
    service = _service(queue, messages)
    service.accept(service.prepare("lumi", _message(), None))
    assert len(queue.sent) == 1


def test_the_same_channel_id_in_two_brands_is_two_messages() -> None:
    queue, messages = FakeQueue(), FakeMessages()
    service = _service(queue, messages)
    a = service.accept(service.prepare("lumi", _message(), None))
    b = service.accept(service.prepare("oak", _message(), None))
    assert a.message_id != b.message_id
    assert len(queue.sent) == 2


@pytest.mark.parametrize(
    ("sent_at", "accepted"),
    [
        (NOW + timedelta(minutes=5), True),  # a channel's clock a little ahead
        (NOW - timedelta(days=29), True),  # an e-mail answered from a backlog
        (NOW + timedelta(hours=1), False),
        (datetime(9999, 12, 31, tzinfo=UTC), False),  # overflowed the retention TTL and dead-lettered
        (NOW - timedelta(days=31), False),
    ],
)
def test_a_message_sent_far_in_the_future_or_past_is_refused(sent_at: datetime, accepted: bool) -> None:
    service = _service(FakeQueue(), FakeMessages())
    message = _message().model_copy(update={"sent_at": sent_at})
    if accepted:
        assert service.prepare("lumi", message, None).sent_at == sent_at
    else:
        with pytest.raises(ImplausibleSentAt):
            service.prepare("lumi", message, None)
