"""The agents' desk: conversations, tickets (and the survey answers customers send through their
channel), orders and parcels; follow-ups start from the ticket history's stream."""

from __future__ import annotations

from constructs import Construct

from infrastructure.constants import EXPERIMENTS_REFRESH_SECONDS
from infrastructure.foundation import Foundation, FunctionGroup, stream_of
from infrastructure.workflows import TicketWorkflows

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


class AgentDesk(FunctionGroup):
    def __init__(self, scope: Construct, construct_id: str, *, foundation: Foundation, workflows: TicketWorkflows) -> None:
        super().__init__(scope, construct_id)
        functions, data = foundation.functions, foundation.data
        audit_log = data.environment(data.audit)

        self.conversations = functions.python(
            "Conversations",
            "conversations",
            environment={**foundation.conversation_store, **audit_log, **data.environment(data.tickets)},
        )
        data.conversations.grant_read_data(self.conversations)
        data.tickets.grant(self.conversations, "dynamodb:GetItem")  # an agent reads a conversation only with a ticket of theirs

        self.tickets = functions.python(
            "Tickets",
            "tickets",
            environment={
                **foundation.conversation_store,
                **foundation.ticket_store,
                **foundation.channel_keys,
                **audit_log,
                "AFTER_SALES_STATE_MACHINE_ARN": workflows.after_sales.state_machine_arn,
                "INSPECTION_TIMEOUT_SECONDS": str(14 * 24 * 3600),
                **data.environment(data.analytics),
                "EXPERIMENTS_REFRESH_SECONDS": EXPERIMENTS_REFRESH_SECONDS,
            },
        )
        data.analytics.grant(self.tickets, "dynamodb:Query")  # the running experiment may word the survey
        data.tickets.grant_read_write_data(self.tickets)
        foundation.append_history(self.tickets)
        data.conversations.grant(self.tickets, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query")
        workflows.after_sales.grant_start_execution(self.tickets)
        for machine in workflows.all:
            machine.grant_task_response(self.tickets)
        foundation.serve_channels(self.tickets)  # survey answers
        for audited in (self.conversations, self.tickets):
            data.audit.grant(audited, "dynamodb:PutItem")

        self.supply = functions.python("Supply", "supply", environment=foundation.supply_store)
        data.supply.grant_read_data(self.supply)

        # Resolutions start the aftercare follow-up, bad CSAT answers service recovery.
        self.followups = functions.python(
            "Followups",
            "followups",
            environment={
                **foundation.ticket_store,
                "AFTERCARE_STATE_MACHINE_ARN": workflows.aftercare.state_machine_arn,
                "RECOVERY_STATE_MACHINE_ARN": workflows.recovery.state_machine_arn,
                "FOLLOW_UP_AFTER_SECONDS": str(24 * 3600),
                "RECOVERY_TIMEOUT_SECONDS": str(24 * 3600),
            },
        )
        workflows.aftercare.grant_start_execution(self.followups)
        workflows.recovery.grant_start_execution(self.followups)
        self.followups.add_event_source(stream_of(data.ticket_history, data.ticket_events_dlq, {"action": {"S": ["resolve", "csat"]}}))

        self.channel_routes = {"POST /v1/surveys/{ticket_id}": self.tickets}
        self.agent_routes = {
            "GET /v1/conversations/{conversation_id}": self.conversations,
            "GET /v1/customers/{customer_id}/conversations": self.conversations,
            "GET /v1/live-sessions/{live_session_id}/clusters": self.conversations,
            "GET /v1/agents/me/queue": self.tickets,
            "GET /v1/tickets/{ticket_id}": self.tickets,
            **{f"POST /v1/tickets/{{ticket_id}}/{action}": self.tickets for action in TICKET_ACTIONS},
            "GET /v1/returns/{return_id}": self.tickets,
            "POST /v1/returns/{return_id}/inspection": self.tickets,
            "GET /v1/orders/{order_id}": self.supply,
            "GET /v1/customers/{customer_id}/orders": self.supply,
            "GET /v1/inventory/{sku}": self.supply,
            "GET /v1/shipments/{tracking_number}": self.supply,
        }
