"""Courtesy replies: thanks and small talk get a short reply instead of a ticket. Every other bot
reply comes from the brand's knowledge (routing/knowledge.py)."""

from __future__ import annotations

import json
from pathlib import Path

CATALOG = Path(__file__).with_name("courtesy.json")


class CourtesyReplies:
    def __init__(self, default: dict[str, dict[str, str]], brands: dict[str, dict[str, dict[str, str]]]) -> None:
        self._default = default
        self._brands = brands

    @classmethod
    def from_file(cls, path: Path = CATALOG) -> CourtesyReplies:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["default"], data.get("brands", {}))

    @property
    def intents(self) -> frozenset[str]:
        return frozenset(self._default) | {intent for brand in self._brands.values() for intent in brand}

    def reply(self, brand_id: str, intent: str, lang: str) -> str | None:
        texts = self._brands.get(brand_id, {}).get(intent) or self._default.get(intent)
        if not texts:
            return None
        return texts.get(lang) or texts.get("zh") or texts.get("en")
