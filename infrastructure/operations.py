"""Operations: facts from both streams (analytics); quality inspection of every resolution and, hourly,
of bot conversations; KPIs, voice of customer, knowledge gaps, experiments and alerts (insights); the
hourly forecast."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from infrastructure.constants import INDEX_PREFIX, QUALITY_RULES_PREFIX
from infrastructure.foundation import Foundation, FunctionGroup, stream_of


class Operations(FunctionGroup):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        foundation: Foundation,
        alert_topics: dict[str, sns.ITopic],
        watched: list[lambda_.Alias],
    ) -> None:
        """``watched``: other groups' functions whose errors the red alert level counts, with this group's
        stream consumers (analytics and quality)."""
        super().__init__(scope, construct_id)
        functions, data = foundation.functions, foundation.data
        stack = Stack.of(self)

        self.analytics = functions.python("Analytics", "analytics", environment=data.environment(data.analytics, data.conversations))
        data.analytics.grant_read_write_data(self.analytics)
        self.analytics.add_event_source(stream_of(data.conversations, data.analytics_dlq, {"sk": {"S": [{"prefix": "MSG#"}]}}))
        self.analytics.add_event_source(stream_of(data.ticket_history, data.analytics_dlq, {}))

        # Quality inspection: every resolution's conversation is inspected against the brand's rule file.
        self.quality = functions.python(
            "Quality",
            "quality",
            environment={
                **data.environment(data.audit, data.conversations, data.tickets, data.ticket_history, data.analytics, data.knowledge),
                "KNOWLEDGE_BUCKET": data.knowledge_bucket.bucket_name,
                "KNOWLEDGE_INDEX_PREFIX": INDEX_PREFIX,
            },
            timeout=Duration.seconds(30),
        )
        data.conversations.grant(self.quality, "dynamodb:GetItem", "dynamodb:Query")
        data.tickets.grant(self.quality, "dynamodb:GetItem")
        data.analytics.grant(self.quality, "dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem")
        data.knowledge.grant(self.quality, "dynamodb:PutItem")  # contradicted policies and promises are knowledge gaps
        data.audit.grant(self.quality, "dynamodb:PutItem")
        data.knowledge_bucket.grant_read(self.quality, f"{INDEX_PREFIX}*")
        data.knowledge_bucket.grant_read(self.quality, f"{QUALITY_RULES_PREFIX}*")
        data.knowledge_bucket.grant_put(self.quality, f"{QUALITY_RULES_PREFIX}*")
        self.quality.add_event_source(stream_of(data.ticket_history, data.quality_dlq, {"action": {"S": ["resolve"]}}))
        self.schedule("InspectBotConversations", events.Schedule.rate(Duration.hours(1)), self.quality, {"quality": "sweep"})

        self.monitored = [*watched, self.analytics, self.quality]
        self.insights = functions.python(
            "Insights",
            "insights",
            environment={
                **data.environment(data.analytics, data.audit, data.knowledge),
                **foundation.supply_store,
                **foundation.dead_letter_queues,
                # Lambda's Errors metric by function name: every version's errors, whichever alias ran them.
                "MONITORED_FUNCTIONS": stack.to_json_string([alias.version.lambda_.function_name for alias in self.monitored]),
                "ALERT_TOPICS": stack.to_json_string({level: topic.topic_arn for level, topic in alert_topics.items()}),
            },
            timeout=Duration.seconds(30),
            memory_size=1024,
        )
        data.analytics.grant_read_write_data(self.insights)
        data.audit.grant(self.insights, "dynamodb:PutItem")  # experiments started and stopped
        data.knowledge.grant_read_data(self.insights)
        data.supply.grant_read_data(self.insights)
        for queue in data.dead_letters.values():
            queue.grant(self.insights, "sqs:GetQueueAttributes")
        self.insights.add_to_role_policy(iam.PolicyStatement(actions=["cloudwatch:GetMetricStatistics"], resources=["*"]))
        for topic in alert_topics.values():
            topic.grant_publish(self.insights)
        self.schedule("EvaluateAlerts", events.Schedule.rate(Duration.minutes(5)), self.insights, {"alerts": "evaluate"})

        self.forecast = functions.container(
            "Forecast", "forecast", environment=data.environment(data.analytics), timeout=Duration.seconds(60), memory_size=2048
        )
        data.analytics.grant_read_write_data(self.forecast)
        self.schedule("RefreshForecasts", events.Schedule.rate(Duration.hours(1)), self.forecast, {"forecast": "refresh"})

        self.agent_routes = {
            "GET /v1/kpis": self.insights,
            "GET /v1/kpis/report": self.insights,
            "GET /v1/voc": self.insights,
            "GET /v1/knowledge/gaps": self.insights,
            "GET /v1/alerts": self.insights,
            "PUT /v1/live-sessions/{live_session_id}/schedule": self.insights,
            "POST /v1/experiments": self.insights,
            "GET /v1/experiments": self.insights,
            "POST /v1/experiments/{experiment_id}/stop": self.insights,
            "GET /v1/experiments/{experiment_id}/results": self.insights,
            "GET /v1/forecast": self.forecast,
            "GET /v1/quality/findings": self.quality,
            "GET /v1/quality/scores": self.quality,
            "GET /v1/quality/summary": self.quality,
            "GET /v1/quality/rules": self.quality,
            "PUT /v1/quality/rules": self.quality,
        }
