"""Voice of customer and knowledge gaps: terms per group with trends, examples masked, topics."""

from datetime import UTC, datetime, timedelta

from livedesk.analytics.facts import Fact
from livedesk.analytics.gaps import Unanswered, topics
from livedesk.analytics.voc import as_csv, terms_of, voice_of_customer

T0 = datetime(2026, 11, 24, tzinfo=UTC)
CATALOG = {"TL-HOODIE-01": "apparel", "LB-SERUM-30": "beauty"}


def complaint(n: int, text: str, sku: str, days: float = 0) -> Fact:
    return Fact(
        kind="message",
        fact_id=f"m{n}",
        brand_id="b",
        at=T0 + timedelta(days=days),
        message_id=f"m{n}",
        sku=sku,
        polarity="negative",
        intent="quality_complaint",
        text=text,
    )


def test_known_wordings_in_chinese_and_english_map_to_one_term() -> None:
    assert terms_of("衣服和图片颜色不一样，色差太大") == {"色差"}
    assert terms_of("The colour is off and it runs small") == {"色差", "尺寸不符"}
    assert terms_of("箱子破了，瓶子壓壞了") == {"物流破损"}, "traditional folds to simplified first"


def test_terms_are_counted_per_group_with_their_trend_and_masked_examples() -> None:
    now = [
        complaint(1, "色差好大，联系13812345678", "TL-HOODIE-01"),
        complaint(2, "颜色不对，和图片不一样", "TL-HOODIE-01"),
        complaint(3, "Wrong size, too small", "TL-HOODIE-01"),
        complaint(4, "瓶子漏液了", "LB-SERUM-30"),
    ]
    before = [
        complaint(5, "有色差", "TL-HOODIE-01", days=-8),
        complaint(6, "偏小", "TL-HOODIE-01", days=-8),
        complaint(7, "偏小", "TL-HOODIE-01", days=-8),
    ]
    report = voice_of_customer(now, before, T0, T0 + timedelta(days=7), "category", lambda sku: CATALOG.get(sku or "", "(unknown)"))
    rows = {(r.group, r.term): r for r in report.terms}
    assert (rows[("apparel", "色差")].count, rows[("apparel", "色差")].previous, rows[("apparel", "色差")].trend) == (2, 1, "up")
    assert (rows[("apparel", "尺寸不符")].count, rows[("apparel", "尺寸不符")].trend) == (1, "down")
    assert (rows[("beauty", "漏液")].trend, rows[("beauty", "漏液")].label_en) == ("new", "leaking")
    assert rows[("apparel", "色差")].examples[0] == "色差好大，联系138****5678"
    csv = as_csv(report)
    assert csv.splitlines()[0] == "category,term,term_en,count,previous,trend,examples" and "apparel,色差,colour difference,2,1,up" in csv


def test_unanswered_questions_group_into_topics() -> None:
    asked = [
        Unanswered("这个能带上飞机吗", "search", T0),
        Unanswered("能带上飞机吗 托运可以吗", "search", T0 + timedelta(hours=1)),
        Unanswered("带上飞机会不会被扣", "handoff", T0 + timedelta(hours=2)),
        Unanswered("你们招主播吗", "search", T0),
    ]
    found = topics(asked)
    assert found[0].count == 3 and found[0].sources == {"search": 2, "handoff": 1}
    assert [t.count for t in found] == [3, 1] and found[0].examples[-1] == "带上飞机会不会被扣"
