"""Self-service from the supply chain: the bot answers order status, parcel tracking and stock, for
the customer who asks and only about their own orders. Pure domain logic behind the supply ports.

Whatever is unclear, delayed past its promise, not the asker's, or unavailable is a hand-off: a
person takes it with what was looked up already attached. A wrong answer is never given.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from livedesk.errors import NotFound
from livedesk.supply.ports import CatalogItem, Lineup, Order, Shipment, Stock, TransientSupplyError

LOG = logging.getLogger(__name__)
RECENT = timedelta(days=30)  # "where is my order?" means an order of the last 30 days
ORDER_INTENTS = frozenset({"order_status", "logistics_tracking"})
STOCK_INTENTS = frozenset({"stock_availability"})
SUPPLY_INTENTS = ORDER_INTENTS | STOCK_INTENTS
LOW_STOCK = 10
NOT_RECEIVED = re.compile(
    r"没收到|没有收到|未收到|沒收到|没拿到|not received|haven'?t (?:got|received)|didn'?t (?:get|receive)|never (?:got|arrived)"
)
# Asking for something to be done to an order or its delivery (hurry it, hold it, leave it somewhere,
# combine, note, book a day), not where it is: a person arranges it, with the order attached.
CHANGE_REQUEST = re.compile(
    r"加急|催(一下|下)|帮我(备注|催|加急|合并|改|约|放)|备注一下|合并|能不能.{0,8}(今天|马上|早点|提前).{0,4}(发|寄)"
    r"|放(到|在)?(门口|邻居|隔壁|快递柜|驿站|物业|前台)|丰巢|约.{0,6}(送|配送)|改(成|到).{0,10}(送|寄|地址)"
    r"|\b(expedite|rush|combine|merge|hold (it|my|the)|leave (it|the parcel)|reschedule|redirect)\b"
    r"|\bdeliver (it )?to (the|my|our) (neighbou?r|front desk|office|door|locker|reception)"
)
SKU_IN_TEXT = re.compile(r"\b[A-Z]{2}-[A-Z0-9]+-[A-Z0-9]+\b")
LATIN_WORD = re.compile(r"[a-z]{3,}")
# "3号链接", "链接3", "link 3", "number 3": a product by its number in the live cart. A bare "3号" or
# "#3" is not read as one: it is as often a colour (03号色) or a day (3号发货).
LINK_NUMBER = re.compile(r"(?<!\d)(\d{1,2})\s*号\s*链接|链接\s*(\d{1,2})(?!\d)|\b(?:link|number|no\.?)\s*#?(\d{1,2})\b")
SESSION_PRODUCTS = 3  # at most this many of a session's products named in one answer
SUPPLY_ERRORS = (TransientSupplyError, BotoCoreError, ClientError, TimeoutError, OSError, ValueError)


class SupplyLookups(Protocol):
    """What self-service reads from the supply chain (a subset of ``SupplyChain``)."""

    def order(self, brand_id: str, order_id: str) -> Order: ...

    def orders_of(self, brand_id: str, customer_id: str, since: datetime) -> list[Order]: ...

    def shipment(self, brand_id: str, tracking_number: str) -> Shipment: ...

    def stock(self, brand_id: str, sku: str) -> Stock: ...

    def lineup(self, brand_id: str, live_session_id: str) -> Lineup: ...


@dataclass(frozen=True)
class Question:
    brand_id: str
    customer_id: str
    text: str  # the normalised text (simplified, lower-case)
    lang: str
    references: tuple[str, ...] = ()  # order or tracking numbers written in the message
    sku: str | None = None  # the product card the channel attached
    candidate_skus: tuple[str, ...] = ()  # products knowledge search found for the message, best first
    # Weaker, and asked only when nothing above named the product: products like the message
    # (a search); one counts only when the message names its variant.
    products_like: Callable[[], tuple[str, ...]] = lambda: ()
    live_session_id: str | None = None  # the live session a comment comes from: its cart names the products


@dataclass(frozen=True)
class Lookup:
    """What the supply chain said. ``answer`` is the bot's reply when the bot may give it; otherwise
    ``handoff`` says why a person must take it. ``facts`` go on the ticket either way."""

    source: str  # supply:order, supply:shipment, supply:stock or clarify
    answer: str | None = None
    handoff: str | None = None
    facts: list[str] = field(default_factory=list)


def _tail(number: str) -> str:
    return number[-4:]


def _day(moment: datetime, lang: str) -> str:
    local = moment.astimezone()
    return f"{local:%b} {local.day}" if lang == "en" else f"{local.month}月{local.day}日"


def _products(order: Order) -> str:
    return "、".join(line.name for line in order.lines)


class SelfService:
    def __init__(self, supply: SupplyLookups) -> None:
        self._supply = supply

    def lookup(self, intent: str, question: Question, now: datetime) -> Lookup | None:
        """None when this is no self-service matter, or nothing could be identified to look up."""
        try:
            if intent in ORDER_INTENTS:
                found = self._order_question(question, now)
                if found.answer and CHANGE_REQUEST.search(question.text):
                    return Lookup(found.source, handoff="a change to the order or its delivery: a person arranges it", facts=found.facts)
                return found
            if intent in STOCK_INTENTS:
                return self._stock_question(question)
        except SUPPLY_ERRORS as error:
            LOG.warning("supply chain unavailable: %s", type(error).__name__)
            return Lookup(source="supply:unavailable", handoff="the supply chain did not answer in time: a person looks it up")
        return None

    # -- orders and parcels ------------------------------------------------------------------
    def _order_question(self, question: Question, now: datetime) -> Lookup:
        for reference in question.references:
            found = self._referenced(question, reference, now)
            if found is not None:
                return found
        if question.references:
            return Lookup(source="supply:order", handoff="no order or parcel with that number: a person checks")
        orders = [o for o in self._supply.orders_of(question.brand_id, question.customer_id, now - RECENT) if o.status != "cancelled"]
        if not orders:
            return Lookup(source="supply:order", handoff="no recent order of this customer: a person checks")
        if len(orders) > 1:
            named = self._named(orders, question)
            if len(named) != 1:
                return self._which_one(orders, question.lang)
            orders = named
        return self._order_status(orders[0], question, now)

    def _referenced(self, question: Question, reference: str, now: datetime) -> Lookup | None:
        reference = reference.upper()
        try:
            order = self._supply.order(question.brand_id, reference)
        except NotFound:
            try:
                shipment = self._supply.shipment(question.brand_id, reference)
            except NotFound:
                return None
            if shipment.order_id is None:
                return Lookup(source="supply:shipment", handoff="a parcel without an order: a person checks")
            try:
                order = self._supply.order(question.brand_id, shipment.order_id)
            except NotFound:
                return None
        if order.customer_id != question.customer_id:
            # Never say anything about another customer's order, not even that it exists.
            return Lookup(source="supply:order", handoff="the order named is not this customer's: a person checks", facts=[])
        return self._order_status(order, question, now)

    def _named(self, orders: list[Order], question: Question) -> list[Order]:
        """The orders whose products the message names (a product card, a SKU, or words of the name)."""
        wanted = {question.sku, *question.candidate_skus[:1]} - {None}
        by_sku = [o for o in orders if wanted & {line.sku for line in o.lines}]
        if by_sku:
            return by_sku
        return [o for o in orders if any(_mentions(question.text, line.name) for line in o.lines)]

    def _which_one(self, orders: list[Order], lang: str) -> Lookup:
        listed = [(o.order_id, _products(o), o.status) for o in orders[:5]]
        if lang == "en":
            options = "; ".join(f"order ending {_tail(i)} ({name}, {status})" for i, name, status in listed)
            answer = f"You have {len(orders)} recent orders: {options}. Which one do you mean? Reply with the order number."
        else:
            status_zh = {"paid": "已付款", "shipped": "已发货", "delivered": "已签收"}
            options = "；".join(f"尾号{_tail(i)}（{name}，{status_zh.get(status, status)}）" for i, name, status in listed)
            answer = f"您近期有 {len(orders)} 个订单：{options}。请问您问的是哪一个？回复订单号即可。"
        return Lookup(source="clarify", answer=answer, facts=[f"recent orders: {', '.join(_tail(o.order_id) for o in orders)}"])

    def _order_status(self, order: Order, question: Question, now: datetime) -> Lookup:
        lang, tail, products = question.lang, _tail(order.order_id), _products(order)
        facts = [f"order …{tail} ({products}): {order.status}"]
        if order.status == "paid":
            if order.ship_by is None:
                return Lookup(source="supply:order", handoff="paid, with no promised shipping date: a person checks", facts=facts)
            facts.append(f"ship by {order.ship_by.isoformat()}")
            if now > order.ship_by:
                return Lookup(source="supply:order", handoff="the promised shipping date has passed: a person follows up", facts=facts)
            day = _day(order.ship_by, lang)
            answer = (
                f"Your order ending {tail} ({products}) is paid and will ship by {day}; you will get the tracking number then."
                if lang == "en"
                else f"您的订单（尾号{tail}，{products}）已付款，预计 {day} 前发货，发货后会通知您物流单号。"
            )
            return Lookup(source="supply:order", answer=answer, facts=facts)
        if order.status == "cancelled":
            answer = f"Your order ending {tail} was cancelled." if lang == "en" else f"您的订单（尾号{tail}）已取消。"
            return Lookup(source="supply:order", answer=answer, facts=facts)
        if order.status == "delivered":
            if NOT_RECEIVED.search(question.text):
                return Lookup(
                    source="supply:order", handoff="delivered, but the customer has not received it: a person checks", facts=facts
                )
            day = _day(order.delivered_at, lang) if order.delivered_at else ""
            answer = (
                f"Your order ending {tail} ({products}) was delivered{' on ' + day if day else ''}."
                if lang == "en"
                else f"您的订单（尾号{tail}，{products}）已{'于 ' + day + ' ' if day else ''}签收。"
            )
            return Lookup(source="supply:order", answer=answer, facts=facts)
        if not order.tracking_number:
            return Lookup(source="supply:order", handoff="shipped without a tracking number: a person checks", facts=facts)
        return self._tracking(order, self._supply.shipment(question.brand_id, order.tracking_number), question, now, facts)

    def _tracking(self, order: Order, shipment: Shipment, question: Question, now: datetime, facts: list[str]) -> Lookup:
        lang, tail = question.lang, _tail(order.order_id)
        latest = max(shipment.events, key=lambda e: e.at) if shipment.events else None
        facts = [*facts, f"{shipment.carrier} …{_tail(shipment.tracking_number)}: {shipment.status}"]
        if latest:
            facts.append(f"latest {latest.at.isoformat()} {latest.location} {latest.description or latest.status}".strip())
        if shipment.eta:
            facts.append(f"eta {shipment.eta.isoformat()}")
        if shipment.status == "delivered" and not NOT_RECEIVED.search(question.text):
            answer = f"Your parcel for order ending {tail} has been delivered." if lang == "en" else f"您的订单（尾号{tail}）包裹已签收。"
            return Lookup(source="supply:shipment", answer=answer, facts=facts)
        if shipment.eta is None or now > shipment.eta or shipment.status in {"exception", "returned", "lost"}:
            return Lookup(
                source="supply:shipment", handoff="the parcel is late or stuck: a person follows up with the carrier", facts=facts
            )
        where = f"{latest.location} {latest.description}".strip() if latest else shipment.status
        when = f"{latest.at.astimezone():%m-%d %H:%M}" if latest else ""
        if lang == "en":
            answer = (
                f"Your order ending {tail} is on its way with {shipment.carrier} (tracking ending {_tail(shipment.tracking_number)}): "
                f"latest {when} {where}; expected by {_day(shipment.eta, lang)}."
            )
        else:
            answer = (
                f"您的订单（尾号{tail}）已由{shipment.carrier}发出（运单尾号{_tail(shipment.tracking_number)}），"
                f"最新：{when} {where}，预计 {_day(shipment.eta, lang)} 送达。"
            )
        return Lookup(source="supply:shipment", answer=answer, facts=facts)

    # -- stock -------------------------------------------------------------------------------
    def _stock_question(self, question: Question) -> Lookup | None:
        named = SKU_IN_TEXT.findall(question.text.upper())
        sku = question.sku or (named[0] if named else None) or (question.candidate_skus[0] if question.candidate_skus else None)
        if sku is not None:
            return self._stock_of(question, sku)
        products = self._session_products(question)
        answers = [lookup for lookup in (self._stock_of(question, item.sku, item.name) for item in products) if lookup]
        if not answers:
            return self._by_variant(question)
        joiner = " " if question.lang == "en" else ""
        return Lookup(
            source="supply:stock",
            answer=joiner.join(a.answer or "" for a in answers),
            facts=[fact for a in answers for fact in a.facts],
        )

    def _by_variant(self, question: Question) -> Lookup | None:
        """A product like the message whose colour, shade or size the message names ("C30"), when
        exactly one of them has it: a name alone could be any of them."""
        named = []
        for sku in question.products_like():
            try:
                variants = self._supply.stock(question.brand_id, sku).variants
            except NotFound:
                continue
            if variants and _matching_variants(question.text, variants, codes_only=True):
                named.append(sku)
        return self._stock_of(question, named[0]) if len(named) == 1 else None

    def _session_products(self, question: Question) -> list[CatalogItem]:
        """The live cart's products the comment names: by link number, else by words of their names."""
        if question.live_session_id is None:
            return []
        try:
            cart = self._supply.lineup(question.brand_id, question.live_session_id).products
        except NotFound:
            return []
        number = LINK_NUMBER.search(question.text)
        if number is not None:
            link = int(next(group for group in number.groups() if group))
            return [cart[link - 1]] if 1 <= link <= len(cart) else []
        named = [item for item in cart if _mentions(question.text, item.name)]
        return named[:SESSION_PRODUCTS]

    def _stock_of(self, question: Question, sku: str, name: str | None = None) -> Lookup | None:
        """The stock of one product; ``name``: the product was named from a live cart, so the answer names it."""
        try:
            stock = self._supply.stock(question.brand_id, sku)
        except NotFound:
            return None
        variants = stock.variants
        if not variants:
            return self._stock_answer(sku, stock, [""], question.lang, name)
        found = self._stock_answer(sku, stock, _matching_variants(question.text, variants) or variants, question.lang)
        if name is None:
            return found
        separator = ": " if question.lang == "en" else "："
        return Lookup(source=found.source, answer=f"{name}{separator}{found.answer}", facts=found.facts)

    def _stock_answer(self, sku: str, stock: Stock, variants: list[str], lang: str, name: str | None = None) -> Lookup:
        ready: list[tuple[str, int]] = []
        low: list[tuple[str, int]] = []
        out: list[tuple[str, int]] = []
        for variant in variants:
            available = stock.available_of(variant) if variant else stock.available
            (out if available <= 0 else low if available < LOW_STOCK else ready).append((variant, available))
        facts = [f"{sku} {v or 'all'}: {n} available" for v, n in [*ready, *low, *out]]

        def restock(variant: str) -> str:
            day = stock.restock_of(variant)
            if lang == "en":
                return f" (restock expected {day:%b} {day.day})" if day else " (no restock date yet)"
            return f"（预计{day.month}月{day.day}日补货）" if day else "（暂无补货时间）"

        parts = []
        if lang == "en":
            label = name or sku
            if ready:
                parts.append(f"in stock: {', '.join(v or label for v, _ in ready)}")
            if low:
                parts.append("only a few left: " + ", ".join(f"{v or label} ({n})" for v, n in low))
            if out:
                parts.append("sold out: " + ", ".join(f"{v or label}{restock(v)}" for v, _ in out))
            joined = "; ".join(parts)
            answer = joined[:1].upper() + joined[1:] + "."
        else:
            if ready:
                parts.append(f"{'、'.join(v or name or '现货' for v, _ in ready)} 有货")
            if low:
                parts.append("、".join(f"{v or name or '现货'} 仅剩{n}件" for v, n in low))
            if out:
                parts.append("、".join(f"{v or name or '该商品'} 暂时缺货{restock(v)}" for v, _ in out))
            answer = "；".join(parts) + "。"
        return Lookup(source="supply:stock", answer=answer, facts=facts)


