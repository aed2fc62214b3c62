"""POST /v1/search: semantic FAQ search. A container-image function: it needs sentence-transformers."""

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from livedesk.api import BrandId, create_resolver
from livedesk.understanding.embedders import SentenceTransformerEmbedder
from search.service import FaqIndex, SearchRequest, SearchResult

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = create_resolver()
_index: FaqIndex | None = None


def index() -> FaqIndex:
    """Built on first use, then cached for the life of the execution environment."""
    global _index
    if _index is None:
        _index = FaqIndex.from_file(SentenceTransformerEmbedder(os.environ.get("EMBEDDING_MODEL_PATH") or None))
    return _index


@app.post("/v1/search", summary="Search the brand's FAQ knowledge", tags=["knowledge"])
def post_search(request: SearchRequest, brand_id: BrandId) -> SearchResult:
    return index().search(brand_id, request)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
