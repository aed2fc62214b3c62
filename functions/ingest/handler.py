"""Rebuilds the knowledge index: on uploads and deletes under knowledge/ (EventBridge -> SQS batch),
on the weekly schedule, and on a direct invoke ({"rebuild": "manual"})."""

from typing import Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ingest.service import Ingestor, KnowledgeFiles
from livedesk.knowledge.backends import index_writer
from livedesk.knowledge.gaps import IngestionReportRepository
from livedesk.knowledge.store import ArtifactStore
from livedesk.logs import service_logger
from livedesk.models import utc_now
from livedesk.settings import KnowledgeSettings
from livedesk.tracing import service_tracer
from livedesk.understanding.embedders import embedder_named


class IngestSettings(KnowledgeSettings):
    knowledge_prefix: str


settings = IngestSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
s3 = boto3.client("s3")
ingestor = Ingestor(
    files=KnowledgeFiles(s3, settings.knowledge_bucket, settings.knowledge_prefix),
    store=ArtifactStore(s3, settings.knowledge_bucket, settings.knowledge_index_prefix),
    embedder=lambda: embedder_named(settings.embedder),
    reports=IngestionReportRepository(boto3.resource("dynamodb").Table(settings.knowledge_table)),
    clock=utc_now,
    writer=index_writer(settings),  # OpenSearch, when it is the search backend
)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records", [])
    trigger = f"{len(records)} knowledge file events" if records else str(event.get("rebuild", "manual"))
    try:
        result = ingestor.rebuild(trigger)
    except Exception:
        if not records:
            raise
        logger.exception("knowledge rebuild failed; the events will be retried")
        return {"batchItemFailures": [{"itemIdentifier": record["messageId"]} for record in records]}
    if result.ignored:
        logger.warning("knowledge files outside knowledge/<brand>/ ignored", keys=result.ignored)
    for report in result.reports:
        for error in report.errors:
            logger.warning("knowledge row skipped", key=report.key, error=error)
    metrics.add_metric(name="KnowledgePassages", unit=MetricUnit.Count, value=result.passages)
    metrics.add_metric(name="KnowledgeRowsSkipped", unit=MetricUnit.Count, value=result.rows_skipped)
    logger.info("knowledge index published", **result.model_dump(exclude={"reports", "ignored"}))
    return {"batchItemFailures": []} if records else result.model_dump()
