"""Personal data in free text, Chinese and English: phone numbers, ID-card numbers, bank cards,
e-mail and postal addresses, WeChat and QQ accounts and passport numbers, found and masked
(138****5678).

Digits-only kinds are told apart by their checks: an 18-character ID number has a region and a
valid birth date (a wrong ISO 7064 check digit is still masked: a typo does not make it less
personal), a bank card passes Luhn. Digits are read however they are written: full-width, Chinese
numerals (一三八…), grouped with spaces, dashes or dots. Accounts (WeChat, QQ, passports) are found by
the word that introduces them. What looks like personal data is masked even when it might be
something else: masking too much is the safe mistake. Every pattern is a regular expression without
nested repetition, so ``find`` stays linear in its input. Masking is idempotent and a masked text
contains nothing ``find`` would report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ERASED = "[erased]"  # what is left where erased words were


class PiiKind(StrEnum):
    EMAIL = "email"
    ID_CARD = "id_card"
    BANK_CARD = "bank_card"
    PHONE = "phone"
    ADDRESS = "address"
    ACCOUNT = "account"  # WeChat, QQ
    PASSPORT = "passport"


@dataclass(frozen=True)
class Finding:
    kind: PiiKind
    start: int
    end: int
    text: str


EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
# Written out to dodge filters: "zhangsan at qq dot com", "li (at) 163 (dot) com", "wang#gmail.com".
SPELLED_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._-])([A-Za-z0-9][A-Za-z0-9._-]{1,40})\s*(?:\(at\)|\[at\]|\bat\b|艾特|#)\s*"
    r"([A-Za-z0-9-]{2,30})\s*(?:\(dot\)|\[dot\]|\bdot\b|点|\.)\s*(com|cn|net|org|edu|io|com\.cn)\b",
    re.IGNORECASE,
)
SEP = r"[ .-]"  # how people group the digits of a number
# 18 characters (dashes or spaces between its groups allowed): a region, then a birth date.
ID_CARD = re.compile(r"(?<!\d)([1-9]\d{5})[ -]?((?:18|19|20)\d{2})[ -]?(\d{2})[ -]?(\d{2})[ -]?(\d{3})[ -]?([0-9Xx])(?!\d)")
ID_CARD_15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
CARD = re.compile(rf"(?<!\d)\d(?:{SEP}?\d){{12,18}}(?!\d)")
# Eleven digits in a row are a mobile number even next to letters; grouped with dashes, dots or
# spaces, or spaced out digit by digit, only between word boundaries (a UUID's "f148-5678-4080" is no phone).
MOBILE = re.compile(
    r"(?<!\d)(?:\+?86)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)"
    rf"|(?<![0-9A-Za-z])(?:\+?86{SEP}?)?(1[3-9]\d){SEP}(\d{{4}}){SEP}?(\d{{4}})(?![0-9A-Za-z])"
    rf"|(?<![0-9A-Za-z])(?:\+?86{SEP}?)?(1[3-9]\d)(\d{{4}}){SEP}(\d{{4}})(?![0-9A-Za-z])"
    rf"|(?<![0-9A-Za-z])\+?86{SEP}(1[3-9]\d)(\d{{4}})(\d{{4}})(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])(1 [3-9] \d)( \d \d \d \d)( \d \d \d \d)(?![0-9A-Za-z])"
)
# Chinese landlines: an area code (in brackets, or before a dash or space), then 7–8 digits, maybe grouped.
LANDLINE = re.compile(r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)\s?|0\d{2,3}[- ])\d{3,4}[- ]?\d{4}(?![0-9A-Za-z])")
# North American numbers: (415) 555 0123, 415-555-0123, 415.555.0123.
NANP = re.compile(r"(?<![0-9A-Za-z])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![0-9A-Za-z])")
INTERNATIONAL = re.compile(r"(?<![0-9A-Za-z+])\+\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{2,4}(?:[ -]?\d{2,4}){1,3}(?![0-9A-Za-z])")
# Accounts are found by the word before them: 微信 / vx / WeChat (6–20 characters, a letter first, or
# a wxid_), QQ (5–12 digits).
WECHAT = re.compile(
    r"wxid_[A-Za-z0-9]{4,24}"
    # A Latin marker starts a word: "vx" inside an e-mail domain (a@vxaaaaaa.com) is not one.
    r"|(?:微信号|微信|v信|(?<![A-Za-z0-9@._-])(?:vx|VX|wx|WX|wechat|WeChat|Wechat|WECHAT))"
    r"(?:\s*(?:id|ID|号)?\s*(?:是|:|：|is)?\s*)(?P<value>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)
QQ = re.compile(r"(?:(?<=QQ)|(?<=qq)|(?<=扣扣))(?:\s*(?:号码|号)?\s*(?:是|:|：|is)?\s*)(?P<value>[1-9]\d{4,11})(?!\d)")
# Chinese passports (E or G and eight digits) anywhere; others after the word: 护照 / passport.
PASSPORT = re.compile(
    r"(?<![0-9A-Za-z])[EeGg]\d{8}(?![0-9A-Za-z])"
    r"|(?:(?<=护照)|(?<=passport)|(?<=Passport)|(?<=PASSPORT))(?:\s*(?:号码|号|no\.?|No\.?|number|#)?\s*(?:是|:|：|is)?\s*)(?P<value>[A-Z0-9]{7,9})(?![0-9A-Za-z])"
)
# A letter of a script other than Latin: in these patterns, a Chinese character. Not [\u4e00-\u9fff]:
# `re` builds a class from a range character by character, about 1 ms for each of the thirteen uses
# below at every cold start, where this class of categories builds in microseconds. It also takes the
# rarer characters of place names (Extension A, 〇).
HAN = r"[^\W\d_A-Za-z]"
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
# An office park or compound by name after a district, then a tower and a room: 朝阳区望京SOHO T1 2305.
CN_COMPOUND = re.compile(
    rf"(?:{HAN}{{2,8}}?市)?{HAN}{{1,8}}?(?:区|县)[^\W\d_]{{2,12}}?\s?"
    r"(?:[A-Za-z]?\d{1,3}(?:号楼|栋|幢|座|塔|号)?|[A-Za-z]座)\s?-?\s?\d{2,5}(?:室|号)?"
)
EN_ADDRESS = re.compile(
    r"(?<![A-Za-z*-])(?<!\d)\d{1,6}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]*\.?\s+){0,4}"  # not the kept digits of a masked number
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Close|Crescent|Highway|Hwy"
    r"|Parkway|Pkwy|Square|Sq|Circle|Cir|Alley|Row)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Flat|#)\.?\s*[\w-]+)?",
    re.IGNORECASE,
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def _valid_id(match: re.Match[str]) -> bool:
    """A real birth date is enough: a wrong check digit is a typo, and the rest is still someone's."""
    try:
        date(int(match.group(2)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return False
    return True


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-character ID number."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


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
    (PiiKind.EMAIL, SPELLED_EMAIL, None),
    (PiiKind.ACCOUNT, WECHAT, None),
    (PiiKind.ACCOUNT, QQ, None),
    (PiiKind.PASSPORT, PASSPORT, None),
    (PiiKind.ID_CARD, ID_CARD, _valid_id),
    (PiiKind.PHONE, MOBILE, None),
    (PiiKind.BANK_CARD, CARD, _valid_card),
    (PiiKind.ID_CARD, ID_CARD_15, None),
    (PiiKind.PHONE, INTERNATIONAL, None),
    (PiiKind.PHONE, NANP, None),
    (PiiKind.PHONE, LANDLINE, None),
    (PiiKind.ADDRESS, CN_ADDRESS, None),
    (PiiKind.ADDRESS, CN_COMPOUND, None),
    (PiiKind.ADDRESS, EN_ADDRESS, None),
)


def find(text: str) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, none overlapping."""
    folded = _fold(text)
    taken: list[Finding] = []
    for kind, pattern, valid in DETECTORS:
        for match in pattern.finditer(folded):
            start, end = match.span("value") if "value" in pattern.groupindex and match.group("value") else match.span()
            if end - start < 2 or (valid and not valid(match)):
                continue
            if any(start < f.end and f.start < end for f in taken):
                continue
            taken.append(Finding(kind, start, end, text[start:end]))
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
        spelled = SPELLED_EMAIL.fullmatch(folded)
        if spelled:
            return f"{spelled.group(1)[0]}***@{spelled.group(2)}.{spelled.group(3)}"
        local, _, domain = folded.partition("@")
        return f"{local[0]}***@{domain}"
    if kind is PiiKind.PHONE:
        if MOBILE.fullmatch(folded):
            return f"{digits[-11:-8]}****{digits[-4:]}"
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}" if len(digits) > 6 else "****"
    if kind in (PiiKind.ACCOUNT, PiiKind.PASSPORT):
        return f"{folded[0]}{'*' * max(2, len(folded) - 2)}{folded[-1]}"
    if kind is PiiKind.ID_CARD:
        return f"{folded[0]}{'*' * (len(folded) - 2)}{folded[-1]}"
    if kind is PiiKind.BANK_CARD:
        return f"****{digits[-4:]}"
    region = CN_PREFIX.match(folded)
    kept = region.group(0) if region and region.group(0) != folded else ""
    return f"{kept}****"


CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九幺", "001234567891")
CHINESE_NUMBER = re.compile(r"[〇零一二三四五六七八九幺]{7,}")  # a number read out digit by digit (一三八…), not 一二三楼


def _fold(text: str) -> str:
    """Full-width digits and letters as ASCII, and numbers written in Chinese digits as digits, each
    character kept in its place (same length)."""
    folded = "".join(unicodedata.normalize("NFKC", c) if len(unicodedata.normalize("NFKC", c)) == 1 else c for c in text)
    return CHINESE_NUMBER.sub(lambda m: m.group(0).translate(CHINESE_DIGITS), folded)
