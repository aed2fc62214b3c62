"""Asking knowledge search from another function (routing for every message it understands, after-sales
for the return policy): a port, and the adapter that invokes the search function directly."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from livedesk.knowledge.contract import KnowledgeQuery, SearchRequest, SearchResult
from livedesk.understanding.embedders import QueryVector

LOG = logging.getLogger(__name__)


class KnowledgeSource(Protocol):
    def lookup(
        self, brand_id: str, request: SearchRequest, record_gap: bool, customer_id: str | None = None, vector: QueryVector | None = None
    ) -> SearchResult | None:
        """Ranked hits, and an answer only when search is confident; None when search is unavailable.
        ``vector``: the message's embedding, so search does not embed it again."""
        ...


class SearchFunction:
    """A direct invoke of the search function. Search being down never stops routing: the message
    goes to a person without suggestions, and the reason says so."""

    def __init__(self, lambda_client: Any, function_name: str) -> None:
        self._lambda = lambda_client
        self._function_name = function_name

    def lookup(
        self, brand_id: str, request: SearchRequest, record_gap: bool, customer_id: str | None = None, vector: QueryVector | None = None
    ) -> SearchResult | None:
        query = KnowledgeQuery(
            brand_id=brand_id,
            request=request,
            record_gap=record_gap,
            customer_id=customer_id,
            vector=list(vector.values) if vector else None,
            embedder=vector.embedder if vector else None,
        )
        try:
            response = self._lambda.invoke(FunctionName=self._function_name, Payload=query.model_dump_json().encode())
            payload = response["Payload"].read()
            if "FunctionError" in response:
                LOG.warning("knowledge search failed: %s", payload[:200])
                return None
            return SearchResult.model_validate_json(payload)
        except (BotoCoreError, ClientError, ValidationError) as error:
            LOG.warning("knowledge search unavailable: %s", type(error).__name__)
            return None
