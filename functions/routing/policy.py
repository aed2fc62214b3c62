"""Three-dimensional routing: intent x customer value x emotion. Pure domain logic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from livedesk.knowledge.kinds import Kind, PromiseType
from livedesk.models import EmotionAssessment, EmotionCategory, Polarity, RoutingDecision, Severity
from livedesk.understanding.classifier import OUT_OF_SCOPE, Prediction
from livedesk.understanding.emotion import ANGRY_INTENSITY
from livedesk.understanding.pipeline import Understanding
from livedesk.understanding.triage import asks_for_information
from livedesk.value import ValueAssessment, ValueTier
from routing.selfservice import CHANGE_REQUEST, SUPPLY_INTENTS

MIN_CONFIDENCE = 0.5  # below it the bot never answers, even above the out-of-scope threshold

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
            "shipping_policy",
            "payment",
            "membership",
            "authenticity",
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
    "invoice": ("after_sale", Severity.P4),
}
# After-sale matters whose *questions* knowledge can answer ("how long does a refund take?", "can I
# get an invoice?"); their requests ("I want a refund", "invoice order X to this company") and
# unhappy messages still go to a person.
SELF_SERVICE_INTENTS = frozenset({"refund", "return_exchange", "change_address", "cancel_order", "invoice"})
# About the customer's own order: knowledge cannot answer them; self-service looks the order up
# (routing/selfservice.py), and whatever it cannot settle goes to a person.
PERSONAL_INTENTS = frozenset({"order_status", "logistics_tracking"})
# Bot answers that are about one customer's own orders: never broadcast to a live cluster.
PERSONAL_SOURCES = ("supply:order", "supply:shipment", "clarify")
# Queues whose questions many live viewers share; the others are personal and never grouped.
SHARED_QUEUES = frozenset({"bot", "pre_sale", "technical", "general"})
# What a streamer's promise answers: prices, coupons, gifts and draws, shipping dates, and which kinds
# of promise answer each question. A promise about the sofa's price is no answer to whether the sofa
# is in stock or how to assemble it.
PROMISE_TYPES: dict[str, list[PromiseType]] = {
    "price_promotion": ["price", "coupon"],
    "coupon_flash_sale": ["coupon", "price"],
    "lottery": ["gift"],
    "shipping_policy": ["shipping_date"],
    "streamer_promise": ["price", "coupon", "gift", "shipping_date"],
}
PROMISE_INTENTS = frozenset(PROMISE_TYPES)
# A possible safety incident is never left to another queue because another reading is likelier:
# "the fryer smoked and tripped our power, I'll report you" is a complaint and a safety matter.
SAFETY_PROBABILITY = 0.2
# Asking for a missing item or gift to be sent (补发, "send the missing one"): after-sale arranges it.
RESEND_REQUEST = re.compile(
    r"补发|补寄|(帮|给)我补|补(一|1)?(个|条|瓶|件|份|套)给?我?|重新(发|寄)|"
    r"\b(resend|re-send|send (me )?(the )?missing|send (it|them) again)\b"
)
# Asking for a person in clearly negative words ("escalate this, I'm done being patient", "到底有没有人管")
# is an escalation; "I want to talk to a real person" is not.
FED_UP_SCORE = -0.5
# Requests only a person can carry out, whatever the question around them: (what is asked, queue).
ACTION_REQUESTS = ((CHANGE_REQUEST, "logistics", "a change to the order or its delivery"), (RESEND_REQUEST, "after_sale", "a re-send"))
SEVERITY_PRIORITY = {Severity.P1: 1, Severity.P2: 2, Severity.P3: 3, Severity.P4: 4}
# Intents routing handles alike: "when will my order ship?" is as much order status as parcel
# tracking, and either way the order is looked up. Their probabilities add up to the confidence.
ALIKE = (
    frozenset({"order_status", "logistics_tracking"}),
    # Pre-sale questions: whichever of them it is, knowledge search answers it or the pre-sale queue does.
    frozenset(
        {
            "product_parameters",
            "size_advice",
            "price_promotion",
            "coupon_flash_sale",
            "streamer_promise",
            "lottery",
            "shipping_policy",
            "payment",
            "membership",
            "authenticity",
            "live_link",
        }
    ),
)


def confidence(intent: Prediction) -> float:
    """How sure the model is of what to do: the top intent's probability, with its alike intents'."""
    for group in ALIKE:
        if intent.label in group:
            return sum(p for label, p in intent.ranked if label in group)
    return intent.confidence


@dataclass(frozen=True)
class BotAnswer:
    text: str
    source: str  # the knowledge document id, "courtesy", or a supply lookup (supply:order, supply:stock…)


def may_self_serve(understood: Understanding) -> bool:
    """Whether the bot may look this up in the supply chain for the customer: a confident order,
    parcel or stock question."""
    intent = understood.intent
    return intent.label in SUPPLY_INTENTS and confidence(intent) >= MIN_CONFIDENCE


# A product that has stopped working (an error code, "won't heat", "升级失败 重试好几次了") needs a
# technician, not the manual: a how-to question is answered, a malfunction goes to the technical queue.
MALFUNCTION = re.compile(
    r"不转|不动了|不工作|不加热|不出风|没反应|坏了|失败|报错|故障|错误码|\be\d{1,2}\b|显示e\d"
    r"|\berror\b|not working|doesn'?t work|won'?t (turn|start|boil|heat|move|charge|connect|pair)"
    r"|stopped working|broken|keeps? (beeping|blinking)|nothing happens|does nothing|doesn'?t do anything|unresponsive"
)


def malfunction(understood: Understanding) -> bool:
    return understood.intent.label == "installation_usage" and bool(MALFUNCTION.search(understood.normalized.text))


def may_answer(understood: Understanding, min_confidence: float = MIN_CONFIDENCE) -> bool:
    """Whether the bot may answer this message from knowledge: a confident intent that is not about
    the customer's own order, and either not a matter for a person or a calm after-sale question."""
    return confidence(understood.intent) >= min_confidence and is_for_knowledge(understood)


