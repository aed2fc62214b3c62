"""Knowledge search: filters from the request, the answer rule, promise lookup and gap recording."""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest

from livedesk.knowledge.contract import (
    ANSWER_MARGIN,
    ANSWER_SIMILARITY,
    PRODUCT_PROMISE_SIMILARITY,
    PROMISE_SIMILARITY,
    SEMANTIC_SIMILARITY,
    SearchFilters,
    SearchRequest,
)
from livedesk.knowledge.documents import Passage
from livedesk.knowledge.hybrid import Filters, Hit
from livedesk.knowledge.kinds import Kind
from livedesk.models import Channel
from search.service import KnowledgeSearch, answer_text

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _hit(
    doc_id: str,
    kind: Kind = Kind.FAQ,
    lexical: int | None = 1,
    dense: int | None = 1,
    similarity: float = 0.93,
    margin: float = 0.05,
    intents: dict[str, float] | None = None,
) -> Hit:
    passage = Passage(
        doc_id=doc_id,
        brand_id="b1",
        kind=kind,
        lang="zh",
        text=f"q {doc_id}",
        content=f"answer {doc_id}",
        version=1,
        source="s",
        intents=intents or {},
    )
    return Hit(passage, 0.03, lexical, dense, similarity, margin if dense == 1 else -margin)


class FakeIndex:
    embedder_name = "fake"

    def __init__(self, results: dict[frozenset[Kind] | None, list[Hit]]) -> None:
        self.results = results
        self.calls: list[Filters] = []
        self.vectors: list[Sequence[float] | None] = []

    def search(self, brand_id: str, query: str, filters: Filters, k: int, vector: Sequence[float] | None = None) -> list[Hit]:
        self.calls.append(filters)
        self.vectors.append(vector)
        return self.results.get(filters.kinds, [])[:k]


class Gaps:
    def __init__(self) -> None:
        self.recorded: list[tuple[str, str, str, str | None]] = []

    def record(self, brand_id: str, query: str, reason: str, top_doc_id: str | None, at: datetime, customer_id: str | None = None) -> None:
        self.recorded.append((brand_id, query, reason, top_doc_id))


def _search(index: FakeIndex, gaps: Gaps, request: SearchRequest) -> object:
    return KnowledgeSearch(lambda: index, gaps, lambda: NOW).search("b1", request)


def test_a_confident_match_is_answered_and_not_a_gap() -> None:
    index, gaps = FakeIndex({None: [_hit("faq-1"), _hit("faq-2", lexical=2, dense=2)]}), Gaps()
    result = _search(index, gaps, SearchRequest(query="几天发货"))
    assert (result.answer, result.answer_doc_id, result.reason) == ("answer faq-1", "faq-1", "confident match")  # type: ignore[attr-defined]
    assert gaps.recorded == [] and index.calls[0].on == date(2026, 11, 22)


TEXTURE_FAQ = {"product_parameters": 0.8, "installation_usage": 0.1}


@pytest.mark.parametrize(
    ("reading", "answered"),
    [
        ({"stock_availability": 0.9, "product_parameters": 0.04}, False),  # "is it in stock?" is not a texture question
        ({"product_parameters": 0.5, "size_advice": 0.3}, True),
        ({"installation_usage": 0.6, "stock_availability": 0.3}, True),  # overlap 0.06: a neighbouring kind still counts
        (None, True),  # a caller without an intent model gets the answer as before
    ],
)
def test_an_faq_answers_only_questions_that_read_like_its_own(reading: dict[str, float] | None, answered: bool) -> None:
    gaps = Gaps()
    result = _search(FakeIndex({None: [_hit("faq-texture", intents=TEXTURE_FAQ)]}), gaps, SearchRequest(query="有货吗", intents=reading))
    assert (result.answer_doc_id == "faq-texture") is answered  # type: ignore[attr-defined]
    if not answered:
        assert result.reason.startswith("off topic: the closest FAQ answers product_parameters questions, this reads as stock_availability")  # type: ignore[attr-defined]
        assert gaps.recorded[0][2] == result.reason  # type: ignore[attr-defined]


