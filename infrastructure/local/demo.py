"""`make demo`: a realistic day for lumi-beauty replayed through the local stack's public API.

A quiet day with two live-stream bursts (a lunchtime and an evening session): Chinese and English
messages, VIP and angry customers, live-comment noise and repeated questions, complaints about
SKUs, a product-safety incident and a return. Agents then work the tickets through the desk API
and customers answer the survey. The demo prints the KPI summary, the top complaint terms, the
alerts and the forecast (with its MAPE), and writes the HTML report.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3

from infrastructure.local.knowledge import seed_knowledge
from infrastructure.local.routing_score import Outcome, score
from infrastructure.local.seed import seed_customers, seed_supply
from infrastructure.local.stack import LocalStack, local_session
from livedesk.analytics.store import AnalyticsStore
from livedesk.conversations.store import ConversationRepository
from livedesk.models import RoutingDecision
from livedesk.supply.dynamo import DynamoSupplyChain
from livedesk.supply.ports import Order, OrderLine, Shipment, TrackingEvent

BRAND = "lumi-beauty"
REPORT = Path(__file__).resolve().parents[2] / ".build" / "demo" / "report.html"


@dataclass(frozen=True)
class Ask:
    """A message template and what a head of service expects of it: the destination (bot, a skill
    queue, supervisor, safety, dropped) and, for a bot answer, the sources that answer it right.
    ``order``: the state of the one recent order the customer asks about (the demo seeds it)."""

    channel: str
    sku: str | None
    text: str
    expected: str
    sources: tuple[str, ...] = ()
    routine: bool = False
    order: str | None = None


PARCEL = ("supply:shipment",)
QUIET = [
    Ask("app_chat", None, "下单后多久发货呀", "bot", ("faq-lb-001",), routine=True),
    Ask("app_chat", None, "两张券能一起用吗", "bot", ("faq-lb-013",), routine=True),
    Ask("dm", None, "how long until my order ships", "bot", ("supply:order", "faq-lb-051"), routine=True, order="ships_soon"),
    Ask("app_chat", None, "订单什么时候发货", "bot", ("supply:order", "faq-lb-001"), routine=True, order="ships_soon"),
    Ask("app_chat", "LB-SERUM-30", "这个精华敏感肌能用吗", "bot", ("faq-lb-021", "sku-lb-01"), routine=True),
    Ask("email", None, "Where is my order? It still says not shipped.", "logistics", order="ship_late"),
    Ask("app_chat", None, "我的快递到哪了", "bot", PARCEL, routine=True, order="moving"),
    Ask("app_chat", None, "我的快递到哪了 三天没动了", "logistics", order="stuck"),
    Ask("app_chat", "LB-LIPST-01", "口红01号色还有货吗", "bot", ("supply:stock",), routine=True),
    Ask("dm", "LB-CUSHN-02", "气垫选哪个色号", "bot", ("faq-lb-028", "sku-lb-09"), routine=True),
    Ask("app_chat", None, "能开发票吗", "bot", ("faq-lb-019", "faq-lb-043"), routine=True),
    Ask("dm", None, "谢谢客服 你们服务太好了", "bot", ("courtesy",)),
    Ask("app_chat", "LB-LIPST-01", "口红色差太大，和图片颜色不一样，我要退货", "after_sale"),
    Ask("app_chat", "LB-SERUM-30", "收到的精华瓶子漏液了，我要退款", "after_sale"),
    Ask("email", "LB-CREAM-50", "The box arrived crushed and the cream jar is damaged", "after_sale"),
    Ask("dm", "LB-MASK-05", "面膜好像过期了 不新鲜 有异味", "supply_chain"),
    Ask("app_chat", None, "地址写错了，帮我改一下收货地址", "logistics"),
    Ask("dm", None, "let me talk to a real person", "general"),
    Ask("app_chat", None, "你们有线下门店吗", "general"),  # the knowledge does not say
]
LIVE = [
    Ask("live_comment", None, "几号链接呀", "bot", ("faq-lb-081",), routine=True),
    Ask("live_comment", None, "链接在哪里？？", "bot", ("faq-lb-081",), routine=True),
    Ask("live_comment", None, "主播说买二送一，赠品什么时候发？", "bot", ("live-lb-01", "faq-lb-015"), routine=True),
    Ask("live_comment", None, "福袋几点开", "bot", ("live-lb-01", "faq-lb-018"), routine=True),
    Ask("live_comment", None, "这个适合孕妇用吗？", "bot", ("faq-lb-027",), routine=True),
    Ask("live_comment", None, "which number is the link?", "bot", ("faq-lb-082", "faq-lb-081"), routine=True),
    Ask("live_comment", None, "面霜送的面膜在哪", "bot", ("live-lb-01", "faq-lb-016"), routine=True),
]
FLASH = [  # the streamer launched a sunscreen spray the knowledge base does not know yet: a person answers
    Ask("live_comment", None, "主播刚说的新品防晒喷雾多少钱？", "pre_sale", routine=True),
    Ask("live_comment", None, "防晒喷雾SPF多少，能带上飞机吗", "pre_sale", routine=True),
    Ask("live_comment", None, "新品防晒喷雾什么时候发货", "pre_sale", routine=True),
    Ask("live_comment", None, "新品防晒有没有小样", "pre_sale", routine=True),
    Ask("live_comment", None, "防晒喷雾油皮能用吗", "pre_sale", routine=True),
    Ask("live_comment", None, "is the new sunscreen spray waterproof?", "pre_sale", routine=True),
]
FLASH_PER_HOUR = 30
ROUND = 40  # messages posted between two rounds at the desk
NOISE = [Ask("live_comment", None, text, "dropped") for text in ("666666", "来了来了", "😍😍😍")]  # chatter: not counted
ANGRY = [
    Ask("app_chat", None, "退款三天没人理，再不解决就投诉12315！", "supervisor"),
    Ask("dm", "LB-SERUM-30", "WHERE IS MY REFUND?!!! this is ridiculous", "supervisor"),
]
SAFETY = Ask("app_chat", "LB-CREAM-50", "用了你们的面霜脸上过敏起红疹，火辣辣的疼，怎么办！！", "safety")
RETURN = Ask("app_chat", "LB-SERUM-30", "精华不想要了，我要退货退款", "after_sale")
LIVE_SESSION = "live-2026-11-21-lb"  # the evening session: its promises are in the demo knowledge


@dataclass(frozen=True)
class Post:
    sent_at: datetime
    ask: Ask
    customer: str
    live_session_id: str | None = None


LIVE_MULTIPLIER = 4


def expected_volume(moment: datetime, live: bool) -> float:
    """Customer questions an hour: a daily curve peaking in the Chinese evening, times four in a live session."""
    local_hour = (moment.hour + 8) % 24  # the brand's customers are in China
    baseline = 4 + 8 * max(0.0, math.sin((local_hour - 7) / 24 * 2 * math.pi))
    return baseline * (LIVE_MULTIPLIER if live else 1)


def sample(rng: random.Random, expected: float) -> int:
    return max(0, round(rng.gauss(expected, math.sqrt(expected))))


def the_day(now: datetime, rng: random.Random) -> list[Post]:
    """The last 24 hours, hour by hour from the same curve as the history: quiet hours, two live
    sessions (lunch and evening) with their comment noise, two angry customers, a safety incident,
    and, for the last three hours, a flash session nobody scheduled, about a product the knowledge
    base does not cover yet. A customer asking about their own order is a shopper with one order."""
    start = now - timedelta(hours=24)
    sessions = {"live-lunch": start + timedelta(hours=4), LIVE_SESSION: start + timedelta(hours=12)}
    posts: list[Post] = []
    for hour in range(24):
        moment = start + timedelta(hours=hour)
        session = next((name for name, opens in sessions.items() if opens <= moment < opens + timedelta(hours=2)), None)
        questions = sample(rng, expected_volume(moment, session is not None))
        for n in range(questions):
            at = moment + timedelta(minutes=rng.uniform(0, 59))
            if session and rng.random() < 0.7:
                posts.append(Post(at, rng.choice(LIVE), f"viewer-{session}-{hour}-{n}", session))
            else:
                ask = rng.choice(QUIET)
                posts.append(Post(at, ask, f"shopper-{hour}-{n}" if ask.order else f"day-{rng.randrange(80)}"))
        for n in range(questions // 5 if session else 0):
            at = moment + timedelta(minutes=rng.uniform(0, 59))
            posts.append(Post(at, rng.choice(NOISE), f"fan-{session}-{hour}-{n}", session))
    flash = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    for n in range(round(FLASH_PER_HOUR * (now - flash) / timedelta(hours=1))):
        posts.append(Post(flash + (now - flash) * rng.random(), rng.choice(FLASH), f"flash-{n}", "live-flash"))
    evening = sessions[LIVE_SESSION] + timedelta(minutes=30)
    for n, ask in enumerate(ANGRY):
        posts.append(Post(evening + timedelta(minutes=n * 7), ask, "cust-1001" if n == 0 else f"angry-{n}"))
    posts.append(Post(evening + timedelta(minutes=45), SAFETY, "cust-1003"))
    posts.append(Post(now - timedelta(hours=2), RETURN, "cust-1002"))
    return sorted(posts, key=lambda p: p.sent_at)


def shopper_orders(posts: list[Post], now: datetime) -> list[tuple[Order, Shipment | None]]:
    """The one recent order each shopper asks about, in the state their template declares: paid and
    shipping soon, paid but past its promised shipping date, on its way, or stuck past its ETA."""
    line = OrderLine(sku="LB-SERUM-30", name="Hydra 玻尿酸补水精华液 30ml", quantity=1, unit_price=199)
    made: list[tuple[Order, Shipment | None]] = []
    for n, post in enumerate(p for p in posts if p.ask.order):
        order_id, tracking = f"DS{now:%Y%m%d}{n:04d}", f"SF8{n:09d}"
        paid = {"ships_soon": 1, "ship_late": 4, "moving": 2, "stuck": 6}[post.ask.order or ""]
        order = Order(
            order_id=order_id, customer_id=post.customer, status="paid", lines=[line], amount=199, paid_at=now - timedelta(days=paid)
        )
        if post.ask.order in ("ships_soon", "ship_late"):
            made.append((order.model_copy(update={"ship_by": now + timedelta(days=2 if post.ask.order == "ships_soon" else -1)}), None))
            continue
        moving = post.ask.order == "moving"
        events = [
            TrackingEvent(at=now - timedelta(days=1.5 if moving else 5), status="picked_up", location="杭州", description="顺丰已揽收"),
            TrackingEvent(
                at=now - timedelta(days=0.5 if moving else 3), status="in_transit", location="南京转运中心", description="运输中"
            ),
        ]
        parcel = Shipment(
            tracking_number=tracking,
            carrier="SF Express",
            order_id=order_id,
            status="in_transit",
            events=events,
            eta=now + timedelta(days=1 if moving else -1),
        )
        made.append((order.model_copy(update={"status": "shipped", "tracking_number": tracking}), parcel))
    return made


def seed_history(store: AnalyticsStore, now: datetime, rng: random.Random) -> None:
    """Four weeks of hourly volume before the replayed day, and the live sessions behind their
    bursts, as a brand would import them from its previous desk."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    sessions = []
    for day in range(2, 29, 2):
        opens = hour - timedelta(days=day, hours=12)
        sessions.append(opens)
        store.schedule(BRAND, f"live-past-{day}", opens, opens + timedelta(hours=2))
    for back in range(28 * 24, 24, -1):  # the replayed day itself comes from its messages
        moment = hour - timedelta(hours=back)
        live = any(s <= moment < s + timedelta(hours=2) for s in sessions)
        store.add_volume(BRAND, moment, sample(rng, expected_volume(moment, live)))
    replayed = now - timedelta(hours=24)
    store.schedule(BRAND, "live-lunch", replayed + timedelta(hours=4), replayed + timedelta(hours=6))
    store.schedule(BRAND, LIVE_SESSION, replayed + timedelta(hours=12), replayed + timedelta(hours=14))
    store.schedule(BRAND, "live-tomorrow", now + timedelta(hours=10), now + timedelta(hours=12))


