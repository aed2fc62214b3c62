"""The routing score the routing benchmark and `make demo` print."""

from infrastructure.local.routing_score import Outcome, score


def test_a_bot_reply_is_right_only_from_an_acceptable_source_and_counts_as_wrong_otherwise() -> None:
    outcomes = [
        Outcome("bot", ("faq-1",), True, "bot", "faq-1"),  # right
        Outcome("bot", ("faq-1",), True, "bot", "faq-9"),  # right place, wrong answer
        Outcome("pre_sale", (), True, "bot", "live-1"),  # a person should have had it
        Outcome("bot", ("faq-2",), True, "general", None),  # not contained
        Outcome("safety", (), False, "safety", None),
    ]
    result = score(outcomes)
    assert (result.messages, result.bot_replies, result.wrong_answers) == (5, 3, 2)
    assert result.destination_accuracy == 3 / 5 and result.accuracy == 2 / 5
    assert (result.routine, result.routine_settled) == (4, 1) and result.routine_containment == 0.25
    assert "wrong 2 = 66.7%" in result.summary()


def test_no_outcomes_score_zero_without_dividing_by_zero() -> None:
    result = score([])
    assert (result.wrong_answer_rate, result.routine_containment, result.accuracy) == (0.0, 0.0, 0.0)
