"""What supervisors read from the inspections: findings sliced by agent, skill, channel or live
session; scores per group; and the weekly summary with the week before beside it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from statistics import fmean
from typing import Literal

from pydantic import Field

from livedesk.modelbase import Model
from livedesk.quality.model import Finding, Inspection
from livedesk.quality.rules import FindingSeverity

GroupBy = Literal["agent", "skill", "channel", "live_session"]


class Where(Model):
    agent: str | None = None
    skill: str | None = None
    channel: str | None = None
    live_session_id: str | None = None
    rule_id: str | None = None
    severity: FindingSeverity | None = None

    def conversation(self, inspection: Inspection) -> bool:
        return (
            (self.agent is None or self.agent in inspection.agents)
            and (self.skill is None or inspection.skill == self.skill)
            and (self.channel is None or inspection.channel == self.channel)
            and (self.live_session_id is None or inspection.live_session_id == self.live_session_id)
        )

    def finding(self, finding: Finding) -> bool:
        return (
            (self.agent is None or finding.author_id in (None, self.agent))
            and (self.rule_id is None or finding.rule_id == self.rule_id)
            and (self.severity is None or finding.severity == self.severity)
        )


class FindingRow(Finding):
    conversation_id: str
    ticket_id: str | None
    channel: str
    skill: str | None
    live_session_id: str | None
    closed_at: datetime


def findings(inspections: list[Inspection], where: Where, limit: int) -> list[FindingRow]:
    """The newest findings first."""
    rows = [
        FindingRow(
            **finding.model_dump(),
            conversation_id=inspection.conversation_id,
            ticket_id=inspection.ticket_id,
            channel=inspection.channel,
            skill=inspection.skill,
            live_session_id=inspection.live_session_id,
            closed_at=inspection.closed_at,
        )
        for inspection in inspections
        if where.conversation(inspection)
        for finding in inspection.findings
        if where.finding(finding)
    ]
    return sorted(rows, key=lambda row: row.closed_at, reverse=True)[:limit]


class ScoreRow(Model):
    group: str
    conversations: int
    score: float = Field(description="Mean score (100 is flawless)")
    lowest: int
    findings: dict[str, int] = Field(description="Findings by severity")
    top_rules: list[tuple[str, int]]


def _groups(inspection: Inspection, by: GroupBy) -> list[tuple[str, int, list[Finding]]]:
    """The groups an inspection counts in, with the score and findings that count there."""
    if by == "agent":
        return [
            (agent, inspection.agent_scores.get(agent, inspection.score), [f for f in inspection.findings if f.author_id == agent])
            for agent in inspection.agents
        ]
    key = {"skill": inspection.skill, "channel": inspection.channel, "live_session": inspection.live_session_id}[by]
    return [(key or "-", inspection.score, inspection.findings)]


def scores(inspections: list[Inspection], by: GroupBy) -> list[ScoreRow]:
    """One row per group, the lowest mean score first."""
    grouped: dict[str, list[tuple[int, list[Finding]]]] = defaultdict(list)
    for inspection in inspections:
        for group, score, found in _groups(inspection, by):
            grouped[group].append((score, found))
    rows = []
    for group, entries in grouped.items():
        found = [f for _, fs in entries for f in fs]
        rows.append(
            ScoreRow(
                group=group,
                conversations=len(entries),
                score=round(fmean(score for score, _ in entries), 1),
                lowest=min(score for score, _ in entries),
                findings=dict(Counter(f.severity.value for f in found)),
                top_rules=Counter(f.rule_id for f in found).most_common(5),
            )
        )
    return sorted(rows, key=lambda row: (row.score, row.group))


class QualityPeriod(Model):
    start: datetime
    end: datetime
    conversations: int
    score: float | None
    findings_by_rule: dict[str, int]


class WeeklySummary(Model):
    week: str
    this_week: QualityPeriod
    previous_week: QualityPeriod
    lowest_agents: list[ScoreRow] = Field(description="The five agents with the lowest mean score this week")
    examples: list[FindingRow] = Field(description="The most severe findings of the week, one per rule")


def period(inspections: list[Inspection], start: datetime, end: datetime) -> QualityPeriod:
    chosen = [i for i in inspections if start <= i.closed_at < end]
    return QualityPeriod(
        start=start,
        end=end,
        conversations=len(chosen),
        score=round(fmean(i.score for i in chosen), 1) if chosen else None,
        findings_by_rule=dict(Counter(f.rule_id for i in chosen for f in i.findings).most_common()),
    )


SEVERITY_ORDER: dict[FindingSeverity, int] = {FindingSeverity.CRITICAL: 0, FindingSeverity.MAJOR: 1, FindingSeverity.MINOR: 2}


def weekly(
    week: str, this: list[Inspection], before: list[Inspection], bounds: Callable[[int], tuple[datetime, datetime]]
) -> WeeklySummary:
    """``bounds(0)`` is this week's [start, end), ``bounds(-1)`` the week before."""
    rows = findings(this, Where(), limit=10_000)
    examples: dict[str, FindingRow] = {}
    for row in sorted(rows, key=lambda r: SEVERITY_ORDER[r.severity]):
        examples.setdefault(row.rule_id, row)
    return WeeklySummary(
        week=week,
        this_week=period(this, *bounds(0)),
        previous_week=period(before, *bounds(-1)),
        lowest_agents=scores(this, "agent")[:5],
        examples=list(examples.values()),
    )
