"""Where bot answers come from: a port, and a catalog file that works locally and in AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

CATALOG = Path(__file__).with_name("answers.json")


class AnswerSource(Protocol):
    def answer(self, brand_id: str, intent: str, lang: str) -> str | None:
        """The bot's answer for this brand, intent and language, or None when a person must answer."""
        ...


class AnswerCatalog:
    def __init__(self, default: dict[str, dict[str, str]], brands: dict[str, dict[str, dict[str, str]]]) -> None:
        self._default = default
        self._brands = brands

    @classmethod
    def from_file(cls, path: Path = CATALOG) -> AnswerCatalog:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["default"], data.get("brands", {}))

    def answer(self, brand_id: str, intent: str, lang: str) -> str | None:
        texts = self._brands.get(brand_id, {}).get(intent) or self._default.get(intent)
        if not texts:
            return None
        return texts.get(lang) or texts.get("zh") or texts.get("en")