def test_a_passage_without_a_profile_answers_whatever_the_reading() -> None:
    result = _search(FakeIndex({None: [_hit("faq-1")]}), Gaps(), SearchRequest(query="有货吗", intents={"stock_availability": 1.0}))
    assert result.answer_doc_id == "faq-1"  # type: ignore[attr-defined]


def test_the_reading_is_bounded_like_any_request_field() -> None:
    with pytest.raises(ValueError, match="less than or equal to 1"):
        SearchRequest(query="q", intents={"refund": 1.5})
    with pytest.raises(ValueError, match="at most 5"):
        SearchRequest(query="q", intents={f"intent{n}": 0.1 for n in range(6)})


def test_a_paraphrase_semantic_search_is_sure_of_is_answered_even_below_a_keyword_match() -> None:
    """ "价保是多少天" means the price-protection FAQ although BM25 prefers a passage sharing "多少天"."""
    keyword = _hit("faq-keyword", lexical=1, dense=4, similarity=0.89)
    meant = _hit("faq-meant", lexical=None, dense=1, similarity=SEMANTIC_SIMILARITY, margin=ANSWER_MARGIN)
    result = _search(FakeIndex({None: [keyword, meant]}), Gaps(), SearchRequest(query="价保是多少天"))
    assert (result.answer_doc_id, result.reason) == ("faq-meant", "confident semantic match")  # type: ignore[attr-defined]


def test_a_question_two_documents_answer_almost_equally_well_is_left_to_a_person() -> None:
    """Close to one FAQ but nearly as close to another: ambiguous, so no answer, whatever the cosine."""
    first = _hit("faq-first", lexical=2, dense=1, similarity=0.97, margin=ANSWER_MARGIN - 0.005)
    second = _hit("faq-second", lexical=1, dense=2, similarity=0.96)
    result = _search(FakeIndex({None: [second, first]}), Gaps(), SearchRequest(query="这个能退吗"))
    assert result.answer is None and result.reason.startswith("ambiguous")  # type: ignore[attr-defined]


def test_the_answer_is_among_the_hits_shown_even_when_fusion_ranks_it_lower() -> None:
    shown_first = [_hit(f"faq-{n}", lexical=n, dense=n + 1, similarity=0.8) for n in (1, 2, 3)]
    meant = _hit("faq-meant", lexical=None, dense=1, similarity=0.95)
    result = _search(FakeIndex({None: [*shown_first, meant]}), Gaps(), SearchRequest(query="价保是多少天", k=3))
    assert result.answer_doc_id == "faq-meant"  # type: ignore[attr-defined]
    assert [hit.doc_id for hit in result.hits] == ["faq-meant", "faq-1", "faq-2"]  # type: ignore[attr-defined]


def test_a_semantic_match_of_a_kind_that_does_not_answer_leaves_the_question_to_a_person() -> None:
    promise = _hit("live-1", Kind.LIVE_SESSION, lexical=2, dense=1, similarity=0.97)
    request = SearchRequest(query="几号发完", answer_kinds=[Kind.FAQ])
    result = _search(FakeIndex({None: [_hit("faq-1", dense=2, similarity=0.9), promise]}), Gaps(), request)
    assert result.answer is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("top", "reason"),
    [
        (_hit("faq-1", similarity=ANSWER_SIMILARITY - 0.01), "low confidence: similarity"),
        (_hit("faq-1", lexical=3, similarity=SEMANTIC_SIMILARITY - 0.01), "low confidence: similarity"),
        (_hit("faq-1", lexical=None, similarity=SEMANTIC_SIMILARITY - 0.01), "low confidence: similarity"),
        (_hit("faq-1", lexical=2, similarity=0.99, margin=ANSWER_MARGIN - 0.001), "ambiguous: another document is almost as close"),
    ],
)
def test_an_unsure_match_shows_hits_without_an_answer_and_is_recorded(top: Hit, reason: str) -> None:
    gaps = Gaps()
    result = _search(FakeIndex({None: [top]}), gaps, SearchRequest(query="发货"))
    assert result.answer is None and result.hits and result.reason.startswith(reason)  # type: ignore[attr-defined]
    assert gaps.recorded == [("b1", "发货", result.reason, "faq-1")]  # type: ignore[attr-defined]


