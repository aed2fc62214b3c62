"""Quality inspection and experiments on in-process moto, tables from the synthesized template: the
quality handler on a resolution from the history stream, the insights handler starting an experiment,
and the router applying it, with its stores over the real tables."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from infrastructure.local.gateway import Route, build_event
from livedesk.conversations.store import ConversationRepository
from livedesk.experiments.model import Experiment, Variant
from livedesk.experiments.store import CachedRunning, ExperimentStore
from livedesk.models import Author, Channel, ConversationMessage, TicketEvent
from livedesk.quality.store import QualityStore
from livedesk.tickets.repository import TicketRepository
from tests.factories import NOW, a_ticket
from tests.integration.conftest import Aws, FakeContext, agent_claims
from tests.integration.test_repositories_and_router import T0, FakeKnowledge, RecordingEscalation, _message, _router

BRAND = "lumi-beauty"
EVENTS = Path(__file__).parents[2] / "events"


def _http(method: str, route_key: str, path: str, claims: dict[str, str], body: Any = None, query: str = "") -> dict[str, Any]:
    raw = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    return build_event(
        Route.parse(route_key, "fn"), method, path, query, {"content-type": "application/json"}, raw, {}, "127.0.0.1", "test", claims
    )


def test_a_resolution_on_the_history_stream_is_inspected_and_read_back(aws: Aws, load_handler: Any, context: FakeContext) -> None:
    tickets = TicketRepository(aws.table("Tickets"), aws.table("TicketHistory"))
    conversations = ConversationRepository(aws.table("Conversations"), timedelta(days=30))
    ticket = a_ticket(ticket_id="tkt_q1", conversation_id="conv_q1", assignee="amy", resolved_at=NOW + timedelta(minutes=5))
    tickets.create(BRAND, ticket, TicketEvent(at=NOW, actor="routing", action="created"))
    said = [
        (Author.CUSTOMER, None, "面霜能退吗", 0, "m1"),
        (Author.AGENT, "amy", "您好，我们是7天无理由退货。This is the best cream on the market!", 30, "m2"),
    ]
    for author, agent, text, seconds, message_id in said:
        message = ConversationMessage(
            message_id=message_id,
            author=author,
            author_id=agent,
            channel=Channel.APP_CHAT,
            channel_message_id=message_id,
            customer_id="u1",
            text=text,
            sent_at=NOW + timedelta(seconds=seconds),
        )
        conversations.append(BRAND, "conv_q1", message)
    stream = json.loads((EVENTS / "quality" / "stream_batch.json").read_text())
    stream["Records"][0]["dynamodb"]["NewImage"]["pk"]["S"] = f"BRAND#{BRAND}#TICKET#tkt_q1"
    quality = load_handler("quality")
    assert quality.handler(stream, context) == {"batchItemFailures": []}

    [inspection] = QualityStore(aws.table("Analytics")).between(BRAND, NOW, NOW + timedelta(hours=1))
    assert {f.rule_id for f in inspection.findings} >= {"absolute_claim", "missing_closing"}
    query = urlencode(
        {"from": (NOW - timedelta(hours=1)).isoformat(), "to": (NOW + timedelta(hours=1)).isoformat(), "rule": "absolute_claim"}
    )
    read = quality.handler(_http("GET", "GET /v1/quality/findings", "/v1/quality/findings", agent_claims(BRAND), query=query), context)
    assert read["statusCode"] == 200, read
    [finding] = json.loads(read["body"])["findings"]
    assert finding["detail"] == "the best cream on the market" and finding["author_id"] == "amy"
    refused = quality.handler(
        _http("GET", "GET /v1/quality/findings", "/v1/quality/findings", agent_claims(BRAND, "amy", "agent")), context
    )
    assert refused["statusCode"] == 403


def test_an_experiment_started_through_insights_is_applied_by_the_router(aws: Aws, load_handler: Any, context: FakeContext) -> None:
    insights = load_handler("insights")
    draft = json.loads(json.loads((EVENTS / "insights" / "post_experiment.json").read_text())["body"])
    created = insights.handler(
        _http("POST", "POST /v1/experiments", "/v1/experiments", agent_claims("lumi", "boss", "admin"), draft), context
    )
    assert created["statusCode"] == 200, created
    experiment_id = json.loads(created["body"])["experiment_id"]
    store = ExperimentStore(aws.table("Analytics"))
    running = store.running("lumi")
    assert running is not None and running.experiment_id == experiment_id and store.running("thread-lab") is None

    router = _router(aws, RecordingEscalation(), FakeKnowledge())
    router._experiments = CachedRunning(store, seconds=0)  # as the handler wires it
    by_variant: dict[str, str] = {}
    for n in range(8):
        routed = router.route(_message(Channel.DM, f"thx-{n}", "谢谢客服 你们服务太好了", T0, customer=f"viewer-{n}"))
        assert routed.decision.experiment_id == experiment_id
        by_variant[str(routed.decision.variant)] = str(routed.decision.answer)
    assert by_variant["warm"] == "爱你们！" and by_variant["control"] != "爱你们！"


def test_the_experiment_store_pages_and_finds_the_running_one(aws: Aws) -> None:
    store = ExperimentStore(aws.table("Analytics"))
    variants = [Variant(name="control", weight=50), Variant(name="b", weight=50, min_confidence=0.6)]
    for n in range(30):
        status = "running" if n == 29 else "stopped"
        store.put(
            Experiment(
                name=f"e{n}",
                variants=variants,
                experiment_id=f"exp_{n:02d}",
                brand_id=BRAND,
                status=status,
                started_at=NOW + timedelta(hours=n),
            )
        )
    assert [e.experiment_id for e in store.all(BRAND)][:2] == ["exp_29", "exp_28"] and len(store.all(BRAND)) == 30
    assert store.get(BRAND, "exp_03") is not None and store.get("thread-lab", "exp_03") is None
    running = store.running(BRAND)
    assert running is not None and running.experiment_id == "exp_29"
