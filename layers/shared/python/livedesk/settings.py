"""Function settings read from the environment that CDK sets.

Each function declares the names it needs by subclassing ``FunctionSettings``; a
field ``conversations_table`` is read from ``CONVERSATIONS_TABLE``. The CDK stack
is the single source of those values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class FunctionSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    idempotency_table: str
    idempotency_ttl_seconds: int = 3600


class ChannelKeySettings(FunctionSettings):
    """Each channel's secret of brand signing keys: {"app_chat": "<secret name or ARN>", …}."""

    channel_key_secrets: dict[str, str]
    channel_rate_limits: dict[str, int] = {}  # requests a second per brand; livedesk/ratelimit.py has the defaults


class ConversationStoreSettings(FunctionSettings):
    conversations_table: str
    customers_table: str
    message_retention_days: int  # conversations and their messages expire (TTL) this long after they were written


class TicketStoreSettings(FunctionSettings):
    tickets_table: str
    ticket_history_table: str
    sla_policy: str | None = None  # JSON in the shape of livedesk/tickets/sla.json; None: the packaged policy


class SupplyStoreSettings(BaseSettings):
    """The supply-chain adapter: the DynamoDB default, or a brand's own endpoint when a URL is set."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    supply_table: str
    supply_chain_url: str  # "" for the DynamoDB adapter


class KnowledgeSettings(BaseSettings):
    """The knowledge bucket, its index prefix and the knowledge table, shared by search and ingest,
    and the search backend: the S3 index artifact (default) or OpenSearch."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    knowledge_bucket: str
    knowledge_index_prefix: str
    knowledge_table: str
    embedder: str
    search_backend: Literal["artifact", "opensearch"] = "artifact"
    opensearch_endpoint: str | None = None  # host, with or without https://
    opensearch_service: Literal["aoss", "es"] = "aoss"  # SigV4 service: Serverless or a managed domain
    opensearch_index: str = "livedesk-knowledge"

    @model_validator(mode="after")
    def _endpoint_for_opensearch(self) -> KnowledgeSettings:
        if self.search_backend == "opensearch" and not self.opensearch_endpoint:
            raise ValueError("OPENSEARCH_ENDPOINT is required when SEARCH_BACKEND is opensearch")
        return self
