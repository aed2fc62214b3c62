from datetime import UTC, datetime, timedelta
from typing import Any

from infrastructure.local.world import InMemorySupply
from livedesk.clusters.store import LiveClusterRepository
from livedesk.conversations.store import ConversationRepository
from livedesk.customers.store import CustomerRepository
from livedesk.knowledge.contract import SearchHit, SearchRequest, SearchResult
from livedesk.knowledge.kinds import Kind
from livedesk.models import Author, Channel, InboundMessage, Ticket, ValueLane
from livedesk.tickets.repository import TicketRepository
from livedesk.understanding.pipeline import packaged_understander
from livedesk.value import CustomerValue
from routing.answers import CourtesyReplies
from routing.selfservice import SelfService
from routing.service import Router
from tests.integration.conftest import Aws

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class RecordingEscalation:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.offered: list[tuple[str, str]] = []

    def start(self, brand_id: str, ticket: Ticket, correlation_id: str | None) -> str:
        self.started.append(ticket.ticket_id)
        return f"arn:aws:states:us-east-1:123456789012:execution:test:{ticket.ticket_id}"

    def offer_to_supervisors(self, brand_id: str, ticket: Ticket, reason: str, correlation_id: str | None) -> str:
        self.offered.append((ticket.ticket_id, reason))
        return f"arn:aws:states:us-east-1:123456789012:execution:takeover:{ticket.ticket_id}"


def _hit(doc_id: str, content: str) -> SearchHit:
    return SearchHit(doc_id=doc_id, kind=Kind.FAQ, content=content, matched=content, score=0.03, similarity=0.9, source="kb", version=2)


class FakeKnowledge:
    """Answers what it knows confidently, suggests a passage for anything else; records each lookup."""

    def __init__(self, answers: dict[str, str] | None = None, available: bool = True) -> None:
        self.answers = answers or {}
        self.available = available
        self.lookups: list[tuple[str, SearchRequest, bool]] = []

    def lookup(
        self, brand_id: str, request: SearchRequest, record_gap: bool, customer_id: str | None = None, vector: object = None
    ) -> SearchResult | None:
        self.lookups.append((brand_id, request, record_gap))
        if not self.available:
            return None
        if request.query in self.answers:
            hit = _hit("faq-known", self.answers[request.query])
            return SearchResult(hits=[hit], answer=hit.content, answer_doc_id=hit.doc_id, reason="confident match", embedder="fake")
        return SearchResult(hits=[_hit("faq-near", "a related passage")], answer=None, reason="low confidence", embedder="fake")


class ProductKnowledge(FakeKnowledge):
    """Knowledge that, asked for products only, finds three like the question (none clearly)."""

    def lookup(
        self, brand_id: str, request: SearchRequest, record_gap: bool, customer_id: str | None = None, vector: object = None
    ) -> SearchResult | None:
        found = super().lookup(brand_id, request, record_gap, customer_id, vector)
        if found is None or request.filters.kinds != [Kind.PRODUCT]:
            return found
        hits = [
            _hit(f"sku-{n}", "a product").model_copy(update={"kind": Kind.PRODUCT, "sku": sku, "similarity": 0.81})
            for n, sku in enumerate(SKUS)
        ]
        return SearchResult(hits=hits, answer=None, reason="low confidence", embedder="fake")


SKUS = ("LB-GIFTB-26", "LB-LIPST-01", "LB-RETIN-30")


def _router(aws: Aws, escalation: RecordingEscalation, knowledge: FakeKnowledge | None = None, **extra: Any) -> Router:
    return Router(
        understander=packaged_understander(),
        knowledge=knowledge or FakeKnowledge(),
        courtesy=CourtesyReplies.from_file(),
        customers=CustomerRepository(aws.table("Customers")),
        conversations=ConversationRepository(aws.table("Conversations"), timedelta(days=30)),
        tickets=TicketRepository(aws.table("Tickets"), aws.table("TicketHistory")),
        escalation=escalation,
        clusters=LiveClusterRepository(aws.table("Conversations"), timedelta(days=30)),
        clock=lambda: T0,
        **extra,
    )


