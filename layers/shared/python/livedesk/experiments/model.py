"""An experiment: a brand, a traffic split and its variants. The first variant is the control: the
configuration in force, with no overrides, so stopping an experiment returns everyone to it.
Assignment is a hash of brand, experiment and customer: a customer sees one variant throughout."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER
from livedesk.value import ValueRules

BUCKETS = 10_000


class Variant(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=IDENTIFIER, max_length=32)
    weight: int = Field(ge=1, le=99, description="Share of customers, in percent; the weights add up to 100")
    min_confidence: float | None = Field(
        default=None, ge=0.3, le=0.95, description="The bot answers only above this intent confidence (routing's default 0.5)"
    )
    answer_similarity: float | None = Field(
        default=None, ge=0.6, le=0.99, description="A knowledge answer needs this similarity (search's default 0.88)"
    )
    courtesy: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Courtesy reply wording by intent and language: {'praise': {'zh': '…', 'en': '…'}}"
    )
    answer_template: dict[str, str] = Field(
        default_factory=dict,
        description="How the bot's knowledge and self-service answers are worded, by language: '亲～{answer} 还有问题随时问我哦'",
    )
    survey: dict[str, str] = Field(default_factory=dict, description="The CSAT survey's wording by language")
    value_rules: ValueRules | None = Field(default=None, description="Customer value tiers (who counts as VIP or high value)")

    @field_validator("answer_template")
    @classmethod
    def _has_the_answer(cls, value: dict[str, str]) -> dict[str, str]:
        for lang, template in value.items():
            if template.count("{answer}") != 1 or template.replace("{answer}", "").count("{") or template.count("}") != 1:
                raise ValueError(f"the {lang} answer template has exactly one {{answer}} and no other braces")
        return value

    @property
    def overrides(self) -> bool:
        changes = (self.min_confidence, self.answer_similarity, self.value_rules)
        return any(c is not None for c in changes) or bool(self.courtesy or self.answer_template or self.survey)

    def worded(self, answer: str, lang: str) -> str:
        template = self.answer_template.get(lang)
        return template.replace("{answer}", answer) if template else answer


class ExperimentDraft(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    hypothesis: str = Field(default="", max_length=500)
    variants: list[Variant] = Field(min_length=2, max_length=4, description="The first is the control: no overrides")

    @model_validator(mode="after")
    def _split(self) -> ExperimentDraft:
        if sum(v.weight for v in self.variants) != 100:
            raise ValueError("the variants' weights add up to 100")
        if len({v.name for v in self.variants}) != len(self.variants):
            raise ValueError("variant names are unique")
        if self.variants[0].overrides:
            raise ValueError("the first variant is the control: the configuration in force, without overrides")
        return self


class Experiment(ExperimentDraft):
    experiment_id: str
    brand_id: str
    status: Literal["running", "stopped"]
    started_at: datetime
    stopped_at: datetime | None = None

    def assign(self, customer_id: str) -> Variant:
        """The customer's variant: the same for every message, spread by the weights."""
        digest = hashlib.sha256(f"{self.brand_id}\x1f{self.experiment_id}\x1f{customer_id}".encode()).digest()
        bucket = int.from_bytes(digest[:8], "big") % BUCKETS
        edge = 0
        for variant in self.variants:
            edge += variant.weight * BUCKETS // 100
            if bucket < edge:
                return variant
        return self.variants[-1]