def test_no_hit_is_a_gap_too_and_numbers_are_masked_before_it_is_recorded() -> None:
    gaps = Gaps()
    result = _search(FakeIndex({}), gaps, SearchRequest(query="我的手机13812345678收不到验证码"))
    assert (result.hits, result.answer, result.reason) == ([], None, "no knowledge matches")  # type: ignore[attr-defined]
    assert gaps.recorded == [("b1", "我的手机138****5678收不到验证码", "no knowledge matches", None)]


def test_request_filters_reach_the_index_and_a_live_sessions_promises_come_first() -> None:
    promise = _hit("live-1", Kind.LIVE_SESSION, lexical=1, dense=2, similarity=0.9)
    index = FakeIndex({frozenset({Kind.FAQ}): [_hit("faq-1")], frozenset({Kind.LIVE_SESSION}): [promise]})
    filters = SearchFilters(kinds=[Kind.FAQ], sku="LB-SERUM-30", lang="zh", live_session_id="live-2026-11-21-lb", on=date(2026, 1, 1))
    result = _search(index, Gaps(), SearchRequest(query="主播说买二送一", filters=filters))
    asked, promises = index.calls
    assert (asked.kinds, asked.sku, asked.lang, asked.session_id, asked.on) == (
        frozenset({Kind.FAQ}),
        "LB-SERUM-30",
        "zh",
        "live-2026-11-21-lb",
        date(2026, 1, 1),
    )
    assert promises.kinds == frozenset({Kind.LIVE_SESSION}) and promises.session_id == "live-2026-11-21-lb"
    assert [h.doc_id for h in result.hits] == ["live-1", "faq-1"]  # type: ignore[attr-defined]


def test_a_caller_that_only_wants_suggestions_records_no_gap() -> None:
    gaps = Gaps()
    result = KnowledgeSearch(lambda: FakeIndex({}), gaps, lambda: NOW).search("b1", SearchRequest(query="我要退款"), record_gap=False)
    assert result.answer is None and gaps.recorded == []


def test_the_channel_reaches_the_index() -> None:
    index = FakeIndex({None: [_hit("faq-1")]})
    _search(index, Gaps(), SearchRequest(query="几号链接", filters=SearchFilters(channel=Channel.LIVE_COMMENT)))
    assert index.calls[0].channel == "live_comment"


def test_a_promise_is_answered_with_when_the_host_made_it() -> None:
    at = datetime.fromisoformat("2026-11-21T19:45:00+08:00")
    promise = Passage(
        doc_id="live-1", brand_id="b1", kind=Kind.LIVE_SESSION, lang="zh", text="t", content="买二送一", version=1, source="s", at=at
    )
    assert answer_text(promise) == "主播在 11月21日 19:45 说过：「买二送一」"
    assert answer_text(promise.model_copy(update={"lang": "en", "content": "buy two get one"})) == (
        "At 19:45 on Nov 21 the host said: “buy two get one”"
    )


def test_only_the_kinds_asked_for_may_answer_and_then_promises_do_not_jump_the_queue() -> None:
    """A promise about the sofa's price is no answer to whether it is in stock: the caller says which
    kinds may answer; a better-ranked passage of another kind is shown but answers nothing."""
    promise = _hit("live-1", Kind.LIVE_SESSION)
    index = FakeIndex(
        {None: [_hit("live-1", Kind.LIVE_SESSION), _hit("faq-1", lexical=2, dense=2)], frozenset({Kind.LIVE_SESSION}): [promise]}
    )
    not_promises = [kind for kind in Kind if kind is not Kind.LIVE_SESSION]
    request = SearchRequest(query="沙发有现货吗", filters=SearchFilters(live_session_id="live-2026-11-19-oh"), answer_kinds=not_promises)
    gaps = Gaps()
    result = _search(index, gaps, request)
    assert len(index.calls) == 1 and [h.doc_id for h in result.hits] == ["live-1", "faq-1"]  # type: ignore[attr-defined]
    assert result.answer is None and "does not answer this kind of question" in result.reason  # type: ignore[attr-defined]
    assert gaps.recorded[0][3] == "live-1"
    anything = _search(index, Gaps(), request.model_copy(update={"answer_kinds": None}))
    assert anything.answer_doc_id == "live-1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("similarity", "answered"), [(PROMISE_SIMILARITY - 0.01, False), (PROMISE_SIMILARITY, True)])