def _message(
    channel: Channel,
    channel_id: str,
    text: str,
    sent_at: datetime,
    brand: str = "lumi",
    customer: str = "cust-1",
    session: str | None = None,
) -> InboundMessage:
    return InboundMessage(
        brand_id=brand,
        message_id=f"msg-{brand}-{channel_id}",
        received_at=sent_at,
        channel=channel,
        channel_message_id=channel_id,
        customer_id=customer,
        text=text,
        sent_at=sent_at,
        live_session_id=session,
    )


def test_a_customer_is_one_conversation_across_channels(aws: Aws) -> None:
    router = _router(aws, RecordingEscalation())
    first = router.route(_message(Channel.LIVE_COMMENT, "c1", "这个有货吗", T0))
    second = router.route(_message(Channel.EMAIL, "c2", "Where is my order?", T0 + timedelta(hours=2)))
    assert first.conversation_id == second.conversation_id
    conversation, messages = ConversationRepository(aws.table("Conversations"), timedelta(days=1)).get("lumi", first.conversation_id)  # type: ignore[misc]
    assert conversation.channels == [Channel.EMAIL, Channel.LIVE_COMMENT]
    assert [m.channel_message_id for m in messages] == ["c1", "c2"]
    assert messages[0].routing is not None and messages[0].routing.intent == "stock_availability"


def test_a_new_conversation_starts_after_the_idle_window(aws: Aws) -> None:
    router = _router(aws, RecordingEscalation())
    first = router.route(_message(Channel.DM, "c1", "hello", T0))
    later = router.route(_message(Channel.DM, "c2", "hello again", T0 + timedelta(days=2)))
    assert first.conversation_id != later.conversation_id
    listed = ConversationRepository(aws.table("Conversations"), timedelta(days=1)).list_for_customer("lumi", "cust-1")
    assert [c.conversation_id for c in listed] == [later.conversation_id, first.conversation_id]


def test_routing_the_same_message_twice_stores_it_once_and_opens_one_ticket(aws: Aws) -> None:
    escalation = RecordingEscalation()
    router = _router(aws, escalation)
    message = _message(Channel.APP_CHAT, "c1", "面霜用了过敏，脸都肿了", T0)
    first, again = router.route(message), router.route(message)
    assert first.ticket_id and first.ticket_id == again.ticket_id
    conversation, messages = ConversationRepository(aws.table("Conversations"), timedelta(days=1)).get("lumi", first.conversation_id)  # type: ignore[misc]
    assert conversation.message_count == 1 and len(messages) == 1
    ticket, history = TicketRepository(aws.table("Tickets"), aws.table("TicketHistory")).get("lumi", first.ticket_id)  # type: ignore[misc]
    assert ticket.severity == "P1" and ticket.skill == "safety"
    assert [event.action for event in history] == ["created"]
    assert history[0].detail == {  # what the KPIs slice and time the ticket by
        "skill": "safety",
        "severity": "P1",
        "channel": "app_chat",
        "intent": ticket.intent,
        "lane": ticket.value_lane.value,
        "first_response_due": ticket.first_response_due.isoformat(),
        "resolution_due": ticket.resolution_due.isoformat(),
    }


def test_vip_customers_get_the_vip_first_response_target(aws: Aws) -> None:
    CustomerRepository(aws.table("Customers")).put_profile("lumi", "cust-vip", "王小美", CustomerValue(vip_level=4, lifetime_spend=26800))
    routed = _router(aws, RecordingEscalation()).route(_message(Channel.DM, "v1", "我要退款", T0, customer="cust-vip"))
    ticket, _ = TicketRepository(aws.table("Tickets"), aws.table("TicketHistory")).get("lumi", routed.ticket_id)  # type: ignore[arg-type, misc]
    assert ticket.value_lane == ValueLane.VIP
    assert ticket.first_response_due - ticket.created_at == timedelta(seconds=60)


def test_no_brand_reads_another_brands_records(aws: Aws) -> None:
    router = _router(aws, RecordingEscalation())
    routed = router.route(_message(Channel.DM, "c1", "我要退款", T0, brand="lumi"))
    conversations = ConversationRepository(aws.table("Conversations"), timedelta(days=1))
    tickets = TicketRepository(aws.table("Tickets"), aws.table("TicketHistory"))
    assert conversations.get("oak", routed.conversation_id) is None
    assert conversations.list_for_customer("oak", "cust-1") == []
    assert tickets.get("oak", routed.ticket_id) is None  # type: ignore[arg-type]
    assert conversations.get("lumi", routed.conversation_id) is not None


