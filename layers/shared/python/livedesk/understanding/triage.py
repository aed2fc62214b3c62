"""Live-comment triage: drop noise, detect questions, group the same question from many viewers."""

from __future__ import annotations

import re
from enum import StrEnum
from itertools import pairwise

from livedesk.understanding.normalize import NormalizedText


class CommentKind(StrEnum):
    NOISE = "noise"
    QUESTION = "question"
    STATEMENT = "statement"


NOISE_PHRASES = frozenset(
    {
        "来了",
        "来啦",
        "打卡",
        "签到",
        "报到",
        "主播好",
        "主播晚上好",
        "大家好",
        "晚上好",
        "早上好",
        "下午好",
        "中午好",
        "大家晚上好",
        # Farewells and follows: the host says goodbye to everyone at once.
        "拜拜",
        "明天见",
        "下次见",
        "关注了",
        "已关注",
        "点关注",
        "路过",
        "哈哈",
        "刷一波",
        "扣1",
        "1",
        "好",
        "嗯",
        "赞",
        "顶",
        "支持",
        # Cheers and "I bought it" announcements: the host thanks them all at once, nobody answers one.
        "加油",
        "主播加油",
        "冲鸭",
        "来了老铁",
        "上车",
        "上车了",
        "已拍",
        "拍了",
        "已下单",
        "下单了",
        "已付款",
        "付了",
        "抢到了",
        "蹲",
        "hi",
        "hello",
        "hey",
        "lol",
        "yay",
        "nice",
        "wow",
        "hahaha",
        "first",
    }
)
# English greetings and cheers, compared with letter runs collapsed (yayyy, hiii, hellooo).
CHEER_WORDS = frozenset(
    {
        "hi",
        "helo",
        "hey",
        "yay",
        "wow",
        "lol",
        "omg",
        "haha",
        "first",
        "everyone",
        "everybody",
        "al",
        "guys",
        "folks",
        "there",
        "yal",
        "god",
        "evening",
        "morning",
        "night",
        "go",
        "yes",
        "bought",
        "ordered",
        "just",
        "got",
        "one",
        "mine",
        "added",
        "to",
        "cart",
        "bye",
        "see",
        "you",
        "tomorrow",
        "later",
        "lmao",
        "lmfao",
        "rofl",
    }
)
# Greeting from somewhere ("hi from NYC", "hello everyone from taiwan"): a check-in, nothing to answer.
GREETING_FROM = re.compile(r"^(?:hi|hello|hey|greetings)(?: (?:everyone|all|guys|y'?all))? from [a-z .'-]+$")
# Trailing particles and who a cheer is addressed to: 大家晚上好呀 and 666主播 are cheers like 大家好 and 666.
PARTICLES = re.compile(r"(?<=.)[呀啊哦啦嘛]+$")  # on text already without punctuation
ADDRESSED = re.compile(r"^(?:主播|家人们|宝宝们|姐妹们)|(?:主播|家人们|宝宝们|姐妹们)$")
LETTER_RUN = re.compile(r"([a-z])\1+")
ONLY_SYMBOLS = re.compile(r"^[\W_]*$")
CHEER_DIGITS = re.compile(r"^(?:6+|8+|1+|2+|9+|520|1314)$")
ASKING = (
    r"[吗呢么嘛吧]$|几|多少|多久|多长|怎么|怎样|什么|啥|哪|是否|能不能|可不可以|有没有|会不会|要不要|还有|为什么|咋"
    r"|^(?:what|how|when|where|which|why|who|can|could|is|are|do|does|did|will|any)\b"
)
QUESTION_WORDS = re.compile(ASKING + r"|\b(?:pls|please)\b")  # a live comment saying "pls" wants something
INFORMATION = re.compile(ASKING)
TOKEN = re.compile(r"<\w+>|[a-z0-9']+|[\u3400-\u9fff]")


def triage(comment: NormalizedText) -> CommentKind:
    text = comment.text.strip()
    bare = re.sub(r"[\s!?.,~。，！？、…]+", "", text)
    if not bare or ONLY_SYMBOLS.match(bare) or _repeats_noise(bare) or _cheers(text) or GREETING_FROM.match(text):
        return CommentKind.NOISE
    if "?" in text or QUESTION_WORDS.search(text):
        return CommentKind.QUESTION
    if len(bare) <= 2:
        return CommentKind.NOISE
    return CommentKind.STATEMENT


def asks_for_information(text: NormalizedText) -> bool:
    """A question ("how long does a refund take?"), not a request ("refund me, please")."""
    return "?" in text.text or bool(INFORMATION.search(text.text.strip()))


def _cheers(text: str) -> bool:
    """hello everyone, hi guys, yayyy, gogogo: nothing but English greetings and cheers."""
    words = [w.replace("'", "") for w in re.findall(r"[a-z']+", text)]
    return bool(words) and text.isascii() and all(_cheer_word(w) for w in words)


def _cheer_word(word: str) -> bool:
    return any(_repeats(form, CHEER_WORDS) for form in (word, LETTER_RUN.sub(r"\1", word)))


def _repeats(text: str, phrases: frozenset[str]) -> bool:
    """One of the phrases, possibly repeated (来了来了, gogogo)."""
    return any(len(text) % len(p) == 0 and text == p * (len(text) // len(p)) for p in phrases)


def _repeats_noise(bare: str) -> bool:
    """A noise phrase or cheering digits, repeated or not, with or without a trailing particle and
    the host it is addressed to."""
    plain = PARTICLES.sub("", bare)
    forms = {bare, plain, ADDRESSED.sub("", bare), ADDRESSED.sub("", plain)}
    return any(form and (CHEER_DIGITS.match(form) or _repeats(form, NOISE_PHRASES)) for form in forms)


def signature(text: str) -> frozenset[str]:
    """Character bigrams for Chinese, words for English: what near-identical questions share."""
    tokens = TOKEN.findall(text)
    grams = {f"{a}{b}" for a, b in pairwise(tokens) if len(a) == len(b) == 1}
    grams |= {token for token in tokens if len(token) > 1 or not ("\u3400" <= token <= "\u9fff")}
    return frozenset(grams or tokens)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
