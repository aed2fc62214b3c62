"""Emotion for Chinese and English: trained models plus a transparent cue lexicon.

The polarity model (``livedesk polarity train``) gives negative/neutral/positive with
probabilities. The emotion-category model (``livedesk emotions train``) names the category among
those the polarity allows (anger, anxiety, disappointment; or satisfaction), and the intensity
model (``livedesk intensity train``) how strong it is. The lexicon flags threats to complain or go
public, which always count as negative and strong: for escalation a missed threat costs more than
a false alarm. Without the category or intensity model the lexicon decides those too, and "!!!"
and ALL CAPS raise a negative intensity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from livedesk.models import EmotionAssessment, EmotionCategory, Polarity
from livedesk.understanding.classifier import Prediction
from livedesk.understanding.normalize import NormalizedText, normalize

THREAT_CUES = (
    "投诉",
    "12315",
    "315",
    "消协",
    "消委会",
    "消基会",
    "消保官",
    "1950",
    "曝光",
    "报警",
    "报案",
    "110",
    "起诉",
    "律师",
    "法院",
    "法庭",
    "法律程序",
    "差评",
    "负评",
    "举报",
    "检举",
    "工商",
    "拒付",
    "争议款",
    "小红书",
    "微博",
    "抖音",
    "complain",
    "complaint",
    "report you",
    "reporting",
    "lawyer",
    "attorney",
    "sue",
    "suing",
    "court",
    "chargeback",
    "dispute",
    "police",
    "consumer protection",
    "bbb",
    "better business bureau",
    "bad review",
    "1 star",
    "1-star",
    "followers",
    "tiktok",
    "instagram",
)
# English cues match whole words ("sue" is not in "issue"); Chinese ones anywhere.
_WORD_CUES = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in THREAT_CUES if c.isascii() and not c.isdigit()) + r")\b")
# Saying there is nothing to complain about is no threat.
_NOT_A_THREAT = ("不是投诉", "不是要投诉", "没有投诉", "no complaints", "can't complain", "cannot complain", "not complaining")

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

# Routing's threshold for a customer who must reach a person first (routing/policy.py reads it here).
ANGRY_INTENSITY = 0.6
THREAT_INTENSITY = 0.8
THREAT_PROBABILITY = 0.5
MIN_INTENSITY = 0.05  # an emotion that is there at all has some intensity; 0 means neutral

NEGATIVE_BY_URGENCY = (EmotionCategory.ANGER, EmotionCategory.ANXIETY, EmotionCategory.DISAPPOINTMENT)
NEGATIVE = frozenset(NEGATIVE_BY_URGENCY)


def _matches(text: str, cues: tuple[str, ...]) -> list[str]:
    return [cue for cue in cues if cue in text]


def threat_cues(text: str) -> list[str]:
    """The threat cues in normalised text (simplified, lower-case)."""
    if any(phrase in text for phrase in _NOT_A_THREAT):
        return []
    found = {cue for cue in THREAT_CUES if not cue.isascii() and cue in text}
    found |= {cue for cue in THREAT_CUES if cue.isdigit() and re.search(rf"(?<!\d){cue}(?!\d)", text)}
    found |= {match.group(0) for match in _WORD_CUES.finditer(text)}
    return sorted(found)


def strength(high: float, low: float) -> float:
    """Intensity in [0, 1] from the intensity model's odds of high against low, placed so that
    "high is the likelier" is exactly routing's angry threshold."""
    share = high / (high + low) if high + low else 0.0
    if share < 0.5:
        return ANGRY_INTENSITY * share / 0.5
    return ANGRY_INTENSITY + (1 - ANGRY_INTENSITY) * (share - 0.5) / 0.5


def assess_emotion(
    text: str | NormalizedText,
    polarity: Prediction | None = None,
    categories: Mapping[str, float] | None = None,
    intensity: Mapping[str, float] | None = None,
    threat: float | None = None,
) -> EmotionAssessment:
    """Cues are matched on the normalised text (simplified, half-width, lower-case). Without a
    polarity prediction the lexicon alone decides (the fallback the tests of the cues use);
    ``categories`` and ``intensity`` are the two models' probabilities per label, ``threat`` the
    threat model's probability (a cue halves the evidence it needs)."""
    normalized = text if isinstance(text, NormalizedText) else normalize(text)
    lowered = normalized.text
    threat_terms = threat_cues(lowered)
    evidence = THREAT_PROBABILITY / 2 if threat_terms else THREAT_PROBABILITY
    threatened = bool(threat_terms) if threat is None else threat >= evidence
    hits = {category: _matches(lowered, cues) for category, cues in CATEGORY_CUES.items()}
    weights = {category: float(len(found)) for category, found in hits.items()}
    if threatened:
        weights[EmotionCategory.ANGER] += 1.0
    negative_cues = sum(weights[c] for c in NEGATIVE)
    positive_cues = weights[EmotionCategory.SATISFACTION]

    if polarity is None:
        found = negative_cues + positive_cues
        score = (positive_cues - negative_cues) / found if found else 0.0
        label = Polarity.NEGATIVE if score < 0 else Polarity.POSITIVE if score > 0 else Polarity.NEUTRAL
    else:
        # Two readers of polarity: the polarity model (mostly reviews) and the category model (customer
        # messages), averaged, so an order number or 发货 in a calm question does not read as a complaint.
        votes = {label: polarity.probability(label) for label in ("negative", "neutral", "positive")}
        if categories is not None:
            by_category = {
                "negative": sum(categories.get(c.value, 0.0) for c in NEGATIVE),
                "neutral": categories.get(EmotionCategory.NEUTRAL.value, 0.0),
                "positive": categories.get(EmotionCategory.SATISFACTION.value, 0.0),
            }
            votes = {label: (p + by_category[label]) / 2 for label, p in votes.items()}
        score = votes["positive"] - votes["negative"]
        label = Polarity(max(votes, key=lambda name: votes[name]))
    if threatened or weights[EmotionCategory.ANGER]:  # a threat or an insult is never read as calm
        score, label = min(score, -0.5), Polarity.NEGATIVE
    if label is Polarity.NEUTRAL:
        return EmotionAssessment(polarity=label, score=round(score, 3), category=EmotionCategory.NEUTRAL, intensity=0.0, threat=False)

    candidates = NEGATIVE_BY_URGENCY if label is Polarity.NEGATIVE else (EmotionCategory.SATISFACTION,)
    if categories is not None:
        category = max(candidates, key=lambda c: categories.get(c.value, 0.0))
    else:  # ties go to the more urgent category; a negative without any cue reads as disappointment
        category = max(candidates, key=lambda c: weights[c]) if any(weights[c] for c in candidates) else candidates[-1]
    if intensity is not None:
        level = strength(intensity.get("high", 0.0), intensity.get("low", 0.0))
    else:
        shouting = normalized.exclamations >= 2 or normalized.caps_ratio >= 0.6
        emphasis = 0.5 if shouting and label is Polarity.NEGATIVE else 0.0
        level = min(1.0, max(0.35, 0.35 * weights[category], abs(score) * 0.5) + emphasis)
    if threatened:
        level = max(level, THREAT_INTENSITY)
    matched = sorted({term for found in hits.values() for term in found} | (set(threat_terms) if threatened else set()))
    return EmotionAssessment(
        polarity=label,
        score=round(max(-1.0, min(1.0, score)), 3),
        category=category,
        intensity=round(max(MIN_INTENSITY, min(1.0, level)), 3),
        threat=threatened,
        matched_terms=matched,
    )
