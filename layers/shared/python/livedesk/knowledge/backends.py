"""The search backend a deployment chose (``SEARCH_BACKEND``): the S3 index artifact loaded into
the function (default), or OpenSearch, which ingestion then also keeps in step."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from livedesk.knowledge.hybrid import HybridIndex
    from livedesk.knowledge.opensearch_index import OpenSearchIndex, OpenSearchWriter
    from livedesk.settings import KnowledgeSettings
    from livedesk.understanding.embedders import Embedder


def search_index(
    settings: KnowledgeSettings, embedder: Callable[[], Embedder], refresh_seconds: float = 60.0
) -> Callable[[], HybridIndex | OpenSearchIndex]:
    """The index as ``KnowledgeSearch`` takes it, a zero-argument callable; the embedder loads on
    the first search."""
    if settings.search_backend == "opensearch":
        from livedesk.knowledge.opensearch_index import OpenSearchIndex

        client, custom_ids = _client(settings), settings.opensearch_service == "es"
        return cache(lambda: OpenSearchIndex(client, settings.opensearch_index, embedder(), custom_ids=custom_ids))
    import boto3

    from livedesk.knowledge.store import ArtifactStore, CachedIndex

    store = ArtifactStore(boto3.client("s3"), settings.knowledge_bucket, settings.knowledge_index_prefix)
    return CachedIndex(store, embedder, check_every=refresh_seconds)


def index_writer(settings: KnowledgeSettings) -> OpenSearchWriter | None:
    """What ingestion syncs besides publishing the artifact: nothing for the artifact backend."""
    if settings.search_backend != "opensearch":
        return None
    from livedesk.knowledge.opensearch_index import OpenSearchWriter

    return OpenSearchWriter(_client(settings), settings.opensearch_index, custom_ids=settings.opensearch_service == "es")


def _client(settings: KnowledgeSettings) -> OpenSearch:
    from livedesk.knowledge.opensearch_index import opensearch_client

    assert settings.opensearch_endpoint is not None  # KnowledgeSettings requires it for opensearch
    return opensearch_client(settings.opensearch_endpoint, settings.opensearch_service)