def test_same_customer_id_in_two_brands_is_two_customers(aws: Aws) -> None:
    router = _router(aws, RecordingEscalation())
    lumi = router.route(_message(Channel.DM, "c1", "hi", T0, brand="lumi"))
    oak = router.route(_message(Channel.DM, "c1", "hi", T0, brand="oak"))
    assert lumi.conversation_id != oak.conversation_id


def test_live_comment_noise_is_dropped_without_a_conversation(aws: Aws) -> None:
    router = _router(aws, RecordingEscalation())
    for n, text in enumerate(["666666", "来了来了", "😍😍😍", "哈哈哈哈哈"]):
        routed = router.route(_message(Channel.LIVE_COMMENT, f"n{n}", text, T0, session="live-1"))
        assert routed.conversation_id is None and routed.decision.queue == "dropped"
    conversations = ConversationRepository(aws.table("Conversations"), timedelta(days=1))
    assert conversations.list_for_customer("lumi", "cust-1") == []


def test_the_same_question_from_many_viewers_is_one_cluster_and_one_ticket(aws: Aws) -> None:
    escalation = RecordingEscalation()
    router = _router(aws, escalation)
    variants = ["这个适合孕妇用吗", "这个适合孕妇用吗？？", "這個適合孕婦用嗎", "这个适合孕妇用吗!!"]
    routed = [
        router.route(
            _message(Channel.LIVE_COMMENT, f"q{n}", variants[n % 4], T0 + timedelta(seconds=n), customer=f"viewer-{n}", session="live-1")
        )
        for n in range(24)
    ]
    assert len({r.cluster_id for r in routed}) == 1
    assert len(escalation.started) == 1
    assert {r.ticket_id for r in routed} == {escalation.started[0]}
    (cluster,) = LiveClusterRepository(aws.table("Conversations"), timedelta(days=1)).for_session("lumi", "live-1")
    assert cluster.members == 24
    assert "24 viewers" in routed[-1].decision.reasons[-1]
    # A different question in the same session, and the same question in another session, are new clusters.
    other = router.route(_message(Channel.LIVE_COMMENT, "x1", "黑色还有货吗", T0, customer="viewer-x", session="live-1"))
    elsewhere = router.route(_message(Channel.LIVE_COMMENT, "x2", "这个适合孕妇用吗", T0, customer="viewer-y", session="live-2"))
    assert len({routed[0].cluster_id, other.cluster_id, elsewhere.cluster_id}) == 3


def test_personal_matters_in_live_comments_are_never_grouped(aws: Aws) -> None:
    escalation = RecordingEscalation()
    router = _router(aws, escalation)
    for n in range(3):
        routed = router.route(_message(Channel.LIVE_COMMENT, f"t{n}", "再不解决就投诉12315", T0, customer=f"angry-{n}", session="live-1"))
        assert routed.cluster_id is None
    assert len(escalation.started) == 3


def test_contacts_are_remembered_and_the_profile_feeds_the_value_tier(aws: Aws) -> None:
    customers = CustomerRepository(aws.table("Customers"))
    customers.put_profile("lumi", "cust-h", "Tom", CustomerValue(lifetime_spend=3999, order_count=2, current_order_value=3999))
    router = _router(aws, RecordingEscalation())
    routed = [router.route(_message(Channel.DM, f"h{n}", "快递什么时候到", T0 + timedelta(hours=n), customer="cust-h")) for n in range(4)]
    assert routed[0].decision.value_tier == "high"
    assert len(customers.profile("lumi", "cust-h").value.recent_contacts) == 4
    assert any("repeated contact (3 in 7 days)" in reason for reason in routed[3].decision.reasons)