def _mentions(text: str, name: str) -> bool:
    """Whether the message names the product: a shared pair of Chinese characters or a Latin word."""
    lowered = name.lower()
    pairs = {a + b for a, b in pairwise(lowered) if "\u3400" <= a <= "\u9fff" and "\u3400" <= b <= "\u9fff"}
    return any(pair in text for pair in pairs) or any(word in text for word in LATIN_WORD.findall(lowered))


SIZE = re.compile(r"^(?:x{0,3}[sml]|\d{2,3})$", re.IGNORECASE)


def _part_mentioned(text: str, part: str, codes_only: bool = False) -> bool:
    """A colour number (#03: 03号, 3号, #3, 03), a size (L, xl, 27: as a word of its own) or a colour
    name. ``codes_only``: what names a variant of one product only (#03 or 3号 but not a bare 3; no sizes)."""
    if part.startswith("#"):
        number = part[1:].lstrip("0") or "0"
        pattern = rf"#0?{number}(?!\d)|(?<!\d)0?{number}号" if codes_only else rf"(?<!\d)0?{number}(?!\d)"
        return bool(re.search(pattern, text))
    if SIZE.match(part):
        return not codes_only and bool(re.search(rf"(?<![a-z0-9]){re.escape(part.lower())}(?![a-z0-9])", text))
    return part.lower() in text


def _matching_variants(text: str, variants: list[str], codes_only: bool = False) -> list[str]:
    """The variants the message names most specifically ('黑色 L' → 黑色/L; '黑色' → every black size)."""
    scored = []
    for variant in variants:
        parts = [p for p in re.split(r"[/\s]+", variant) if p]
        scored.append((sum(_part_mentioned(text, part, codes_only) for part in parts), variant))
    best = max((score for score, _ in scored), default=0)
    return [variant for score, variant in scored if best and score == best]
