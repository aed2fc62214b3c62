"""Personal data in free text, Chinese and English: phone numbers, ID-card numbers, bank cards,
e-mail and postal addresses, found and masked (138****5678).

Digits-only kinds are told apart by their checks: an 18-character ID number has a valid date and
ISO 7064 check digit, a bank card passes Luhn. What looks like a phone number, a card or an ID is
masked even when it might be something else (letters right before or after it included): masking too much
is the safe mistake. Masking is
idempotent and a masked text contains nothing ``find`` would report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PiiKind(StrEnum):
    EMAIL = "email"
    ID_CARD = "id_card"
    BANK_CARD = "bank_card"
    PHONE = "phone"
    ADDRESS = "address"


@dataclass(frozen=True)
class Finding:
    kind: PiiKind
    start: int
    end: int
    text: str


EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
ID_CARD = re.compile(r"(?<!\d)([1-9]\d{5})((?:18|19|20)\d{2})(\d{2})(\d{2})(\d{3})([0-9Xx])(?!\d)")
ID_CARD_15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
# Eleven digits in a row are a mobile number even next to letters; grouped with dashes or spaces,
# only between word boundaries (a UUID's "f148-5678-4080" is no phone).
MOBILE = re.compile(
    r"(?<!\d)(?:\+?86)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)"
    r"|(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9]\d)[- ](\d{4})[- ]?(\d{4})(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9]\d)(\d{4})[- ](\d{4})(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])\+?86[- ](1[3-9]\d)(\d{4})(\d{4})(?![0-9A-Za-z])"
)
LANDLINE = re.compile(r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}(?![0-9A-Za-z])")
INTERNATIONAL = re.compile(r"(?<![0-9A-Za-z+])\+\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{2,4}(?:[ -]?\d{2,4}){1,3}(?![0-9A-Za-z])")
HAN = r"[\u4e00-\u9fff]"
# A Chinese address: an optional chain of regions, then a street with its number and what follows
# (building, unit, room), or a residential compound with a building number.
CN_REGION = rf"(?:{HAN}{{2,8}}?(?:省|自治区|特别行政区))?(?:{HAN}{{2,8}}?市)?(?:{HAN}{{1,8}}?(?:区|县|旗))?(?:{HAN}{{1,8}}?(?:镇|乡|街道))?"
CN_UNIT = (
    rf"(?:{HAN}{{2,10}}?(?:广场|大厦|中心|大楼|公寓|花园|小区|园区))?"
    r"(?:[\dA-Za-z一二三四五六七八九十]+(?:号楼|栋|幢|座|单元|层|楼|室|号|弄)|-\d+)*(?:\d{1,5}室?)?"
)
CN_ADDRESS = re.compile(
    rf"{CN_REGION}(?:{HAN}{{1,12}}?(?:路|街|大道|道|巷|胡同)(?:[\d一二三四五六七八九十百]+弄)?[\d一二三四五六七八九十百]+号"
    rf"|{HAN}{{2,12}}?(?:小区|花园|公寓|大厦|新村|家园|苑)[\dA-Za-z一二三四五六七八九十]+(?:号楼|栋|幢|座)){CN_UNIT}"
)
CN_PREFIX = re.compile(rf"^(?:{HAN}{{2,8}}?(?:省|自治区|特别行政区))?(?:{HAN}{{2,8}}?市)?(?:{HAN}{{1,8}}?(?:区|县|旗))?")
EN_ADDRESS = re.compile(
    r"(?<![A-Za-z0-9-])\d{1,6}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]*\.?\s+){0,4}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Close|Crescent|Highway|Hwy)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Flat|#)\.?\s*[\w-]+)?",
    re.IGNORECASE,
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def _valid_id(match: re.Match[str]) -> bool:
    digits = match.group(0).upper()
    try:
        date(int(match.group(2)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return False
    return ID_CHECK[sum(int(d) * w for d, w in zip(digits[:17], ID_WEIGHTS, strict=True)) % 11] == digits[17]


def luhn(digits: str) -> bool:
    total = 0
    for n, char in enumerate(reversed(digits)):
        value = int(char) * (2 if n % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _valid_card(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    return 13 <= len(digits) <= 19 and luhn(digits)


# In order of precedence: an earlier kind claims its span first.
DETECTORS: tuple[tuple[PiiKind, re.Pattern[str], Callable[[re.Match[str]], bool] | None], ...] = (
    (PiiKind.EMAIL, EMAIL, None),
    (PiiKind.ID_CARD, ID_CARD, _valid_id),
    (PiiKind.PHONE, MOBILE, None),
    (PiiKind.BANK_CARD, CARD, _valid_card),
    (PiiKind.ID_CARD, ID_CARD_15, None),
    (PiiKind.PHONE, INTERNATIONAL, None),
    (PiiKind.PHONE, LANDLINE, None),
    (PiiKind.ADDRESS, CN_ADDRESS, None),
    (PiiKind.ADDRESS, EN_ADDRESS, None),
)


def find(text: str) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, none overlapping."""
    folded = _fold(text)
    taken: list[Finding] = []
    for kind, pattern, valid in DETECTORS:
        for match in pattern.finditer(folded):
            if match.end() - match.start() < 2 or (valid and not valid(match)):
                continue
            if any(match.start() < f.end and f.start < match.end() for f in taken):
                continue
            taken.append(Finding(kind, match.start(), match.end(), text[match.start() : match.end()]))
    return sorted(taken, key=lambda f: f.start)


def mask(text: str) -> str:
    """``text`` with every piece of personal data masked; everything else as written."""
    findings = find(text)
    if not findings:
        return text
    parts, at = [], 0
    for finding in findings:
        parts.append(text[at : finding.start])
        parts.append(mask_value(finding.kind, finding.text))
        at = finding.end
    parts.append(text[at:])
    return "".join(parts)


def mask_value(kind: PiiKind, value: str) -> str:
    folded = _fold(value)
    digits = re.sub(r"\D", "", folded)
    if kind is PiiKind.EMAIL:
        local, _, domain = folded.partition("@")
        return f"{local[0]}***@{domain}"
    if kind is PiiKind.PHONE:
        mobile = MOBILE.fullmatch(folded)
        if mobile:
            groups = [g for g in mobile.groups() if g]
            return f"{groups[0]}****{groups[2]}"
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}" if len(digits) > 6 else "****"
    if kind is PiiKind.ID_CARD:
        return f"{folded[0]}{'*' * (len(folded) - 2)}{folded[-1]}"
    if kind is PiiKind.BANK_CARD:
        return f"****{digits[-4:]}"
    region = CN_PREFIX.match(folded)
    kept = region.group(0) if region and region.group(0) != folded else ""
    return f"{kept}****"


def _fold(text: str) -> str:
    """Full-width digits and letters as ASCII, each character kept in its place (same length)."""
    return "".join(unicodedata.normalize("NFKC", c) if len(unicodedata.normalize("NFKC", c)) == 1 else c for c in text)