def test_a_sessions_promise_answers_only_when_it_is_close(similarity: float, answered: bool) -> None:
    """A session is one document, so BM25 and the vectors always agree on its promise: closeness decides."""
    promise = _hit("live-1", Kind.LIVE_SESSION, lexical=1, dense=1, similarity=similarity, margin=0.0)
    index = FakeIndex({None: [_hit("faq-1", lexical=2, dense=2, similarity=0.8)], frozenset({Kind.LIVE_SESSION}): [promise]})
    result = _search(index, Gaps(), SearchRequest(query="精华今晚多少钱", filters=SearchFilters(live_session_id="live-2026-11-21-lb")))
    assert (result.answer_doc_id == "live-1") is answered  # type: ignore[attr-defined]


def _promise(doc_id: str, similarity: float, sku: str | None) -> Hit:
    passage = Passage(
        doc_id=doc_id, brand_id="b1", kind=Kind.LIVE_SESSION, lang="zh", text="p", content=f"promise {sku}", version=1, source="s", sku=sku
    )
    return Hit(passage, 0.03, 1, 1, similarity, 1.0)


class PromiseIndex(FakeIndex):
    """Answers a search for one product's promises apart from the session's other promises."""

    def __init__(self, about_product: list[Hit]) -> None:
        super().__init__(
            {None: [_hit("faq-1", lexical=2, dense=2, similarity=0.8)], frozenset({Kind.LIVE_SESSION}): [_promise("live-1", 0.85, None)]}
        )
        self.about_product = about_product

    def search(self, brand_id: str, query: str, filters: Filters, k: int, vector: Sequence[float] | None = None) -> list[Hit]:
        if filters.sku_only:
            self.calls.append(filters)
            return self.about_product[:k]
        return super().search(brand_id, query, filters, k, vector)


ON_THE_SERUM = SearchFilters(live_session_id="live-2026-11-21-lb", sku="LB-SERUM-30")


@pytest.mark.parametrize(("similarity", "answered"), [(PRODUCT_PROMISE_SIMILARITY, True), (PRODUCT_PROMISE_SIMILARITY - 0.01, False)])
def test_a_comment_on_a_product_asking_a_kind_of_promise_gets_the_sessions_promise_about_it(similarity: float, answered: bool) -> None:
    """ "how much is the serum tonight?" on the serum's card: its price promise, though English to Chinese is far."""
    index = PromiseIndex([_promise("live-1", similarity, "LB-SERUM-30")])
    request = SearchRequest(query="how much is the serum tonight?", filters=ON_THE_SERUM, promise_types=["price", "coupon"])
    result = _search(index, Gaps(), request)
    about = index.calls[-1]
    assert (about.sku, about.sku_only, about.promise_types, about.session_id) == (
        "LB-SERUM-30",
        True,
        frozenset({"price", "coupon"}),
        "live-2026-11-21-lb",
    )
    assert (result.answer == "promise LB-SERUM-30") is answered  # type: ignore[attr-defined]
    assert [hit.doc_id for hit in result.hits].count("live-1") == 1  # type: ignore[attr-defined]


def test_without_a_product_or_a_kind_of_promise_no_product_promise_is_looked_for() -> None:
    for request in (
        SearchRequest(query="今晚多少钱", filters=ON_THE_SERUM),
        SearchRequest(query="今晚多少钱", filters=SearchFilters(live_session_id="live-2026-11-21-lb"), promise_types=["price"]),
    ):
        index = PromiseIndex([_promise("live-1", 0.95, "LB-SERUM-30")])
        _search(index, Gaps(), request)
        assert not any(call.sku_only for call in index.calls)
