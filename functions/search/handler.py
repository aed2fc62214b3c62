"""POST /v1/search, and routing's direct invoke: hybrid knowledge search (container image: the
embedder and BM25 need numpy)."""

from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from livedesk.api import AGENT, create_resolver, current_actor
from livedesk.knowledge.backends import search_index
from livedesk.knowledge.contract import KnowledgeQuery, SearchRequest, SearchResult
from livedesk.knowledge.gaps import KnowledgeGapRepository
from livedesk.logs import service_logger
from livedesk.models import utc_now
from livedesk.settings import KnowledgeSettings
from livedesk.tracing import service_tracer
from livedesk.understanding.embedders import embedder_named
from search.service import KnowledgeSearch


class SearchSettings(KnowledgeSettings):
    knowledge_refresh_seconds: float
    gap_retention_days: int = 90


settings = SearchSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = create_resolver()
knowledge = KnowledgeSearch(
    index=search_index(settings, lambda: embedder_named(settings.embedder), refresh_seconds=settings.knowledge_refresh_seconds),
    gaps=KnowledgeGapRepository(boto3.resource("dynamodb").Table(settings.knowledge_table), timedelta(days=settings.gap_retention_days)),
    clock=utc_now,
)


@app.post(
    "/v1/search",
    summary="Search the brand's knowledge: FAQs, products, policies, processes, live-session promises",
    tags=["knowledge"],
    responses=AGENT,
)
def post_search(request: SearchRequest) -> SearchResult:
    return search(current_actor(app).brand_id, request, record_gap=True)


def search(brand_id: str, request: SearchRequest, record_gap: bool, query: KnowledgeQuery | None = None) -> SearchResult:
    result = knowledge.search(
        brand_id,
        request,
        record_gap=record_gap,
        customer_id=query.customer_id if query else None,
        vector=query.vector if query else None,
        embedder=query.embedder if query else None,
    )
    if record_gap:
        metrics.add_metric(name="KnowledgeAnswered" if result.answer else "KnowledgeGaps", unit=MetricUnit.Count, value=1)
    return result


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "requestContext" in event:
        return app.resolve(event, context)
    query = KnowledgeQuery.model_validate(event)  # a direct invoke from routing
    return search(query.brand_id, query.request, query.record_gap, query).model_dump(mode="json")
