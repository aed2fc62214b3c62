"""Voice of customer: what customers complain about, per SKU, category or supplier, with counts,
the trend against the window before, and examples (phone and order numbers masked). Known
complaint phrases map to one term in Chinese and English; jieba's TF-IDF keyword extraction
surfaces the others."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, Literal

from livedesk.analytics.facts import Fact
from livedesk.modelbase import Model
from livedesk.understanding.normalize import normalize

COMPLAINT_INTENTS = frozenset({"quality_complaint", "damaged_in_transit", "complaint", "return_exchange", "refund", "product_safety"})
EXAMPLES = 3
# Canonical term (zh), its English label, and the wordings (simplified, lower case) that mean it.
TERMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "色差": (
        "colour difference",
        (
            "色差",
            "颜色不一样",
            "颜色不对",
            "和图片不一样",
            "颜色和图",
            "colour difference",
            "color difference",
            "color is different",
            "colour is off",
            "color doesn't match",
        ),
    ),
    "尺寸不符": (
        "size mismatch",
        (
            "尺码不对",
            "尺寸不对",
            "尺寸不符",
            "偏大",
            "偏小",
            "太大了",
            "太小了",
            "穿不上",
            "wrong size",
            "too small",
            "too big",
            "doesn't fit",
            "runs small",
            "runs large",
        ),
    ),
    "物流破损": (
        "damaged in transit",
        (
            "压坏",
            "破损",
            "摔坏",
            "碎了",
            "压扁",
            "箱子破",
            "包装破",
            "damaged",
            "crushed",
            "broken on arrival",
            "arrived broken",
            "smashed",
        ),
    ),
    "不新鲜": ("not fresh", ("不新鲜", "过期", "变质", "临期", "发霉", "expired", "not fresh", "stale", "gone off")),
    "漏液": ("leaking", ("漏液", "漏了", "洒了", "leak", "leaking", "spilled")),
    "过敏": ("allergic reaction", ("过敏", "红疹", "起疹", "刺痛", "rash", "allergic", "itchy", "burns")),
    "起球": ("pilling", ("起球", "pilling", "bobbles")),
    "掉色": ("colour fading", ("掉色", "褪色", "染色", "faded", "fading", "colour ran", "color bleeds")),
    "异味": ("bad smell", ("异味", "有味道", "味道很大", "臭", "smell", "stinks", "odor", "odour")),
    "质量差": (
        "poor quality",
        ("质量差", "质量太差", "做工差", "做工粗糙", "开线", "用一次就坏", "poor quality", "cheap quality", "fell apart"),
    ),
    "少件": ("missing items", ("少件", "少了", "缺件", "没收到赠品", "赠品没", "missing", "not included", "left out")),
    "发错货": ("wrong item", ("发错", "错发", "不是我买的", "wrong item", "wrong colour sent", "sent the wrong")),
    "噪音大": ("noisy", ("噪音", "声音大", "很吵", "noisy", "loud")),
}
STOPWORDS_TEXT = "我 你 的 了 是 吗 呢 啊 吧 这个 那个 怎么 什么 还 没有 就 都 也 很 太 要 一个 你们 我们 客服 主播 东西 问题 收到 买"
STOPWORDS = frozenset(STOPWORDS_TEXT.split(" "))


class Group(Model):
    by: Literal["sku", "category", "supplier"]
    value: str


class TermCount(Model):
    group: str
    term: str
    label_en: str
    count: int
    previous: int
    trend: Literal["new", "up", "flat", "down"]
    examples: list[str]


class VoiceOfCustomer(Model):
    window_from: datetime
    window_to: datetime
    by: Literal["sku", "category", "supplier"]
    complaints: int
    terms: list[TermCount]
    emerging: list[str]  # salient words of complaints no known term covers: candidates for the term list


@cache
def _jieba_analyse() -> Any:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(60)
    return jieba.analyse


def complaint(fact: Fact) -> bool:
    return fact.kind == "message" and bool(fact.text) and (fact.polarity == "negative" or fact.intent in COMPLAINT_INTENTS)


def terms_of(text: str) -> set[str]:
    """The canonical complaint terms a message names."""
    clean = normalize(text).text
    return {term for term, (_, wordings) in TERMS.items() if any(w in clean for w in wordings)}


def emerging(texts: list[str], top: int = 5) -> list[str]:
    """Salient words of complaints that no known term covers (jieba TF-IDF), most salient first."""
    joined = " ".join(normalize(t).text for t in texts)
    known = {w for _, wordings in TERMS.values() for w in wordings}
    tags = _jieba_analyse().extract_tags(joined, topK=top * 4)
    return [tag for tag in tags if tag not in STOPWORDS and tag not in known and len(tag) > 1][:top]


def voice_of_customer(
    current: list[Fact],
    previous: list[Fact],
    start: datetime,
    end: datetime,
    by: Literal["sku", "category", "supplier"],
    attribute: Callable[[str | None], str],
) -> VoiceOfCustomer:
    """``attribute`` maps a message's SKU to its group: the SKU itself, its category or its supplier."""

    def counted(facts: list[Fact]) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], list[str]]]:
        counts: Counter[tuple[str, str]] = Counter()
        examples: dict[tuple[str, str], list[str]] = defaultdict(list)
        for fact in facts:
            if not complaint(fact):
                continue
            group = attribute(fact.sku)
            found = terms_of(fact.text or "")
            for term in found:
                counts[(group, term)] += 1
                if len(examples[(group, term)]) < EXAMPLES:
                    examples[(group, term)].append(normalize(fact.text or "").display)  # masked again: never raw PII
        return counts, examples

    now_counts, examples = counted(current)
    before, _ = counted(previous)
    rows = []
    for (group, term), count in now_counts.most_common():
        earlier = before.get((group, term), 0)
        trend = "new" if earlier == 0 else "up" if count > earlier else "down" if count < earlier else "flat"
        label = TERMS[term][0]
        rows.append(
            TermCount(group=group, term=term, label_en=label, count=count, previous=earlier, trend=trend, examples=examples[(group, term)])  # type: ignore[arg-type]
        )
    uncovered = [f.text or "" for f in current if complaint(f) and not terms_of(f.text or "")]
    return VoiceOfCustomer(
        window_from=start,
        window_to=end,
        by=by,
        complaints=sum(complaint(f) for f in current),
        terms=rows,
        emerging=emerging(uncovered) if uncovered else [],
    )


def as_csv(report: VoiceOfCustomer) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([report.by, "term", "term_en", "count", "previous", "trend", "examples"])
    for row in report.terms:
        writer.writerow([row.group, row.term, row.label_en, row.count, row.previous, row.trend, " | ".join(row.examples)])
    return buffer.getvalue()
