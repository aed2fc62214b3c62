"""Customers' messages in and replies out: intake queues each message, routing understands it and answers,
hands it over or opens a ticket, the outbox delivers every reply from the conversation table's stream;
sentiment is the channels' own scoring."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infrastructure.constants import EXPERIMENTS_REFRESH_SECONDS
from infrastructure.foundation import Foundation, FunctionGroup, stream_of
from infrastructure.workflows import TicketWorkflows


class Messaging(FunctionGroup):
    def __init__(
        self, scope: Construct, construct_id: str, *, foundation: Foundation, workflows: TicketWorkflows, search: lambda_.IFunction
    ) -> None:
        super().__init__(scope, construct_id)
        functions, data = foundation.functions, foundation.data
        conversation_store, channel_keys = foundation.conversation_store, foundation.channel_keys

        self.intake = functions.python(
            "Intake", "intake", environment={**conversation_store, **channel_keys, "INBOUND_QUEUE_URL": data.inbound.queue_url}
        )
        data.conversations.grant(self.intake, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem")
        data.idempotency.grant_read_write_data(self.intake)
        data.inbound.grant_send_messages(self.intake)

        self.routing = functions.python(
            "Routing",
            "routing",
            environment={
                **conversation_store,
                **foundation.ticket_store,
                "SLA_STATE_MACHINE_ARN": workflows.sla.state_machine_arn,
                "TAKEOVER_STATE_MACHINE_ARN": workflows.takeover.state_machine_arn,
                "TAKEOVER_TIMEOUT_SECONDS": "120",
                "SEARCH_FUNCTION_NAME": search.function_name,
                **foundation.supply_store,
                **data.environment(data.analytics),
                "EXPERIMENTS_REFRESH_SECONDS": EXPERIMENTS_REFRESH_SECONDS,
            },
            timeout=Duration.seconds(30),
            memory_size=1024,  # the embedder: about 150 MB, and CPU for one embedding per message
            embedding=True,
        )
        search.grant_invoke(self.routing)
        data.supply.grant_read_data(self.routing)  # self-service: the customer's orders, parcels, stock
        data.analytics.grant(self.routing, "dynamodb:Query")  # the brand's running experiment
        data.conversations.grant_read_write_data(self.routing)
        data.customers.grant_read_write_data(self.routing)
        data.tickets.grant_read_write_data(self.routing)
        foundation.append_history(self.routing)
        data.idempotency.grant_read_write_data(self.routing)
        workflows.sla.grant_start_execution(self.routing)
        workflows.takeover.grant_start_execution(self.routing)
        self.routing.add_event_source(
            sources.SqsEventSource(data.inbound, batch_size=10, max_batching_window=Duration.seconds(1), report_batch_item_failures=True)
        )

        self.sentiment = functions.python(
            "Sentiment", "sentiment", environment={**channel_keys, **foundation.idempotency}, memory_size=1024, embedding=True
        )
        for channel_function in (self.intake, self.sentiment):
            foundation.serve_channels(channel_function)
        self.channel_routes = {"POST /v1/messages": self.intake, "POST /v1/sentiment": self.sentiment}

        self.outbox = functions.python("Outbox", "outbox", environment={**conversation_store, **channel_keys, "CHANNEL_WEBHOOKS": "{}"})
        data.conversations.grant(self.outbox, "dynamodb:GetItem", "dynamodb:UpdateItem")  # read the reply, stamp its delivery
        foundation.read_channel_keys(self.outbox)  # the brand's channel key signs each webhook
        self.outbox.add_event_source(stream_of(data.conversations, data.outbox_dlq, {"author": {"S": ["bot", "agent"]}}))