def is_for_knowledge(understood: Understanding) -> bool:
    """A question of a kind knowledge answers, however sure the intent model is of which: when knowledge
    has no answer to it, that is a gap for the knowledge editors."""
    intent = understood.intent
    if intent.label == OUT_OF_SCOPE or intent.label in PERSONAL_INTENTS or malfunction(understood):
        return False
    if intent.label in HUMAN_INTENTS:
        return (
            intent.label in SELF_SERVICE_INTENTS
            and asks_for_information(understood.normalized)
            and understood.emotion.polarity is not Polarity.NEGATIVE
        )
    return True


def promise_types(understood: Understanding) -> list[PromiseType] | None:
    """The kinds of streamer promise this message asks about, if it is a promise question."""
    return PROMISE_TYPES.get(understood.intent.label)


def answer_kinds(understood: Understanding) -> list[Kind]:
    """The kinds of knowledge that may answer this message; the others are still shown to an agent."""
    if understood.intent.label in PROMISE_INTENTS:
        return list(Kind)
    return [kind for kind in Kind if kind is not Kind.LIVE_SESSION]


def unhappy(emotion: EmotionAssessment) -> bool:
    """Angry, disappointed or strongly anxious. Mild anxiety is how anyone asks where their parcel is:
    the answer serves them; the unhappy ones get a person, with the lookup attached."""
    return emotion.polarity is Polarity.NEGATIVE and (
        emotion.category in (EmotionCategory.ANGER, EmotionCategory.DISAPPOINTMENT) or emotion.intensity >= ANGRY_INTENSITY
    )


NEUTRAL = EmotionAssessment(polarity=Polarity.NEUTRAL, score=0.0, category=EmotionCategory.NEUTRAL, intensity=0.0, threat=False)


def noise(value: ValueAssessment, classifier_version: str) -> RoutingDecision:
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
        classifier_version=classifier_version,
    )


def clusterable(decision: RoutingDecision) -> bool:
    """Questions many viewers share; personal matters (threats, safety, orders) are never grouped."""
    personal = decision.intent in PERSONAL_INTENTS or (decision.answer_source or "").startswith(PERSONAL_SOURCES)
    return decision.queue in SHARED_QUEUES and not decision.emotion.threat and decision.intent != "ask_human" and not personal


