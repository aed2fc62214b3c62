"""Three-dimensional routing: intent x customer value x emotion. Pure domain logic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from livedesk.emotion import assess_emotion
from livedesk.intents import CLASSIFIER_VERSION, OUT_OF_SCOPE, classify
from livedesk.models import EmotionAssessment, EmotionCategory, Polarity, RoutingDecision, Severity, ValueLane
from livedesk.understanding.normalize import NormalizedText, normalize
from livedesk.value import ValueAssessment, ValueTier

MIN_CONFIDENCE = 0.5
ANGRY_INTENSITY = 0.6

# The human skill queue for each intent, used whenever a person takes the message.
SKILL_OF_INTENT: dict[str, str] = {
    **dict.fromkeys(
        (
            "product_parameters",
            "size_advice",
            "stock_availability",
            "price_promotion",
            "coupon_flash_sale",
            "streamer_promise",
            "live_link",
            "lottery",
        ),
        "pre_sale",
    ),
    **dict.fromkeys(("order_status", "logistics_tracking", "change_address", "cancel_order"), "logistics"),
    **dict.fromkeys(("return_exchange", "refund", "damaged_in_transit", "invoice"), "after_sale"),
    "installation_usage": "technical",
    "quality_complaint": "supply_chain",
}
# Intents a person always handles: (queue, severity). Others go to the bot when understood with confidence.
HUMAN_INTENTS: dict[str, tuple[str, Severity]] = {
    "product_safety": ("safety", Severity.P1),
    "complaint": ("supervisor", Severity.P2),
    "quality_complaint": ("supply_chain", Severity.P2),
    "damaged_in_transit": ("after_sale", Severity.P3),
    "refund": ("after_sale", Severity.P3),
    "return_exchange": ("after_sale", Severity.P3),
    "change_address": ("logistics", Severity.P3),
    "cancel_order": ("logistics", Severity.P3),
    "ask_human": ("general", Severity.P4),
}
# Queues whose questions many live viewers share; the others are personal and never grouped.
SHARED_QUEUES = frozenset({"bot", "pre_sale", "technical", "general"})
SEVERITY_PRIORITY = {Severity.P1: 1, Severity.P2: 2, Severity.P3: 3, Severity.P4: 4}


@dataclass(frozen=True)
class SlaPolicy:
    """First response by value lane, resolution by severity."""

    first_response: dict[ValueLane, timedelta]
    resolution: dict[Severity, timedelta]

    def due(self, created_at: datetime, lane: ValueLane, severity: Severity) -> tuple[datetime, datetime]:
        first = self.first_response[lane]
        if severity is Severity.P1:
            first = min(first, timedelta(hours=1))
        return created_at + first, created_at + self.resolution[severity]


DEFAULT_SLA = SlaPolicy(
    first_response={ValueLane.VIP: timedelta(seconds=60), ValueLane.NORMAL: timedelta(seconds=180)},
    resolution={
        Severity.P1: timedelta(hours=4),
        Severity.P2: timedelta(hours=24),
        Severity.P3: timedelta(hours=48),
        Severity.P4: timedelta(hours=72),
    },
)


NEUTRAL = EmotionAssessment(polarity=Polarity.NEUTRAL, score=0.0, category=EmotionCategory.NEUTRAL, intensity=0.0, threat=False)


def noise(value: ValueAssessment) -> RoutingDecision:
    """A live comment with nothing to answer (666, emoji, check-ins): dropped, never ticketed."""
    return RoutingDecision(
        intent="noise",
        intent_confidence=1.0,
        emotion=NEUTRAL,
        value_lane=value.lane,
        value_tier=value.tier.value,
        queue="dropped",
        priority=5,
        needs_human=False,
        reasons=["live-comment noise: dropped"],
        classifier_version=CLASSIFIER_VERSION,
    )


def clusterable(decision: RoutingDecision) -> bool:
    """Questions many viewers share; personal matters (threats, safety, orders) are never grouped."""
    return decision.queue in SHARED_QUEUES and not decision.emotion.threat and decision.intent != "ask_human"


def decide(text: str | NormalizedText, value: ValueAssessment) -> RoutingDecision:
    """Decide from the message; pass it normalised when the caller already has it."""
    normalized = text if isinstance(text, NormalizedText) else normalize(text)
    prediction = classify(normalized.original)
    emotion = assess_emotion(normalized)
    lane = value.lane
    reasons: list[str] = [f"intent {prediction.intent} ({prediction.confidence:.2f})"]

    if prediction.intent in HUMAN_INTENTS:
        queue, severity = HUMAN_INTENTS[prediction.intent]
        reasons.append(f"{prediction.intent} needs a person")
    elif prediction.intent == OUT_OF_SCOPE or prediction.confidence < MIN_CONFIDENCE:
        queue, severity = "general", Severity.P4
        reasons.append("not understood with confidence: a person answers")
    else:
        queue, severity = "bot", Severity.P4

    if emotion.threat:
        queue, severity = ("safety", Severity.P1) if severity is Severity.P1 else ("supervisor", min(severity, Severity.P2))
        reasons.append("threat of complaint: supervisor")
    elif emotion.polarity is Polarity.NEGATIVE and value.repeated_contact and queue != "safety":
        queue, severity = "supervisor", min(severity, Severity.P2)
        reasons.append("unhappy and contacting again: supervisor")
    elif emotion.polarity is Polarity.NEGATIVE and emotion.intensity >= ANGRY_INTENSITY and queue == "bot":
        queue = SKILL_OF_INTENT.get(prediction.intent, "general")
        reasons.append(f"{emotion.category.value} customer: a person first")

    needs_human = queue != "bot"
    priority = SEVERITY_PRIORITY[severity] + (0 if needs_human else 1)
    reasons += value.reasons
    if value.tier in (ValueTier.VIP, ValueTier.HIGH) or value.repeated_contact:
        priority = max(1, priority - 1)
    return RoutingDecision(
        intent=prediction.intent,
        intent_confidence=prediction.confidence,
        emotion=emotion,
        value_lane=lane,
        value_tier=value.tier.value,
        queue=queue,
        priority=priority,
        needs_human=needs_human,
        severity=severity if needs_human else None,
        reasons=reasons,
        classifier_version=CLASSIFIER_VERSION,
    )