def test_a_confident_knowledge_answer_is_the_bots_reply_in_the_conversation(aws: Aws) -> None:
    knowledge = FakeKnowledge({"几号链接呀": "购物袋里按讲解顺序编号"})
    router = _router(aws, RecordingEscalation(), knowledge)
    message = _message(Channel.LIVE_COMMENT, "k1", "几号链接呀", T0, session="live-1")
    routed = router.route(message)
    router.route(message)  # a redelivery adds no second reply
    assert (routed.decision.queue, routed.decision.answer_source, routed.ticket_id) == ("bot", "faq-known", None)
    (_, request, record_gap), *_ = knowledge.lookups
    assert record_gap and (request.filters.live_session_id, request.filters.channel) == ("live-1", Channel.LIVE_COMMENT)
    # How the intent model read it (its top three), which the answering FAQ's own questions must read alike.
    assert request.intents and len(request.intents) == 3 and max(request.intents, key=request.intents.__getitem__) == routed.decision.intent
    _, messages = ConversationRepository(aws.table("Conversations"), timedelta(days=1)).get("lumi", routed.conversation_id)  # type: ignore[misc]
    assert [(m.author, m.text) for m in messages] == [(Author.CUSTOMER, "几号链接呀"), (Author.BOT, "购物袋里按讲解顺序编号")]
    assert messages[1].in_reply_to == message.message_id


def test_a_stock_question_naming_a_shade_of_a_product_like_it_is_answered_from_stock(aws: Aws) -> None:
    knowledge = ProductKnowledge()
    router = _router(aws, RecordingEscalation(), knowledge, self_service=SelfService(InMemorySupply(T0)))
    routed = router.route(_message(Channel.APP_CHAT, "s1", "is the lipstick in #05 peach coral in stock?", T0, brand="lumi-beauty"))
    assert (routed.decision.queue, routed.decision.answer_source) == ("bot", "supply:stock")
    assert routed.decision.answer is not None and "#05 蜜桃珊瑚" in routed.decision.answer
    assert [(request.filters.kinds, record_gap) for _, request, record_gap in knowledge.lookups] == [(None, True), ([Kind.PRODUCT], False)]
    unsure = router.route(_message(Channel.APP_CHAT, "s2", "is the lipstick in stock?", T0 + timedelta(days=9), brand="lumi-beauty"))
    assert unsure.decision.queue == "pre_sale" and unsure.decision.answer_source is None
    searched = len(knowledge.lookups)
    comment = _message(
        Channel.LIVE_COMMENT, "s3", "3号链接还有货吗", T0 + timedelta(days=18), brand="oak-home", session="live-2026-11-19-oh"
    )
    by_link = router.route(comment)
    assert by_link.decision.answer_source == "supply:stock"
    assert [request.filters.kinds for _, request, _ in knowledge.lookups[searched:]] == [None], "the cart named it: no product search"


def test_a_person_gets_the_top_knowledge_hits_on_the_ticket_and_no_gap_is_recorded(aws: Aws) -> None:
    knowledge = FakeKnowledge()
    routed = _router(aws, RecordingEscalation(), knowledge).route(_message(Channel.DM, "r1", "我要退款", T0))
    ticket, _ = TicketRepository(aws.table("Tickets"), aws.table("TicketHistory")).get("lumi", routed.ticket_id)  # type: ignore[arg-type, misc]
    assert [(s.doc_id, s.content, s.version) for s in ticket.knowledge] == [("faq-near", "a related passage", 2)]
    assert knowledge.lookups[0][2] is False, "a refund is for a person: the search is for suggestions, not a knowledge gap"


def test_an_answerable_question_without_a_confident_answer_goes_to_its_skill_queue(aws: Aws) -> None:
    routed = _router(aws, RecordingEscalation()).route(_message(Channel.APP_CHAT, "p1", "这件卫衣是纯棉的吗", T0))
    assert routed.decision.queue == "pre_sale" and routed.ticket_id
    assert "knowledge: low confidence" in routed.decision.reasons


def test_routing_carries_on_without_suggestions_when_search_is_down(aws: Aws) -> None:
    routed = _router(aws, RecordingEscalation(), FakeKnowledge(available=False)).route(_message(Channel.APP_CHAT, "d1", "几号链接呀", T0))
    assert routed.decision.needs_human and routed.ticket_id
    assert "knowledge search unavailable: no suggestions" in routed.decision.reasons


def test_thanks_get_a_courtesy_reply_without_searching(aws: Aws) -> None:
    knowledge = FakeKnowledge()
    routed = _router(aws, RecordingEscalation(), knowledge).route(_message(Channel.DM, "t1", "谢谢客服 你们服务太好了", T0))
    assert (routed.decision.intent, routed.decision.queue, routed.decision.answer_source) == ("praise", "bot", "courtesy")
    assert knowledge.lookups == []
