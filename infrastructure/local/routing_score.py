"""How routing did against labelled expectations: shared by `bench/routing_accuracy.py` and `make demo`.

An outcome is right when it reached the expected destination and, for a bot reply, came from one of
the sources that answer it right. A bot reply from any other source, or to a message a person
should have had, is a wrong answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    expected: str  # bot, a skill queue, supervisor, safety or dropped
    sources: tuple[str, ...]  # for an expected bot reply: the sources that answer it right
    routine: bool  # product parameters, promotions, shipping times, stock, logistics
    got: str
    source: str | None  # where the bot's answer came from

    @property
    def right(self) -> bool:
        return self.expected == self.got and (self.got != "bot" or self.source in self.sources)

    @property
    def wrong_answer(self) -> bool:
        return self.got == "bot" and not self.right


@dataclass(frozen=True)
class RoutingScore:
    messages: int
    destination_accuracy: float  # reached the expected destination (a bot reply counts whatever its source)
    accuracy: float  # right destination and, for bot replies, a right source
    bot_replies: int
    wrong_answers: int
    routine: int
    routine_settled: int  # routine questions the bot answered right

    @property
    def wrong_answer_rate(self) -> float:
        return self.wrong_answers / max(1, self.bot_replies)

    @property
    def routine_containment(self) -> float:
        return self.routine_settled / max(1, self.routine)

    def summary(self) -> str:
        return (
            f"{self.messages} messages: destination accuracy {self.destination_accuracy:.3f} (goal ≥ 0.95), "
            f"right with the right source {self.accuracy:.3f}; bot replies {self.bot_replies}, wrong {self.wrong_answers} = "
            f"{self.wrong_answer_rate:.1%} (goal ≤ 2%); routine questions answered right by the bot "
            f"{self.routine_settled} of {self.routine} = {self.routine_containment:.1%} (goal ≥ 60%)"
        )


def score(outcomes: Sequence[Outcome]) -> RoutingScore:
    total = max(1, len(outcomes))
    routine = [o for o in outcomes if o.routine]
    return RoutingScore(
        messages=len(outcomes),
        destination_accuracy=sum(o.expected == o.got for o in outcomes) / total,
        accuracy=sum(o.right for o in outcomes) / total,
        bot_replies=sum(o.got == "bot" for o in outcomes),
        wrong_answers=sum(o.wrong_answer for o in outcomes),
        routine=len(routine),
        routine_settled=sum(o.right and o.got == "bot" for o in routine),
    )