def decide(
    understood: Understanding,
    value: ValueAssessment,
    answer: BotAnswer | None,
    classifier_version: str,
    handoff: str | None = None,
    min_confidence: float = MIN_CONFIDENCE,
) -> RoutingDecision:
    """Combine intent, customer value and emotion into a destination, a priority and the reasons.
    ``answer`` is a confident knowledge, courtesy or self-service answer to the message: only then
    may the bot reply. ``handoff``: why a supply-chain look-up could not settle it."""
    intent, emotion = understood.intent, understood.emotion
    reasons: list[str] = [
        f"intent {intent.label} ({intent.confidence:.2f})",
        f"emotion {emotion.polarity.value} {emotion.score:+.2f}, {emotion.category.value} {emotion.intensity:.2f}",
    ]
    action = next(((target, asked) for pattern, target, asked in ACTION_REQUESTS if pattern.search(understood.normalized.text)), None)
    if intent.probability("product_safety") >= SAFETY_PROBABILITY and intent.label != "product_safety":
        queue, severity = HUMAN_INTENTS["product_safety"]
        reasons.append("possibly a safety incident: the safety queue")
    elif action is not None and intent.label not in HUMAN_INTENTS and not (answer and answer.source.startswith("supply")):
        queue, severity = action[0], Severity.P3
        reasons.append(f"asks for {action[1]}: a person arranges it")
    elif intent.label == "ask_human" and emotion.score <= FED_UP_SCORE and emotion.intensity >= ANGRY_INTENSITY:
        queue, severity = "supervisor", Severity.P2
        reasons.append("angry and asking for a person: supervisor")
    elif intent.label in HUMAN_INTENTS and answer is not None:
        queue, severity = "bot", Severity.P4
        reasons.append(f"a calm question about {intent.label} that {answer.source} answers: the bot replies")
    elif intent.label in HUMAN_INTENTS:
        queue, severity = HUMAN_INTENTS[intent.label]
        reasons.append(f"{intent.label} needs a person")
    elif intent.label == OUT_OF_SCOPE or confidence(intent) < min_confidence:
        queue, severity = "general", Severity.P4
        reasons.append("not understood with confidence: a person answers")
    elif intent.label in PERSONAL_INTENTS and answer is None:
        queue, severity = SKILL_OF_INTENT[intent.label], Severity.P4
        reasons.append(handoff or f"{intent.label} is about the customer's own order: a person looks it up")
    elif answer is None:
        queue, severity = SKILL_OF_INTENT.get(intent.label, "general"), Severity.P4
        fault = "the product has stopped working: a technician looks at it" if malfunction(understood) else None
        reasons.append(handoff or fault or "no confident knowledge answer: a person answers")
    else:
        queue, severity = "bot", Severity.P4
        reasons.append(f"confident, with an answer from {answer.source}: the bot replies")

    if emotion.threat:
        queue, severity = ("safety", Severity.P1) if severity is Severity.P1 else ("supervisor", min(severity, Severity.P2))
        reasons.append("threat of complaint: supervisor")
    elif emotion.polarity is Polarity.NEGATIVE and value.repeated_contact and queue != "safety":
        queue, severity = "supervisor", min(severity, Severity.P2)
        reasons.append("unhappy and contacting again: supervisor")
    elif queue == "bot" and answer is not None and answer.source.startswith(PERSONAL_SOURCES) and unhappy(emotion):
        queue = SKILL_OF_INTENT.get(intent.label, "general")
        reasons.append(f"{emotion.category.value} about their own order: a person follows up, with the lookup attached")
    elif emotion.polarity is Polarity.NEGATIVE and emotion.intensity >= ANGRY_INTENSITY and queue == "bot":
        queue = SKILL_OF_INTENT.get(intent.label, "general")
        reasons.append(f"{emotion.category.value} customer: a person first")

    needs_human = queue != "bot"
    priority = SEVERITY_PRIORITY[severity] + (0 if needs_human else 1)
    reasons += value.reasons
    if value.tier in (ValueTier.VIP, ValueTier.HIGH) or value.repeated_contact:
        priority = max(1, priority - 1)
    if needs_human and emotion.polarity is Polarity.NEGATIVE and emotion.intensity >= ANGRY_INTENSITY:
        priority = max(1, priority - 1)
        reasons.append("strong negative emotion: ahead in the queue")
    return RoutingDecision(
        intent=intent.label,
        intent_confidence=intent.confidence,
        emotion=emotion,
        value_lane=value.lane,
        value_tier=value.tier.value,
        queue=queue,
        priority=priority,
        needs_human=needs_human,
        severity=severity if needs_human else None,
        answer=None if needs_human or answer is None else answer.text,
        answer_source=None if needs_human or answer is None else answer.source,
        reasons=reasons,
        classifier_version=classifier_version,
    )


def needs_supervisor(decision: RoutingDecision) -> bool:
    """Threats, complaints, unhappy repeat contacts and angry customers: a supervisor sees them within seconds."""
    emotion = decision.emotion
    angry = emotion.polarity is Polarity.NEGATIVE and emotion.intensity >= ANGRY_INTENSITY
    return decision.needs_human and (decision.queue == "supervisor" or emotion.threat or angry)
