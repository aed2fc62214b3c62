"""Lexicon-based emotion assessment for Chinese and English.

A transparent baseline: each matched cue adds weight to a category, and threat
phrases (complaint, regulator, refund-or-else) are flagged on their own. The
understanding issue replaces this with a trained model behind the same output.
"""

from __future__ import annotations

from livedesk.models import EmotionAssessment, EmotionCategory, Polarity
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

NEGATIVE = {EmotionCategory.ANGER, EmotionCategory.ANXIETY, EmotionCategory.DISAPPOINTMENT}


def _matches(text: str, cues: tuple[str, ...]) -> list[str]:
    return [cue for cue in cues if cue in text]


def assess_emotion(text: str | NormalizedText) -> EmotionAssessment:
    """Cues are matched on the normalised text (simplified, half-width, lower-case); "!!!" and
    ALL-CAPS shouting raise the intensity of a negative emotion."""
    normalized = text if isinstance(text, NormalizedText) else normalize(text)
    lowered = normalized.text
    threats = _matches(lowered, THREAT_CUES)
    hits = {category: _matches(lowered, cues) for category, cues in CATEGORY_CUES.items()}
    weights = {category: float(len(found)) for category, found in hits.items()}
    if threats:
        weights[EmotionCategory.ANGER] += 1.0
    shouting = normalized.exclamations >= 2 or normalized.caps_ratio >= 0.6
    emphasis = 0.5 if shouting else 0.0

    category = max(weights, key=lambda c: weights[c])
    if weights[category] == 0:
        return EmotionAssessment(polarity=Polarity.NEUTRAL, score=0.0, category=EmotionCategory.NEUTRAL, intensity=0.0, threat=False)
    intensity = min(1.0, 0.35 * weights[category] + emphasis * (category in NEGATIVE))
    negative = sum(weights[c] for c in NEGATIVE)
    positive = weights[EmotionCategory.SATISFACTION]
    score = max(-1.0, min(1.0, (positive - negative) / (positive + negative)))
    polarity = Polarity.NEGATIVE if score < 0 else Polarity.POSITIVE if score > 0 else Polarity.NEUTRAL
    matched = sorted({term for found in hits.values() for term in found} | set(threats))
    return EmotionAssessment(
        polarity=polarity,
        score=round(score, 3),
        category=category,
        intensity=round(max(intensity, 0.35), 3),
        threat=bool(threats),
        matched_terms=matched,
    )
