"""Administration and privacy: a customer's erasure, the audit log, dead letters and their redrive, and
the daily retention sweep that anonymises tickets past their retention."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.foundation import Foundation, FunctionGroup


class Administration(FunctionGroup):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        foundation: Foundation,
        ticket_retention_days: str,
        stream_consumers: dict[sqs.IQueue, lambda_.IFunction],
    ) -> None:
        """``stream_consumers``: each stream consumer by its dead-letter queue, where a redrive sends the records back."""
        super().__init__(scope, construct_id)
        data = foundation.data
        queue_fed = {data.inbound_dlq: data.inbound, data.knowledge_events_dlq: data.knowledge_events}
        dead_letter_sources = {
            name: {"queue_url": queue_fed[queue].queue_url} if queue in queue_fed else {"function": stream_consumers[queue].function_name}
            for name, queue in data.dead_letters.items()
        }
        erasable = (data.conversations, data.customers, data.tickets, data.analytics, data.knowledge)
        self.admin = foundation.functions.python(
            "Admin",
            "admin",
            environment={
                **data.environment(data.audit, *erasable, data.ticket_history),
                "TICKET_RETENTION_DAYS": ticket_retention_days,
                **foundation.dead_letter_queues,
                "DEAD_LETTER_SOURCES": Stack.of(self).to_json_string(dead_letter_sources),
            },
            timeout=Duration.minutes(5),
            memory_size=512,
        )
        for table in erasable:
            table.grant_read_write_data(self.admin)
        data.audit.grant(self.admin, "dynamodb:PutItem", "dynamodb:Query")
        data.ticket_history.grant(self.admin, "dynamodb:Query")
        # The one change the append-only history allows: blanking an event's words on erasure or retention.
        self.admin.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[data.ticket_history.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "sk", "detail"]}},
            )
        )
        for table in (data.conversations, data.ticket_history):
            table.grant_stream_read(self.admin)
        for queue in data.dead_letters.values():
            queue.grant_consume_messages(self.admin)
        for source in queue_fed.values():
            source.grant_send_messages(self.admin)
        for consumer in stream_consumers.values():
            consumer.grant_invoke(self.admin)
        daily = events.Schedule.cron(minute="30", hour="18")  # 02:30 in China
        self.schedule("RetentionSweep", daily, self.admin, {"retention": "sweep"})
        self.agent_routes = {
            "DELETE /v1/customers/{customer_id}/data": self.admin,
            "GET /v1/audit": self.admin,
            "GET /v1/admin/dead-letters": self.admin,
            "POST /v1/admin/dead-letters/{name}/redrive": self.admin,
        }
