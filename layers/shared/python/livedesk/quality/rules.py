"""The quality-inspection rule file: what a brand's QA team checks every closed conversation for.

The packaged ``rules.json`` applies to every brand; a brand's admin replaces it for their brand with
``PUT /v1/quality/rules`` (stored in S3 and read again within a minute, no deploy). Every pattern is
a regular expression matched case-insensitively; the file is validated, patterns compiled, before
it is stored, so a broken file is refused with 400 instead of breaking inspection.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from livedesk.modelbase import Model

PACKAGED = Path(__file__).with_name("rules.json")
Author = Literal["agent", "bot"]
BOTH: tuple[Author, ...] = ("agent", "bot")


class FindingSeverity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"not a valid pattern {pattern!r}: {error}") from None


class _Rule(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,40}$")
    severity: FindingSeverity
    enabled: bool = True


class WordingTerm(Model):
    """One wording to flag; ``unless`` (matched on the same sentence) marks the harmless uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str
    unless: str | None = None
    suggestion: str

    @field_validator("pattern", "unless")
    @classmethod
    def _valid(cls, value: str | None) -> str | None:
        if value is not None:
            _compiled(value)
        return value

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)

    @cached_property
    def harmless(self) -> re.Pattern[str] | None:
        return _compiled(self.unless) if self.unless else None


class WordingRule(_Rule):
    """Forbidden or risky wording: absolute claims, promises the brand does not allow, rudeness."""

    title: str
    authors: list[Author] = Field(default_factory=lambda: list(BOTH))
    terms: list[WordingTerm] = Field(min_length=1)


class PhraseRule(_Rule):
    """A greeting in the first reply, a closing in the last: any of ``patterns`` will do."""

    patterns: list[str] = Field(min_length=1)
    suggestion: dict[str, str]

    @field_validator("patterns")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        for pattern in value:
            _compiled(pattern)
        return value

    def found_in(self, text: str) -> bool:
        return any(_compiled(pattern).search(text) for pattern in self.patterns)


class TimingRule(_Rule):
    """First response later than the ticket's SLA; or a customer left waiting ``seconds`` for a reply."""

    seconds: int | None = Field(default=None, ge=1)


class RepeatRule(_Rule):
    days: int = Field(ge=1, le=90)


class PolicyClaim(Model):
    """How a reply states a policy term: each pattern captures the number as ``n``; ``scale`` converts
    the stated unit to the term's (days stated, hours in the term: 24). For an ``upper_bound`` term
    (a refund within 48 hours) stating less is no contradiction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str
    patterns: list[str] = Field(min_length=1)
    scale: float = Field(default=1.0, gt=0)
    upper_bound: bool = False

    @field_validator("patterns")
    @classmethod
    def _captures(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if "n" not in _compiled(pattern).groupindex:
                raise ValueError(f"a claim pattern captures its number as (?P<n>…): {pattern!r}")
        return value


class PolicyRule(_Rule):
    claims: list[PolicyClaim] = Field(min_length=1)


class PromiseRule(_Rule):
    """Contradicting what the streamer promised: a denied gift or coupon, another live price, a later
    shipping time. ``price`` and ``shipping_days|hours`` patterns capture the number as ``n`` (a
    range's upper end as ``m``); ``shipping_dates`` capture ``day`` and ``month`` or ``mon`` (Nov)."""

    gift_denials: list[str]
    coupon_denials: list[str]
    price: list[str]
    shipping_days: list[str]
    shipping_hours: list[str]
    shipping_dates: list[str] = Field(default_factory=list)


class PersonalDataRule(_Rule):
    authors: list[Author] = Field(default_factory=lambda: list(BOTH))
    unless: str | None = None  # the brand's own details (a return address, a hotline)

    @field_validator("unless")
    @classmethod
    def _valid(cls, value: str | None) -> str | None:
        if value is not None:
            _compiled(value)
        return value


class Scoring(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    critical: int = Field(ge=0, le=100)
    major: int = Field(ge=0, le=100)
    minor: int = Field(ge=0, le=100)

    def penalty(self, severity: FindingSeverity) -> int:
        return int(getattr(self, severity.value))


class RuleSet(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=64)
    wording: list[WordingRule]
    greeting: PhraseRule
    closing: PhraseRule
    first_response: TimingRule
    reply_gap: TimingRule
    repeat_contact: RepeatRule
    policy: PolicyRule
    promise: PromiseRule
    personal_data: PersonalDataRule
    scoring: Scoring

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        ids = [rule.id for rule in self.rules()]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique")
        if self.reply_gap.seconds is None:
            raise ValueError("reply_gap needs seconds")
        return self

    def rules(self) -> list[_Rule]:
        singles: list[_Rule] = [
            self.greeting,
            self.closing,
            self.first_response,
            self.reply_gap,
            self.repeat_contact,
            self.policy,
            self.promise,
            self.personal_data,
        ]
        return [*self.wording, *singles]

    @classmethod
    def packaged(cls) -> RuleSet:
        return cls.model_validate(json.loads(PACKAGED.read_text(encoding="utf-8")))
