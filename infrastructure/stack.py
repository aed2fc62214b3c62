"""The LiveDesk stack: everything scales to zero when no one writes in. It composes the constructs:
security and storage, the function groups, the workflows, the API, the console and observability."""

from __future__ import annotations

from typing import Literal

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infrastructure.administration import Administration
from infrastructure.agent_desk import AgentDesk
from infrastructure.compute import FunctionFactory
from infrastructure.console import ConsoleHosting
from infrastructure.foundation import Foundation, FunctionGroup
from infrastructure.http_api import HttpApi
from infrastructure.identity import AgentDirectory
from infrastructure.knowledge_base import KnowledgeBase
from infrastructure.messaging import Messaging
from infrastructure.nag import suppress_findings
from infrastructure.naming import Naming
from infrastructure.notifications import Notifications
from infrastructure.observability import Observability
from infrastructure.opensearch import SearchDomain, VectorCollection
from infrastructure.operations import Operations
from infrastructure.security import Security
from infrastructure.storage import Storage
from infrastructure.workflow_tasks import WorkflowTasks
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
        # How long customers' words are kept (conversations and messages expire by TTL), and after how
        # long tickets are anonymised; a deployment sets them with -c message_retention_days=… etc.
        message_retention_days = str(self.node.try_get_context("message_retention_days") or 180)
        ticket_retention_days = str(self.node.try_get_context("ticket_retention_days") or 365)

        security = Security(self, "Security", naming=naming, removal=removal)
        data = Storage(self, "Storage", naming=naming, removal=removal, data_key=security.data_key)
        # New versions reach the live aliases through a CodeDeploy canary; -c canary=false deploys them at once.
        canary = self.node.try_get_context("canary") not in (False, "false")
        functions = FunctionFactory(self, "Functions", naming=naming, removal=removal, log_retention=retention, canary=canary)
        foundation = Foundation(functions=functions, data=data, security=security, message_retention_days=message_retention_days)

        knowledge = KnowledgeBase(self, "KnowledgeBase", foundation=foundation)
        tasks = WorkflowTasks(self, "WorkflowTasks", foundation=foundation, naming=naming, search=knowledge.search)
        notifications = Notifications(self, "Notifications", naming=naming)
        workflows = TicketWorkflows(
            self,
            "Workflows",
            naming=naming,
            tickets=data.tickets,
            escalation=tasks.escalation,
            after_sales=tasks.after_sales,
            topics=notifications.topics,
            removal=removal,
            log_retention=retention,
        )
        messaging = Messaging(self, "Messaging", foundation=foundation, workflows=workflows, search=knowledge.search)
        desk = AgentDesk(self, "AgentDesk", foundation=foundation, workflows=workflows)
        operations = Operations(
            self,
            "Operations",
            foundation=foundation,
            alert_topics=notifications.alerts,
            watched=[
                messaging.intake,
                messaging.routing,
                knowledge.search,
                desk.tickets,
                tasks.escalation,
                tasks.after_sales,
                messaging.outbox,
                desk.followups,
            ],
        )
        stream_consumers = {
            data.outbox_dlq: messaging.outbox,
            data.ticket_events_dlq: desk.followups,
            data.analytics_dlq: operations.analytics,
            data.quality_dlq: operations.quality,
        }
        administration = Administration(
            self, "Administration", foundation=foundation, ticket_retention_days=ticket_retention_days, stream_consumers=stream_consumers
        )
        groups: list[FunctionGroup] = [messaging, knowledge, desk, operations, administration]

        mfa_required = stage != "dev"
        directory = AgentDirectory(self, "Agents", naming=naming, removal=removal, mfa_required=mfa_required)
        console = ConsoleHosting(self, "Console", region=self.region, removal=removal)
        api = HttpApi(
            self,
            "Http",
            naming=naming,
            channel_routes={route: function for group in groups for route, function in group.channel_routes.items()},
            agent_routes={route: function for group in groups for route, function in group.agent_routes.items()},
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
            VectorCollection(self, "Knowledge", naming=naming, reader=knowledge.search, writer=knowledge.ingest)
        elif opensearch == "domain":
            search_domain = SearchDomain(
                self,
                "KnowledgeDomain",
                naming=naming,
                reader=knowledge.search,
                writer=knowledge.ingest,
                removal=removal,
                log_retention=retention,
            ).domain

        Observability(
            self,
            "Observability",
            naming=naming,
            red=notifications.alerts["red"],
            functions=[  # the ones the red alert level watches first, as on the dashboard; every version's errors
                alias.version.lambda_
                for alias in (
                    *operations.monitored,
                    desk.conversations,
                    desk.supply,
                    messaging.sentiment,
                    knowledge.ingest,
                    operations.insights,
                    operations.forecast,
                    administration.admin,
                )
            ],
            queues={"inbound": data.inbound, "knowledge-events": data.knowledge_events},
            dead_letter_queues=data.dead_letters,
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
            channel_secrets=list(security.channel_keys.values()),
            knowledge_bucket=data.knowledge_bucket,
            stream_dead_letters=list(stream_consumers),
            user_pool=directory.user_pool,
            mfa_required=mfa_required,
            search_domain=search_domain,
        )