class Desk:
    """Agents and customers at work, through the same API the consoles and channels use."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.url = stack.url
        self.session = local_session()
        self.tokens = {
            name: stack.agent_token(BRAND, f"demo-{name}", role, skills)
            for name, role, skills in (
                ("amy", "agent", ("after_sale", "logistics", "general")),
                ("ben", "agent", ("pre_sale", "technical", "supply_chain")),
                ("sue", "supervisor", ()),
                ("boss", "admin", ()),
            )
        }
        self.done = {"replied": 0, "resolved": 0, "surveyed": 0, "taken over": 0, "returns": 0}
        self.seen: set[str] = set()
        self.later: list[tuple[int, str, str, bool]] = []  # (round, ticket, agent, asked a question): to resolve then
        self.round = 0

    def call(self, method: str, path: str, who: str | None = None, body: Any = None) -> Any:
        headers = {"x-livedesk-brand": BRAND}
        if who:
            headers["authorization"] = f"Bearer {self.tokens[who]}"
        response = self.session.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=60)
        return response.json() if response.headers.get("content-type", "").startswith("application/json") else response.text

    def work(self, rng: random.Random) -> None:
        """One round at the desk: new tickets are answered (a few are not reached and breach), and
        the ones answered a round or two ago are resolved; some of those customers answer the survey."""
        due, self.later = [t for t in self.later if t[0] <= self.round], [t for t in self.later if t[0] > self.round]
        for _, ticket_id, who, asked in due:
            self._resolve(ticket_id, who, asked, rng)
        for ticket in self._new_tickets():
            self._answer(ticket, rng)
        self.round += 1

    def _new_tickets(self) -> list[dict[str, Any]]:
        queue = [item["ticket"] for item in self.call("GET", "/v1/agents/me/queue?limit=100", "sue")["tickets"]]
        fresh = [ticket for ticket in queue if ticket["ticket_id"] not in self.seen]
        self.seen.update(ticket["ticket_id"] for ticket in fresh)
        return fresh

    def _answer(self, ticket: dict[str, Any], rng: random.Random) -> None:
        skill, ticket_id = ticket["skill"], ticket["ticket_id"]
        who = "sue" if skill in ("supervisor", "safety") else "amy" if skill in ("after_sale", "logistics", "general") else "ben"
        takeover = f"/v1/tickets/{ticket_id}/takeover"
        if skill == "supervisor" and "status" in self.call("POST", takeover, who, {"version": ticket["version"]}):
            self.done["taken over"] += 1
            ticket = self.call("GET", f"/v1/tickets/{ticket_id}", who)
        returning = ticket["customer_id"] == "cust-1002" and ticket["intent"] in ("return_exchange", "refund")
        if rng.random() < 0.15 and not returning and skill != "safety":
            return  # not reached: it breaches
        zh = ticket["lang"] == "zh"
        asks = rng.random() < 0.2  # needs the order number first: a second answer, not a first-contact resolution
        text = (
            ("您好，麻烦提供一下订单号。" if zh else "Could you send me the order number?")
            if asks
            else ("您好，已为您处理好。" if zh else "Hello, this is sorted.")
        )
        replied = self.call("POST", f"/v1/tickets/{ticket_id}/replies", who, {"version": ticket["version"], "text": text})
        if "version" not in replied:
            return
        self.done["replied"] += 1
        if returning:
            request = {"order_id": "DD20261120001", "sku": "LB-SERUM-30", "kind": "return", "reason": "no_reason"}
            started = self.call("POST", f"/v1/tickets/{ticket_id}/returns", who, {"version": replied["version"], **request})
            self.done["returns"] += "return_id" in started
        elif rng.random() < 0.85:
            self.later.append((self.round + rng.choice([1, 2]), ticket_id, who, asks))

    def _resolve(self, ticket_id: str, who: str, asked: bool, rng: random.Random) -> None:
        ticket = self.call("GET", f"/v1/tickets/{ticket_id}", who)
        if ticket.get("status") in ("resolved", "closed") or "version" not in ticket:
            return
        version = ticket["version"]
        if asked:
            answered = self.call("POST", f"/v1/tickets/{ticket_id}/replies", who, {"version": version, "text": "收到，已为您处理好。"})
            version = answered.get("version", version)
        resolved = self.call("POST", f"/v1/tickets/{ticket_id}/resolve", who, {"version": version, "resolution": "已处理"})
        if "version" in resolved:
            self.done["resolved"] += 1
            if rng.random() < 0.6:
                self.stack.post_as_channel(BRAND, f"/v1/surveys/{ticket_id}", {"score": rng.choice([5, 5, 4, 4, 3, 2, 1])}, "app_chat")
                self.done["surveyed"] += 1


def run(port: int = 0) -> int:
    rng = random.Random(20261201)
    now = datetime.now(UTC)
    stack = LocalStack(gateway_port=port).start()
    try:
        dynamodb = boto3.resource("dynamodb", endpoint_url=stack.endpoint)
        seed_knowledge(stack.client("s3"), stack.bucket_name("KnowledgeBucket"))
        seed_customers(dynamodb.Table(stack.table_name("Customers")))
        seed_supply(dynamodb.Table(stack.table_name("Supply")))
        seed_history(AnalyticsStore(dynamodb.Table(stack.table_name("Analytics"))), now, rng)
        posts = the_day(now, rng)
        supply = DynamoSupplyChain(dynamodb.Table(stack.table_name("Supply")))
        for order, parcel in shopper_orders(posts, now):
            supply.put_order(BRAND, order)
            if parcel is not None:
                supply.put_shipment(BRAND, parcel)
        desk = Desk(stack)
        experiment = desk.call("POST", "/v1/experiments", "boss", EXPERIMENT)  # before any message is routed
        morning = desk.call("GET", "/v1/forecast?hours=48", "sue")  # what the hourly run predicted before the day began
        print(f"Forecast from four weeks of history: {sum(i['expected'] for i in morning['intervals'][:24]):.0f} messages for the day")
        print(f"Replaying {len(posts)} messages of the last 24 hours through {stack.url} …", flush=True)
        started = time.perf_counter()
        for n, post in enumerate(posts):
            body = {"channel": post.ask.channel, "channel_message_id": f"demo-{n}", "customer_id": post.customer,
                    "text": post.ask.text, "sent_at": post.sent_at.isoformat(), **({"sku": post.ask.sku} if post.ask.sku else {}),
                    **({"live_session_id": post.live_session_id} if post.live_session_id else {})}  # fmt: skip
            stack.post_as_channel(BRAND, "/v1/messages", body).raise_for_status()
            if n % ROUND == ROUND - 1:  # the agents work alongside the channels
                stack.drain(timeout_s=300)
                desk.work(rng)
        for _ in range(3):
            stack.drain(timeout_s=300)
            desk.work(rng)
        print(f"  routed and worked in {time.perf_counter() - started:.0f} s", flush=True)
        print("  " + ", ".join(f"{count} {what}" for what, count in desk.done.items()), flush=True)
        summarise(desk, now)
        judge(ConversationRepository(dynamodb.Table(stack.table_name("Conversations")), timedelta(days=30)), posts)
        report_experiment(desk, experiment["experiment_id"])
    finally:
        stack.stop()
    return 0


def summarise(desk: Desk, now: datetime) -> None:
    window = urlencode({"from": (now - timedelta(hours=24)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()})
    k = desk.call("GET", f"/v1/kpis?{window}", "sue")

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    def secs(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f} s"

    print("\nKPIs, the last 24 hours (lumi-beauty)")
    print(f"  messages routed {k['messages']}, tickets {k['tickets_created']} created / {k['tickets_resolved']} resolved")
    print(f"  first response p50 {secs(k['first_response_seconds']['p50'])}, p90 {secs(k['first_response_seconds']['p90'])};"
          f" queue wait p50 {secs(k['queue_wait_seconds']['p50'])}; handle time {secs(k['handle_seconds']['mean'])}")  # fmt: skip
    print(f"  resolution {pct(k['resolution_rate'])}, FCR {pct(k['first_contact_resolution'])},"
          f" repeat contact {pct(k['repeat_contact_rate_7d'])}, abandonment {pct(k['abandonment_rate'])}")  # fmt: skip
    print(f"  bot containment {pct(k['bot_containment'])}, human transfer {pct(k['human_transfer_rate'])},"
          f" negative emotion {pct(k['negative_emotion_share'])}")  # fmt: skip
    print(f"  CSAT {k['csat']['average']} from {k['csat']['answers']} answers {k['csat']['distribution']}")
    for tier, sla in sorted(k["sla_attainment"].items()):
        on_time = f"first response on time {pct(sla['first_response'])}, resolution {pct(sla['resolution'])}"
        print(f"  SLA {tier}: {sla['tickets']} tickets, {on_time}")
    voc = desk.call("GET", f"/v1/voc?{window}&by=sku", "sue")
    print("Top complaint terms:", ", ".join(f"{t['group']} {t['term']} ×{t['count']}" for t in voc["terms"][:6]) or "none")
    gaps = desk.call("GET", f"/v1/knowledge/gaps?{window}", "sue")["topics"]
    print("Knowledge gaps:", "; ".join(f"{t['label']} ×{t['count']} (e.g. {t['examples'][0]})" for t in gaps[:3]) or "none")
    alerts = desk.call("GET", "/v1/alerts", "sue")["alerts"]
    print("Alerts:", "; ".join(f"{a['level']} {a['rule']}: {a['message']}" for a in alerts) or "none")
    forecast = desk.call("GET", "/v1/forecast?hours=48", "sue")
    peak = max(forecast["intervals"], key=lambda i: i["expected"])
    print(f"Forecast: MAPE {forecast['mape']} % on the held-out 48 hours; live sessions ×{forecast['live_session_multiplier']};"
          f" peak {peak['expected']:.0f} messages at {peak['hour']} needing {peak['agents_needed']} agents")  # fmt: skip
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(desk.call("GET", f"/v1/kpis/report?{window}", "sue"), encoding="utf-8")
    print(f"Report: {REPORT}")


EXPERIMENT = {
    "name": "bolder bot",
    "hypothesis": "answering at a lower intent confidence and knowledge similarity contains more, at what cost in wrong answers",
    "variants": [
        {"name": "control", "weight": 50},
        {"name": "bolder", "weight": 50, "min_confidence": 0.4, "answer_similarity": 0.85},
    ],
}


def report_experiment(desk: Desk, experiment_id: str) -> None:
    read = desk.call("GET", f"/v1/experiments/{experiment_id}/results", "sue")
    print(f"\nExperiment '{read['experiment']['name']}' ({experiment_id}): {read['note']}")

    def estimate(e: dict[str, Any], share: bool = True) -> str:
        if e["value"] is None:
            return "—"
        value = f"{e['value']:.0%}" if share else f"{e['value']:.2f}"
        interval = f" [{e['low']:.0%}, {e['high']:.0%}]" if share and e["low"] is not None else ""
        return f"{value}{interval} (n {e['n']})"

    for v in read["variants"]:
        print(f"  {v['variant']:8} {v['customers']} customers, {v['messages']} messages: containment {estimate(v['containment'])},"
              f" FCR {estimate(v['first_contact_resolution'])}, CSAT {estimate(v['csat'], share=False)},"
              f" repeat contact {estimate(v['repeat_contact'])}")  # fmt: skip
        for metric, change in v["versus_control"].items():
            verdict = "significant" if change["significant"] else "not significant"
            print(f"           {metric} vs control {change['difference']:+.3f} [{change['low']:+.3f}, {change['high']:+.3f}] {verdict}")


def judge(conversations: ConversationRepository, posts: list[Post]) -> None:
    """Routing against each template's expected destination and answer sources. A message that
    reached a conversation an agent was already working goes to that agent: not scored."""
    routed: dict[str, RoutingDecision] = {}
    for customer in {post.customer for post in posts}:
        for conversation in conversations.list_for_customer(BRAND, customer, limit=100):
            found = conversations.get(BRAND, conversation.conversation_id)
            for message in found[1] if found else []:
                if message.routing is not None:
                    routed[message.channel_message_id] = message.routing
    outcomes, in_tickets, misses = [], 0, Counter[str]()
    variants = {n: (routed[f"demo-{n}"].variant if f"demo-{n}" in routed else None) for n in range(len(posts))}
    scored: list[str | None] = []  # the variant of each scored outcome
    for n, post in enumerate(posts):
        decision = routed.get(f"demo-{n}")
        if decision is not None and any("has open ticket" in reason for reason in decision.reasons):
            in_tickets += 1
            continue
        got = "dropped" if decision is None or decision.queue == "dropped" else decision.queue
        source = decision.answer_source if decision else None
        outcome = Outcome(post.ask.expected, post.ask.sources, post.ask.routine, got, source)
        outcomes.append(outcome)
        scored.append(variants[n])
        if not outcome.right:
            misses[f"{post.ask.text} (expected {post.ask.expected}, got {got}{f' from {source}' if source else ''})"] += 1
    print(f"\nRouting against the demo's expected labels ({in_tickets} messages reached a ticket in progress and are not scored):")
    print("  " + score(outcomes).summary())
    print("  most frequent misses: " + "; ".join(f"{miss} ×{count}" for miss, count in misses.most_common(8)))
    for variant in sorted({v for v in variants.values() if v}):
        print(f"  variant {variant}: " + score([o for o, v in zip(outcomes, scored, strict=True) if v == variant]).summary())
