"""Routing measured end to end on a labelled set: python bench/routing_accuracy.py [--data F] [--errors N]

Every message of ``bench/data/routing_eval.jsonl`` (592 zh / zh-hant / en messages on every
channel, live comments included, with the destination a head of service expects and, for bot
answers, the acceptable sources) goes through the real Router: the shipped fused models, knowledge
search on the demo knowledge index (the artifact ``make dev`` builds), self-service on the demo
world's supply chain, and the repositories on in-process moto provisioned from the synthesized
template. Messages are spaced eight days apart so none continues another's conversation or counts
as a repeat contact. Prints destination accuracy overall, per destination and per language, bot
containment (all and routine questions), and the wrong-bot-answer rate.

The set has two fixed halves (by a hash of each row's id): ``--half dev`` is the one to read errors
on while improving routing; ``--half test`` is the one to report, and its errors are not printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "shared" / "python"), str(ROOT / "functions")]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from infrastructure.local.routing_score import Outcome, score  # noqa: E402
from infrastructure.local.seed import seed_customers  # noqa: E402
from infrastructure.local.stack import provision_resources, storage_ref  # noqa: E402
from infrastructure.local.template import Template  # noqa: E402
from infrastructure.local.world import InMemorySupply  # noqa: E402
from livedesk.clusters.store import LiveClusterRepository  # noqa: E402
from livedesk.conversations.store import ConversationRepository  # noqa: E402
from livedesk.customers.store import CustomerRepository  # noqa: E402
from livedesk.knowledge.contract import SearchRequest, SearchResult  # noqa: E402
from livedesk.knowledge.hybrid import HybridIndex  # noqa: E402
from livedesk.models import Channel, InboundMessage, Ticket  # noqa: E402
from livedesk.tickets.repository import TicketRepository  # noqa: E402
from livedesk.understanding.embedders import QueryVector  # noqa: E402
from livedesk.understanding.pipeline import packaged_understander  # noqa: E402
from routing.answers import CourtesyReplies  # noqa: E402
from routing.selfservice import SelfService  # noqa: E402
from routing.service import Router  # noqa: E402
from search.service import KnowledgeSearch  # noqa: E402

DATA = ROOT / "bench" / "data" / "routing_eval.jsonl"
INDEX = ROOT / ".build" / "knowledge-index"
TEMPLATE = ROOT / "cdk.out" / "LiveDesk.template.json"


class NoGaps:
    def record(self, *args: Any, **kwargs: Any) -> None:
        return None


class LocalKnowledge:
    """Knowledge search in-process, with the caller's vector, as the search function serves it."""

    def __init__(self, search: KnowledgeSearch) -> None:
        self._search = search

    def lookup(
        self, brand_id: str, request: SearchRequest, record_gap: bool, customer_id: str | None = None, vector: QueryVector | None = None
    ) -> SearchResult | None:
        return self._search.search(
            brand_id, request, record_gap, customer_id, vector.values if vector else None, vector.embedder if vector else None
        )


class NoEscalation:
    def start(self, brand_id: str, ticket: Ticket, correlation_id: str | None) -> str:
        return f"arn:aws:states:us-east-1:123456789012:execution:sla:{ticket.ticket_id}"

    def offer_to_supervisors(self, brand_id: str, ticket: Ticket, reason: str, correlation_id: str | None) -> str:
        return f"arn:aws:states:us-east-1:123456789012:execution:takeover:{ticket.ticket_id}"


def run(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str, str | None]]:
    understander = packaged_understander()
    index = HybridIndex.load(INDEX, understander.embedder)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    outcomes = []
    with mock_aws():
        template = Template.load(TEMPLATE)
        provision_resources(template, boto3.client)

        def table(construct_id: str) -> Any:
            return boto3.resource("dynamodb").Table(storage_ref(template, "AWS::DynamoDB::Table", construct_id))

        seed_customers(table("Customers"))
        router = Router(
            understander=understander,
            knowledge=LocalKnowledge(KnowledgeSearch(index=lambda: index, gaps=NoGaps(), clock=lambda: now)),
            courtesy=CourtesyReplies.from_file(),
            customers=CustomerRepository(table("Customers")),
            conversations=ConversationRepository(table("Conversations"), timedelta(days=30)),
            tickets=TicketRepository(table("Tickets"), table("TicketHistory")),
            escalation=NoEscalation(),
            clusters=LiveClusterRepository(table("Conversations"), timedelta(days=30)),
            clock=lambda: now,
            self_service=SelfService(InMemorySupply(now)),
        )
        start = now - timedelta(days=8 * len(rows))
        for number, row in enumerate(rows):
            sent = start + timedelta(days=8 * number)
            message = InboundMessage(
                brand_id=row["brand_id"],
                message_id=f"msg-{row['id']}",
                channel=Channel(row["channel"]),
                channel_message_id=row["id"],
                customer_id=row["customer_id"],
                live_session_id=row.get("live_session_id"),
                sku=row.get("sku"),
                text=row["text"],
                sent_at=sent,
                received_at=sent,
            )
            routed = router.route(message)
            destination = "dropped" if routed.conversation_id is None else routed.decision.queue
            outcomes.append((row, destination, routed.decision.answer_source))
    return outcomes


def report(outcomes: list[tuple[dict[str, Any], str, str | None]], errors: int) -> None:
    scored = [
        Outcome(row["expected"], tuple(row.get("sources", [])), bool(row.get("routine")), got, source) for row, got, source in outcomes
    ]
    result = score(scored)
    print(result.summary())
    by_expected: dict[str, list[bool]] = defaultdict(list)
    by_lang: dict[str, list[bool]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    for row, got, _ in outcomes:
        by_expected[row["expected"]].append(row["expected"] == got)
        by_lang[row["lang"]].append(row["expected"] == got)
        if row["expected"] != got:
            confusion[(row["expected"], got)] += 1
    print("  per destination (recall): " + ", ".join(f"{d} {sum(v) / len(v):.2f} ({len(v)})" for d, v in sorted(by_expected.items())))
    print("  per language: " + ", ".join(f"{lang} {sum(v) / len(v):.3f} ({len(v)})" for lang, v in sorted(by_lang.items())))
    print("  most frequent confusions (expected → got): " + ", ".join(f"{e}→{g} ×{n}" for (e, g), n in confusion.most_common(8)))
    counted = sum(o.expected != "dropped" for o in scored)
    print(f"  containment {result.bot_replies / max(1, counted):.1%} of messages that are not noise")
    sources = Counter(
        (source or "").split(":")[0] if (source or "").startswith("supply") else "knowledge"
        for o in scored
        if o.got == "bot"
        for source in [o.source]
    )
    print(f"  bot answers by source: {dict(sources)}")
    for (row, got, source), outcome in list(zip(outcomes, scored, strict=True)):
        if errors and not outcome.right:
            errors -= 1
            print(f"  {row['id']} expected {row['expected']} {row.get('sources', [])} got {got} ({source}): {row['text'][:70]}")


def half_of(row: dict[str, Any]) -> str:
    return "dev" if hashlib.sha256(row["id"].encode()).digest()[0] % 2 == 0 else "test"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", type=int, default=0, help="print this many misrouted messages (dev half only)")
    parser.add_argument("--half", choices=("all", "dev", "test"), default="all", help="which fixed half of the set to route")
    args = parser.parse_args()
    if not (INDEX / "manifest.json").exists():
        print(f"{INDEX} is missing: run `make dev` once (it builds the demo knowledge index)", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [row for row in rows if args.half in ("all", half_of(row))]
    print(f"half: {args.half}")
    report(run(rows), args.errors if args.half == "dev" else 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
