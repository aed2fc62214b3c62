"""Quality inspection (智能质检) of a closed conversation: pure rules over its turns, the ticket's
timing and the brand's knowledge. Every finding names its rule, severity, the offending words (with
personal data masked) and a suggested fix; the conversation and each agent get a score."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from livedesk import pii
from livedesk.quality.model import BrandKnowledge, ClosedConversation, Finding, Inspection, StreamerPromise, Turn
from livedesk.quality.rules import FindingSeverity, RuleSet, WordingRule, _compiled

SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
EXCERPT = 160
CHINESE_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ENGLISH_NUMBERS = {"three": 3, "five": 5, "seven": 7, "ten": 10, "fifteen": 15, "thirty": 30, "ninety": 90}


def stated_number(match: re.Match[str]) -> float | None:
    """The number a claim states: ``n``, or the upper end ``m`` of a range (5–7 days)."""
    upper = match.groupdict().get("m")
    return number(upper) if upper else number(match.group("n"))


def number(text: str) -> float | None:
    """42, 十五, 三十, 二十一, seven: the small numbers replies state windows and prices in."""
    text = text.strip().lower()
    if text.isdigit():
        return float(text)
    if text in ENGLISH_NUMBERS:
        return float(ENGLISH_NUMBERS[text])
    if not text or any(ch not in CHINESE_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return float(CHINESE_DIGITS[text]) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return float((CHINESE_DIGITS.get(tens, 1) if tens else 1) * 10 + (CHINESE_DIGITS.get(ones, 0) if ones else 0))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in SENTENCE_END.finditer(text, end)), len(text))
    return left, right


def _excerpt(text: str, start: int, end: int) -> str:
    left, right = _sentence(text, start, end)
    return pii.mask(text[left:right].strip())[:EXCERPT]


def _lang(text: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


class Inspector:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    # -- one reply ---------------------------------------------------------------------------
    def reply(self, turn: Turn, knowledge: BrandKnowledge, live_session_id: str | None = None, sku: str | None = None) -> list[Finding]:
        """Every finding in one bot or agent reply."""
        if turn.author == "customer":
            return []
        found: list[Finding] = []
        for rule in self.rules.wording:
            if rule.enabled and turn.author in rule.authors:
                found += self._wording(rule, turn)
        if self.rules.personal_data.enabled and turn.author in self.rules.personal_data.authors:
            found += self._personal_data(turn)
        if self.rules.policy.enabled:
            found += self._policy(turn, knowledge)
        if self.rules.promise.enabled and live_session_id:
            found += self._promise(turn, knowledge, live_session_id, sku)
        return found

    def _finding(self, rule_id: str, severity: FindingSeverity, turn: Turn, start: int, end: int, suggestion: str, **extra: str) -> Finding:
        author = "bot" if turn.author == "bot" else "agent"
        return Finding(
            rule_id=rule_id,
            severity=severity,
            message_id=turn.message_id,
            author=author,
            author_id=turn.author_id if author == "agent" else None,
            span=(start, end),
            excerpt=_excerpt(turn.text, start, end),
            suggestion=suggestion,
            **extra,
        )

    def _wording(self, rule: WordingRule, turn: Turn) -> Iterator[Finding]:
        taken: list[tuple[int, int]] = []
        for term in rule.terms:
            for match in term.regex.finditer(turn.text):
                start, end = match.span()
                if any(start < b and a < end for a, b in taken):
                    continue
                if term.harmless and self._harmless(term.harmless, turn.text, start, end):
                    continue
                taken.append((start, end))
                yield self._finding(rule.id, rule.severity, turn, start, end, term.suggestion, detail=match.group(0))

    @staticmethod
    def _harmless(harmless: re.Pattern[str], text: str, start: int, end: int) -> bool:
        """An ``unless`` match overlapping the flagged words (最好 in 最好先…) clears them."""
        left, right = _sentence(text, start, end)
        return any(m.start() <= start < m.end() or start <= m.start() < end for m in harmless.finditer(text, left, right))

    def _personal_data(self, turn: Turn) -> Iterator[Finding]:
        rule = self.rules.personal_data
        brand_own = _compiled(rule.unless) if rule.unless else None
        for item in pii.find(turn.text):
            if "*" in item.text:
                continue  # already masked
            left, right = _sentence(turn.text, item.start, item.end)
            if brand_own and brand_own.search(turn.text[left:right]):
                continue
            yield self._finding(
                rule.id,
                rule.severity,
                turn,
                item.start,
                item.end,
                f"Never write out a customer's {item.kind.value}: refer to it masked ({pii.mask_value(item.kind, item.text)}).",
                detail=item.kind.value,
            )

    def _policy(self, turn: Turn, knowledge: BrandKnowledge) -> Iterator[Finding]:
        rule = self.rules.policy
        on = turn.sent_at.date()
        reported: set[str] = set()
        for claim in rule.claims:
            in_force = knowledge.term_in_force(claim.term, on)
            if in_force is None or claim.term in reported:
                continue
            value, doc_id = in_force
            for pattern in claim.patterns:
                for match in _compiled(pattern).finditer(turn.text):
                    stated = stated_number(match)
                    if stated is None or abs(stated * claim.scale - value) < 1e-6:
                        continue
                    if claim.upper_bound and stated * claim.scale <= value:
                        continue  # a refund promised sooner than the policy's limit is not a contradiction
                    reported.add(claim.term)
                    unit = "days" if claim.term.endswith("_days") else "hours"
                    yield self._finding(
                        rule.id,
                        rule.severity,
                        turn,
                        *match.span(),
                        f"The policy in force on {on} ({doc_id}) says {value:g} {unit}.",
                        detail=f"{claim.term}: stated {stated * claim.scale:g}, policy {value:g}",
                        reference=doc_id,
                    )
                    break
                if claim.term in reported:
                    break

    def _promise(self, turn: Turn, knowledge: BrandKnowledge, session_id: str, sku: str | None) -> Iterator[Finding]:
        rule = self.rules.promise
        checks: list[tuple[str, list[str]]] = [("gift", rule.gift_denials), ("coupon", rule.coupon_denials)]
        for kind, denials in checks:
            promises = knowledge.promises_for(session_id, sku, kind)
            match = _first(denials, turn.text)
            if promises and match:
                yield self._contradiction(turn, match, promises[0], f"The streamer promised: {promises[0].text}")
        prices = knowledge.promises_for(session_id, sku, "price")
        promised_prices = {price for p in prices for price in _live_prices(p.text)}
        for pattern in rule.price:
            for found in _compiled(pattern).finditer(turn.text):
                stated = number(found.group("n"))
                if prices and stated is not None and stated not in promised_prices:
                    yield self._contradiction(turn, found, prices[0], f"The live price promised was: {prices[0].text}")
                    return
        shipping = knowledge.promises_for(session_id, sku, "shipping_date")
        deadline = max((d for p in shipping if (d := _shipping_deadline_days(p)) is not None), default=None)
        if deadline is None:
            return
        session_day = shipping[0].at.date()
        for patterns, per in ((rule.shipping_days, 1.0), (rule.shipping_hours, 24.0), (rule.shipping_dates, 0.0)):
            for pattern in patterns:
                for found in _compiled(pattern).finditer(turn.text):
                    stated = _days_after(found, session_day) if per == 0 else (n / per if (n := stated_number(found)) is not None else None)
                    if stated is not None and stated > deadline + 1e-6:
                        yield self._contradiction(turn, found, shipping[0], f"The streamer promised: {shipping[0].text}")
                        return

    def _contradiction(self, turn: Turn, match: re.Match[str], promise: StreamerPromise, suggestion: str) -> Finding:
        rule = self.rules.promise
        return self._finding(
            rule.id, rule.severity, turn, *match.span(), suggestion, detail=f"{promise.type}: {match.group(0)}", reference=promise.doc_id
        )

    # -- the whole conversation ---------------------------------------------------------------
    def conversation(self, closed: ClosedConversation, knowledge: BrandKnowledge, now: datetime) -> Inspection:
        findings: list[Finding] = []
        for turn in closed.turns:
            findings += self.reply(turn, knowledge, closed.live_session_id, closed.sku)
        findings += self._manners(closed)
        findings += self._timing(closed)
        findings += self._repeat(closed)
        scoring = self.rules.scoring
        agents = sorted({t.author_id for t in closed.turns if t.author == "agent" and t.author_id})
        if closed.ticket and closed.ticket.assignee and closed.ticket.assignee not in agents:
            agents.append(closed.ticket.assignee)
        penalties = sum(scoring.penalty(f.severity) for f in findings)
        agent_scores = {agent: max(0, 100 - sum(scoring.penalty(f.severity) for f in findings if f.author_id == agent)) for agent in agents}
        return Inspection(
            brand_id=closed.brand_id,
            conversation_id=closed.conversation_id,
            customer_id=closed.customer_id,
            ticket_id=closed.ticket.ticket_id if closed.ticket else None,
            channel=closed.channel,
            skill=closed.ticket.skill if closed.ticket else "bot",
            live_session_id=closed.live_session_id,
            agents=agents,
            closed_at=closed.closed_at,
            inspected_at=now,
            rules_version=self.rules.version,
            findings=findings,
            score=max(0, 100 - penalties),
            agent_scores=agent_scores,
        )

    def _manners(self, closed: ClosedConversation) -> Iterator[Finding]:
        replies = [t for t in closed.turns if t.author == "agent"]
        if not replies:
            return
        for rule, turn in ((self.rules.greeting, replies[0]), (self.rules.closing, replies[-1])):
            if rule.enabled and not rule.found_in(turn.text):
                lang = _lang(turn.text)
                yield Finding(
                    rule_id=rule.id,
                    severity=rule.severity,
                    message_id=turn.message_id,
                    author="agent",
                    author_id=turn.author_id,
                    excerpt=pii.mask(turn.text)[:EXCERPT],
                    suggestion=rule.suggestion.get(lang) or next(iter(rule.suggestion.values())),
                )

    def _timing(self, closed: ClosedConversation) -> Iterator[Finding]:
        ticket = closed.ticket
        first = self.rules.first_response
        if ticket and first.enabled:
            answered = ticket.first_responded_at or closed.closed_at
            if answered > ticket.first_response_due:
                allowed = ticket.first_response_due - ticket.created_at
                yield Finding(
                    rule_id=first.id,
                    severity=first.severity,
                    author="agent",
                    author_id=ticket.assignee,
                    detail=f"first response after {_duration(answered - ticket.created_at)}; the SLA allows {_duration(allowed)}",
                    suggestion="Claim the ticket and send a first reply within the SLA, even if only to say you are on it.",
                    reference=ticket.ticket_id,
                )
        gap = self.rules.reply_gap
        if not gap.enabled or gap.seconds is None:
            return
        engaged = False
        waiting: Turn | None = None
        for turn in sorted(closed.turns, key=lambda t: t.sent_at):
            if turn.author == "agent":
                if engaged and waiting and (turn.sent_at - waiting.sent_at).total_seconds() > gap.seconds:
                    yield Finding(
                        rule_id=gap.id,
                        severity=gap.severity,
                        message_id=turn.message_id,
                        author="agent",
                        author_id=turn.author_id,
                        detail=f"the customer waited {_duration(turn.sent_at - waiting.sent_at)} for this reply",
                        excerpt=pii.mask(turn.text)[:EXCERPT],  # the late reply: inspections keep no customer's words
                        suggestion=f"Reply within {gap.seconds // 60} minutes, or say what you are checking and how long it takes.",
                    )
                engaged, waiting = True, None
            elif turn.author == "customer" and waiting is None:
                waiting = turn

    def _repeat(self, closed: ClosedConversation) -> Iterator[Finding]:
        rule = self.rules.repeat_contact
        started = min((t.sent_at for t in closed.turns), default=closed.closed_at)
        earlier = [e for e in closed.earlier if started - timedelta(days=rule.days) <= e.started_at < started]
        if rule.enabled and earlier:
            last = max(earlier, key=lambda e: e.started_at)
            yield Finding(
                rule_id=rule.id,
                severity=rule.severity,
                detail=f"the customer also wrote on {last.started_at.date()} ({len(earlier)} contact(s) in {rule.days} days)",
                suggestion="Read the earlier conversation before answering, and resolve the cause so the customer need not come back.",
                reference=last.conversation_id,
            )


NOT_THE_LIVE_PRICE = re.compile(r"(?:日常|平时|平時|原价|原價|专柜|專櫃|便宜|直降|少|减|減|满|滿|前)\D{0,2}$")
PRICE = re.compile(r"\d{2,5}(?![\d%％])")


def _live_prices(promise: str) -> set[float]:
    """The prices a streamer promised (到手价199), not the regular price or the discount beside them."""
    return {float(m.group()) for m in PRICE.finditer(promise) if not NOT_THE_LIVE_PRICE.search(promise[max(0, m.start() - 4) : m.start()])}


def _first(patterns: list[str], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = _compiled(pattern).search(text)
        if match:
            return match
    return None


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


SHIP_HOURS = re.compile(r"(\d+)\s*(?:个)?小时(?:内|之内|以内)")
SHIP_DAYS = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*(?:个)?(?:工作日|天)(?:内|之内|以内)")
SHIP_DATE = re.compile(r"(?:最晚|最迟)?(?:(\d{1,2})月)?(\d{1,2})[号日](?:之前|以前|前|晚上)?(?:全部|陆续)?(?:发完|发出|发货|前)")
SHIP_TOMORROW = re.compile(r"明天(?:就)?(?:走|发|寄)")


MONTHS = {"oct": 10, "nov": 11, "dec": 12}


def _days_after(match: re.Match[str], session_day: date) -> float | None:
    """Days from the session to the date a reply names (25号, 12月5号, Nov 25)."""
    groups = match.groupdict()
    month = int(groups["month"]) if groups.get("month") else MONTHS.get(str(groups.get("mon") or "")[:3].lower(), session_day.month)
    year = session_day.year + (1 if month < session_day.month else 0)
    try:
        return float((date(year, month, int(groups["day"])) - session_day).days)
    except (ValueError, KeyError, TypeError):
        return None


def _shipping_deadline_days(promise: StreamerPromise) -> float | None:
    """How many days after the session the streamer promised everything would ship."""
    text = promise.text
    found: list[float] = [int(m.group(1)) / 24 for m in SHIP_HOURS.finditer(text)]
    found += [n for m in SHIP_DAYS.finditer(text) if (n := number(m.group(1))) is not None]
    if SHIP_TOMORROW.search(text):
        found.append(1.0)
    session_day = promise.at.date()
    for m in SHIP_DATE.finditer(text):
        month = int(m.group(1)) if m.group(1) else session_day.month
        year = session_day.year + (1 if month < session_day.month else 0)
        try:
            found.append(float((date(year, month, int(m.group(2))) - session_day).days))
        except ValueError:
            continue
    return max(found) if found else None
