"""Text normalisation for understanding. The original text is kept for display.

- Traditional Chinese is converted to simplified (OpenCC ``t2s``).
- Full-width characters are folded to half-width (NFKC), Latin is lower-cased.
- URLs, phone numbers, order numbers and emoji are recognised; numbers are masked.
- Runs of one character (哈哈哈哈哈, !!!!!!) are shortened, and their intensity kept as a feature.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import opencc

from livedesk import pii

URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# Mainland mobile numbers, optionally with +86 and separators.
PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
# Order numbers: a long digit run, or letters then digits, after an order cue or standing alone.
ORDER = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{1,4}\d{8,}|\d{12,24})(?![A-Za-z0-9])", re.IGNORECASE)
EMOJI = re.compile("[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f000-\U0001f2ff\u2b50\u2b55\u203c\u2049\ufe0f]")
REPEAT = re.compile(r"(.)\1{2,}")
EXCLAIM = re.compile(r"[!?]{2,}")


@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str  # for the models: simplified, half-width, lower-case, numbers masked
    display: str  # the original with personal data and order numbers masked (138****5678)
    urls: list[str] = field(default_factory=list)
    phones: int = 0
    order_numbers: list[str] = field(default_factory=list)
    emoji: int = 0
    exclamations: int = 0
    caps_ratio: float = 0.0

    @property
    def lang(self) -> str:
        """``zh`` when the text has any Chinese character (mixed text is answered in Chinese), else ``en``."""
        return "zh" if CJK.search(self.text) else "en"


CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    """OpenCC's t2s until nothing changes: a few characters convert in two steps (苧 → 苎 → 苧…)."""
    for _ in range(3):
        converted = _t2s().convert(text)
        if converted == text:
            break
        text = converted
    return text


def simplified(text: str) -> str:
    """Half-width, simplified Chinese, otherwise as written: what a query is embedded as, so that
    traditional and simplified wordings of a question land on the same vector."""
    return _to_simplified(unicodedata.normalize("NFKC", text))


# A speaker label opening a line of a call transcript: 坐席：… 客户：… / Agent: … Customer: …
SPEAKER = re.compile(
    r"^\s*(客户|客戶|顾客|顧客|客人|买家|買家|用户|用戶|customer|caller|client|buyer"
    r"|坐席|客服|专员|專員|agent|rep|representative|support|operator)\s*[:：]\s*",
    re.IGNORECASE,
)
CUSTOMER_SPEAKERS = frozenset(
    {"客户", "客戶", "顾客", "顧客", "客人", "买家", "買家", "用户", "用戶", "customer", "caller", "client", "buyer"}
)


def customer_turns(text: str) -> str:
    """What the customer said in a call transcript or a pasted chat ("坐席：… 客户：…"), one turn
    per line; any other text as it is. The agent's words are not the customer's intent or emotion."""
    turns: list[str] = []
    speaker: str | None = None
    labelled = False
    for line in text.splitlines():
        label = SPEAKER.match(line)
        if label:
            labelled = True
            speaker = label.group(1).lower()
            line = line[label.end() :]
        if speaker in CUSTOMER_SPEAKERS and line.strip():
            turns.append(line.strip())
    return "\n".join(turns) if labelled and turns else text


def read_message(text: str) -> NormalizedText:
    """A customer's message as the models read it: their own turns of a transcript, normalised."""
    return normalize(customer_turns(text))


def mask_order(number: str) -> str:
    return f"{number[:2]}{'*' * (len(number) - 6)}{number[-4:]}"


def normalize(original: str) -> NormalizedText:
    folded = unicodedata.normalize("NFKC", original)
    simplified = _to_simplified(folded)
    letters = [c for c in simplified if c.isascii() and c.isalpha()]
    caps_ratio = sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 6 else 0.0
    urls = URL.findall(simplified)
    orders = [m.group(0) for m in ORDER.finditer(URL.sub(" ", simplified))]
    # Lettered order numbers first (their digits are no bank card), then personal data, then digit-only orders.
    lettered = ORDER.sub(lambda m: mask_order(m.group(0)) if m.group(0)[0].isalpha() else m.group(0), original)
    display = ORDER.sub(lambda m: mask_order(m.group(0)), pii.mask(lettered))

    text = URL.sub(" <url> ", simplified)
    text, phones = PHONE.subn(" <phone> ", text)
    text = ORDER.sub(" <order> ", text)
    emoji = len(EMOJI.findall(text))
    text = EMOJI.sub(" ", text)
    exclamations = sum(len(run) for run in EXCLAIM.findall(text))
    text = REPEAT.sub(r"\1\1", text.lower())
    text = " ".join(text.split())
    return NormalizedText(
        original=original,
        text=text,
        display=display,
        urls=urls,
        phones=phones,
        order_numbers=orders,
        emoji=emoji,
        exclamations=exclamations,
        caps_ratio=round(caps_ratio, 3),
    )
