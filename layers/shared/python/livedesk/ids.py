"""Deterministic identifiers, so that a redelivered input maps to the same record."""

from __future__ import annotations

import hashlib


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def message_id(brand_id: str, channel: str, channel_message_id: str) -> str:
    return f"msg_{_digest(brand_id, channel, channel_message_id)}"


def conversation_id(brand_id: str, first_message_id: str) -> str:
    return f"conv_{_digest(brand_id, 'conversation', first_message_id)}"


def cluster_id(brand_id: str, live_session_id: str, first_message_id: str) -> str:
    return f"clu_{_digest(brand_id, live_session_id, first_message_id)}"


def ticket_id(brand_id: str, message_id_: str) -> str:
    return f"tkt_{_digest(brand_id, 'ticket', message_id_)}"


def bot_reply_id(message_id_: str) -> str:
    """The bot's one reply to a message: sorts right after it in the conversation."""
    return f"{message_id_}.bot"
