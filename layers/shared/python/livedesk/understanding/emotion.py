"""Emotion for Chinese and English: a trained polarity model plus a transparent cue lexicon.

The polarity model (``livedesk polarity train``) gives negative/neutral/positive with
probabilities. The lexicon names the category (anger, anxiety, disappointment, satisfaction)
and flags threats to complain or go public, which always count as negative: for escalation a
missed threat costs more than a false alarm. "!!!" and ALL CAPS raise a negative intensity.
"""

from __future__ import annotations

from livedesk.models import EmotionAssessment, EmotionCategory, Polarity
from livedesk.understanding.classifier import Prediction
from livedesk.understanding.normalize import NormalizedText, normalize

THREAT_CUES = (
    "投诉",
    "投訴",
    "12315",
    "消协",
    "消協",
    "曝光",
    "报警",
    "報警",
    "起诉",
    "起訴",
    "律师",
    "律師",
    "差评",
    "差評",
    "举报",
    "舉報",
    "complain",
    "complaint",
    "report you",
    "lawyer",
    "sue ",
    "chargeback",
    "bad review",
)

CATEGORY_CUES: dict[EmotionCategory, tuple[str, ...]] = {
    EmotionCategory.ANGER: (
        "气死",
        "垃圾",
        "骗子",
        "坑人",
        "什么破",
        "太差",
        "无语",
        "恶心",
        "滚",
        "态度差",
        "搞什么",
        "angry",
        "furious",
        "ridiculous",
        "scam",
        "terrible",
        "worst",
        "unacceptable",
        "wtf",
        "rubbish",
    ),
    EmotionCategory.ANXIETY: (
        "急",
        "快点",
        "怎么还没",
        "还没到",
        "等了",
        "马上",
        "赶紧",
        "来不及",
        "担心",
        "urgent",
        "asap",
        "still not",
        "hurry",
        "worried",
        "waiting for days",
        "where is my",
    ),
    EmotionCategory.DISAPPOINTMENT: (
        "失望",
        "后悔",
        "不值",
        "不好用",
        "质量差",
        "色差",
        "破损",
        "坏了",
        "disappointed",
        "regret",
        "broken",
        "damaged",
        "not as described",
        "poor quality",
    ),
    EmotionCategory.SATISFACTION: (
        "谢谢",
        "好评",
        "喜欢",
        "满意",
        "不错",
        "太棒",
        "好用",
        "爱了",
        "thanks",
        "thank you",
        "love it",
        "great",
        "awesome",
        "perfect",
        "happy with",
    ),
}

NEGATIVE_BY_URGENCY = (EmotionCategory.ANGER, EmotionCategory.ANXIETY, EmotionCategory.DISAPPOINTMENT)
NEGATIVE = frozenset(NEGATIVE_BY_URGENCY)


def _matches(text: str, cues: tuple[str, ...]) -> list[str]:
    return [cue for cue in cues if cue in text]


def assess_emotion(text: str | NormalizedText, polarity: Prediction | None = None) -> EmotionAssessment:
    """Cues are matched on the normalised text (simplified, half-width, lower-case). Without a
    polarity prediction the lexicon alone decides (the fallback the tests of the cues use)."""
    normalized = text if isinstance(text, NormalizedText) else normalize(text)
    lowered = normalized.text
    threats = _matches(lowered, THREAT_CUES)
    hits = {category: _matches(lowered, cues) for category, cues in CATEGORY_CUES.items()}
    weights = {category: float(len(found)) for category, found in hits.items()}
    if threats:
        weights[EmotionCategory.ANGER] += 1.0
    negative_cues = sum(weights[c] for c in NEGATIVE)
    positive_cues = weights[EmotionCategory.SATISFACTION]

    if polarity is None:
        cues = negative_cues + positive_cues
        score = (positive_cues - negative_cues) / cues if cues else 0.0
    else:
        score = polarity.probability("positive") - polarity.probability("negative")
        if polarity.label == "neutral" and not negative_cues and not positive_cues:
            score = 0.0
    if threats or weights[EmotionCategory.ANGER]:
        score = min(score, -0.5)  # a threat or an insult is never read as calm
    margin = 0.2 if polarity else 1e-9  # the model's score needs a margin; any lexicon cue counts
    label = Polarity.NEGATIVE if score <= -margin else Polarity.POSITIVE if score >= margin else Polarity.NEUTRAL
    if label is Polarity.NEUTRAL:
        return EmotionAssessment(polarity=label, score=round(score, 3), category=EmotionCategory.NEUTRAL, intensity=0.0, threat=False)

    # Ties go to the more urgent category; a negative without any cue reads as disappointment.
    candidates = NEGATIVE_BY_URGENCY if label is Polarity.NEGATIVE else (EmotionCategory.SATISFACTION,)
    category = max(candidates, key=lambda c: weights[c]) if any(weights[c] for c in candidates) else candidates[-1]
    shouting = normalized.exclamations >= 2 or normalized.caps_ratio >= 0.6
    emphasis = 0.5 if shouting and label is Polarity.NEGATIVE else 0.0
    intensity = min(1.0, max(0.35, 0.35 * weights[category], abs(score) * 0.5) + emphasis)
    matched = sorted({term for found in hits.values() for term in found} | set(threats))
    return EmotionAssessment(
        polarity=label,
        score=round(max(-1.0, min(1.0, score)), 3),
        category=category,
        intensity=round(intensity, 3),
        threat=bool(threats),
        matched_terms=matched,
    )
