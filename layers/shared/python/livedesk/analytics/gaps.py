"""Knowledge gaps for the editors: questions search could not answer and messages nobody could
route, grouped into topics (the same words, by signature similarity), most frequent first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from livedesk.analytics.voc import emerging
from livedesk.modelbase import Model
from livedesk.understanding.normalize import normalize
from livedesk.understanding.triage import signature, similarity

SAME_TOPIC = 0.25  # Jaccard similarity of character-bigram/word signatures, to the closest member
EXAMPLES = 3


@dataclass(frozen=True)
class Unanswered:
    text: str  # masked
    source: str  # "search" (no confident answer) or "handoff" (not understood: a person took it)
    at: datetime


class Topic(Model):
    label: str
    count: int
    sources: dict[str, int]
    last_seen: datetime
    examples: list[str]


@dataclass
class _Cluster:
    signatures: list[frozenset[str]] = field(default_factory=list)
    members: list[Unanswered] = field(default_factory=list)

    def closeness(self, mine: frozenset[str]) -> float:
        return max(similarity(mine, theirs) for theirs in self.signatures)


def topics(items: list[Unanswered], limit: int = 20) -> list[Topic]:
    clusters: list[_Cluster] = []
    for item in sorted(items, key=lambda i: i.at):
        mine = signature(normalize(item.text).text)
        best = max(clusters, key=lambda c: c.closeness(mine), default=None)
        if best is None or best.closeness(mine) < SAME_TOPIC:
            best = _Cluster()
            clusters.append(best)
        best.signatures.append(mine)
        best.members.append(item)
    ranked = sorted(clusters, key=lambda c: (-len(c.members), -max(m.at for m in c.members).timestamp()))[:limit]
    return [
        Topic(
            label=" / ".join(emerging([m.text for m in cluster.members], top=3)) or cluster.members[0].text[:30],
            count=len(cluster.members),
            sources=dict(Counter(m.source for m in cluster.members)),
            last_seen=max(m.at for m in cluster.members),
            examples=[m.text for m in cluster.members[-EXAMPLES:]],
        )
        for cluster in ranked
    ]
