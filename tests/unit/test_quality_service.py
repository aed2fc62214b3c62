"""The quality function's service on in-memory fakes: inspecting a resolution, the supervisors'
reports and the rule file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from quality.service import QualityDesk, iso_week

from livedesk.analytics.facts import Fact
from livedesk.errors import InvalidRequest
from livedesk.identity import Actor, Role
from livedesk.models import Channel, Conversation, ConversationMessage
from livedesk.quality.model import BrandKnowledge, Inspection, PolicyTerms
from livedesk.quality.report import Where
from livedesk.quality.rules import RuleSet
from tests.factories import NOW, a_ticket

BRAND = "lumi-beauty"


def message(n: int, author: str, text: str, seconds: int, author_id: str | None = None, **extra: Any) -> ConversationMessage:
    return ConversationMessage(
        message_id=f"m{n}",
        author=author,  # type: ignore[arg-type]
        author_id=author_id,
        channel=Channel.APP_CHAT,
        channel_message_id=f"cm{n}",
        customer_id="u1",
        text=text,
        sent_at=NOW + timedelta(seconds=seconds),
        **extra,
    )


@dataclass
class FakeConversations:
    found: dict[str, tuple[Conversation, list[ConversationMessage]]] = field(default_factory=dict)

    def get(self, brand_id: str, conversation_id: str) -> tuple[Conversation, list[ConversationMessage]] | None:
        return self.found.get(f"{brand_id}/{conversation_id}")

    def list_for_customer(self, brand_id: str, customer_id: str, limit: int = 50) -> list[Conversation]:
        return [c for key, (c, _) in self.found.items() if key.startswith(f"{brand_id}/") and c.customer_id == customer_id]


@dataclass
class FakeStore:
    saved: list[Inspection] = field(default_factory=list)

    def save(self, inspection: Inspection) -> None:
        self.saved = [i for i in self.saved if (i.conversation_id, i.closed_at) != (inspection.conversation_id, inspection.closed_at)]
        self.saved.append(inspection)

    def between(self, brand_id: str, start: datetime, end: datetime) -> list[Inspection]:
        return [i for i in self.saved if i.brand_id == brand_id and start <= i.closed_at < end]


@dataclass
class FakeRules:
    files: dict[str, RuleSet] = field(default_factory=dict)

    def rules_for(self, brand_id: str) -> RuleSet:
        return self.files.get(brand_id) or RuleSet.packaged()

    def save(self, brand_id: str, rules: RuleSet) -> None:
        self.files[brand_id] = rules


@dataclass
class Recorder:
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def record(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append(args)


class World:
    def __init__(self) -> None:
        self.ticket = a_ticket(assignee="amy", first_responded_at=NOW + timedelta(seconds=30), resolved_at=NOW + timedelta(minutes=5))
        self.conversations = FakeConversations()
        self.tickets = {f"{BRAND}/t1": self.ticket}
        self.store = FakeStore()
        self.rules = FakeRules()
        self.gaps = Recorder()
        self.audit = Recorder()
        policy = PolicyTerms(doc_id="pol-lb-return-window-v2", effective_from=NOW.date(), terms={"return_window_days": 15})
        self.desk = QualityDesk(
            conversations=self.conversations,
            tickets=self,
            rules=self.rules,
            knowledge=self,
            inspections=self.store,
            gaps=self.gaps,
            audit=self.audit,
            facts=self,
            clock=lambda: NOW + timedelta(hours=1),
        )
        self.knowledge = BrandKnowledge(policies=[policy])
        self.recorded: list[Fact] = []

    def facts(self, brand_id: str, start: datetime, end: datetime) -> list[Fact]:
        return [f for f in self.recorded if f.brand_id == brand_id and start <= f.at < end]

    def brands(self) -> list[str]:
        return sorted({f.brand_id for f in self.recorded})

    def head(self, brand_id: str, ticket_id: str) -> Any:
        return self.tickets.get(f"{brand_id}/{ticket_id}")

    def for_brand(self, brand_id: str) -> BrandKnowledge:
        return self.knowledge

    def converse(self, conversation_id: str, started: datetime, messages: list[ConversationMessage]) -> None:
        conversation = Conversation(
            conversation_id=conversation_id,
            customer_id="u1",
            started_at=started,
            last_message_at=started,
            channels=[Channel.APP_CHAT],
            message_count=len(messages),
        )
        self.conversations.found[f"{BRAND}/{conversation_id}"] = (conversation, messages)


@pytest.fixture
def world() -> World:
    w = World()
    w.converse(
        "c1",
        NOW,
        [
            message(1, "customer", "面霜能退吗", 0, live_session_id="live-1", sku="LB-CREAM-50"),
            message(2, "agent", "您好，我们是7天无理由退货，您的电话13812345678我记下了", 30, "amy"),
            message(3, "agent", "已经帮您登记好了，还有其他可以帮您的吗？", 120, "amy"),
            message(4, "bot", "请为本次服务打分（1-5分）", 300),
        ],
    )
    return w


def test_a_resolution_is_inspected_stored_and_its_policy_contradiction_becomes_a_knowledge_gap(world: World) -> None:
    inspection = world.desk.inspect_ticket(BRAND, "t1")
    assert inspection is not None and world.store.saved == [inspection]
    assert sorted(f.rule_id for f in inspection.findings) == ["personal_data", "policy_contradiction"]
    assert inspection.score == 40 and inspection.agent_scores == {"amy": 40}  # two critical findings, 30 each
    assert (inspection.ticket_id, inspection.skill, inspection.live_session_id, inspection.agents) == (
        "t1",
        "after_sale",
        "live-1",
        ["amy"],
    )
    assert inspection.closed_at == world.ticket.resolved_at
    [(brand, query, reason, reference, _, customer)] = world.gaps.calls
    assert (brand, reason, reference, customer) == (BRAND, "quality:policy_contradiction", "pol-lb-return-window-v2", "u1")
    assert "13812345678" not in query


def test_inspecting_again_overwrites_and_a_missing_ticket_or_conversation_is_skipped(world: World) -> None:
    world.desk.inspect_ticket(BRAND, "t1")
    world.desk.inspect_ticket(BRAND, "t1")
    assert len(world.store.saved) == 1
    assert world.desk.inspect_ticket(BRAND, "gone") is None
    assert world.desk.inspect_ticket("thread-lab", "t1") is None, "another brand's ticket of the same id is not this one"


def test_an_earlier_conversation_of_the_customer_is_a_repeat_contact(world: World) -> None:
    world.converse("c0", NOW - timedelta(days=2), [message(9, "customer", "面霜漏了", -2 * 86400)])
    inspection = world.desk.inspect_ticket(BRAND, "t1")
    assert inspection is not None
    assert [f.reference for f in inspection.findings if f.rule_id == "repeat_contact"] == ["c0"]


def test_findings_and_scores_are_sliced_and_the_week_is_summarised_beside_the_one_before(world: World) -> None:
    world.desk.inspect_ticket(BRAND, "t1")
    window = (NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert {f.rule_id for f in world.desk.findings(BRAND, *window, Where(agent="amy"), 100)} == {"personal_data", "policy_contradiction"}
    assert world.desk.findings(BRAND, *window, Where(agent="ben"), 100) == []
    assert [f.rule_id for f in world.desk.findings(BRAND, *window, Where(severity="critical", rule_id="personal_data"), 100)] == [
        "personal_data"
    ]
    assert world.desk.findings(BRAND, *window, Where(channel="email"), 100) == []
    [row] = world.desk.scores(BRAND, *window, "agent", Where())
    assert (row.group, row.conversations, row.score, row.findings) == ("amy", 1, 40.0, {"critical": 2})
    assert [r.group for r in world.desk.scores(BRAND, *window, "live_session", Where())] == ["live-1"]
    summary = world.desk.weekly(BRAND, NOW.strftime("%G-W%V"))
    assert summary.this_week.conversations == 1 and summary.this_week.score == 40.0 and summary.previous_week.conversations == 0
    assert {e.rule_id for e in summary.examples} == {"personal_data", "policy_contradiction"}
    assert summary.lowest_agents[0].group == "amy"


def test_a_new_rule_file_applies_to_the_next_inspection_and_is_audited(world: World) -> None:
    data = RuleSet.packaged().model_dump()
    data["version"] = "strict-2026-12"
    data["policy"]["enabled"] = False
    data["personal_data"]["severity"] = "minor"
    admin = Actor(id="boss", brand_id=BRAND, role=Role.ADMIN)
    world.desk.replace_rules(admin, RuleSet.model_validate(data))
    assert world.audit.calls == [(admin, "change", "quality/rules", {"from_version": "packaged-2026-12", "to_version": "strict-2026-12"})]
    inspection = world.desk.inspect_ticket(BRAND, "t1")
    assert inspection is not None and inspection.rules_version == "strict-2026-12"
    assert [(f.rule_id, f.severity) for f in inspection.findings] == [("personal_data", "minor")] and inspection.score == 95
    assert world.desk.rules("thread-lab").version == "packaged-2026-12", "another brand keeps its own file"


def test_a_week_is_an_iso_week() -> None:
    start, end = iso_week("2026-W49")
    assert (start.isoformat(), end.isoformat()) == ("2026-11-30T00:00:00+00:00", "2026-12-07T00:00:00+00:00")
    with pytest.raises(InvalidRequest):
        iso_week("2026-W60")


def routed(conversation_id: str, minutes: int, handled_by: str = "bot") -> Fact:
    return Fact(
        kind="message",
        fact_id=f"message#{conversation_id}-{minutes}",
        brand_id=BRAND,
        at=NOW + timedelta(minutes=minutes),
        conversation_id=conversation_id,
        customer_id="u1",
        channel="live_comment",
        handled_by=handled_by,  # type: ignore[arg-type]
    )


def test_the_hourly_sweep_inspects_bot_only_conversations_that_went_quiet_once(world: World) -> None:
    world.converse("bot-quiet", NOW, [message(1, "customer", "退货几天？", 0), message(2, "bot", "亲，我们是7天无理由退货", 2)])
    world.converse("bot-busy", NOW, [message(3, "customer", "在吗", 0)])
    world.converse("to-a-person", NOW, [message(4, "customer", "我要投诉", 0)])
    world.recorded += [routed("bot-quiet", 0), routed("bot-busy", 0), routed("bot-busy", 70), routed("to-a-person", 0, "person")]
    assert world.desk.sweep_bot_conversations(NOW + timedelta(minutes=90)) == 1, "quiet for an hour, the bot alone answered"
    [inspection] = world.store.saved
    assert (inspection.conversation_id, inspection.skill, inspection.ticket_id, inspection.channel) == (
        "bot-quiet",
        "bot",
        None,
        "live_comment",
    )
    [finding] = inspection.findings
    assert (finding.rule_id, finding.author, finding.author_id) == ("policy_contradiction", "bot", None)
    world.desk.sweep_bot_conversations(NOW + timedelta(minutes=90))
    assert len(world.store.saved) == 1, "re-running the hour overwrites, never duplicates"
