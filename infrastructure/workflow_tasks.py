"""The functions the ticket workflows run as Lambda tasks: the SLA, takeover, recovery and follow-up
steps (escalation) and the after-sales steps."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infrastructure.constants import TAKEOVER_WORKFLOW
from infrastructure.foundation import Foundation, FunctionGroup
from infrastructure.naming import Naming


class WorkflowTasks(FunctionGroup):
    def __init__(self, scope: Construct, construct_id: str, *, foundation: Foundation, naming: Naming, search: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        functions, data = foundation.functions, foundation.data
        stores = {**foundation.conversation_store, **foundation.ticket_store, **foundation.supply_store}
        self.escalation = functions.python("Escalation", "escalation", environment=stores)
        self.after_sales = functions.python(
            "AfterSales",
            "aftersales",
            environment={**stores, "SEARCH_FUNCTION_NAME": search.function_name},
            timeout=Duration.seconds(30),
        )
        search.grant_invoke(self.after_sales)
        for task in (self.escalation, self.after_sales):
            data.tickets.grant_read_write_data(task)
            foundation.append_history(task)
            data.conversations.grant(task, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query")
            data.supply.grant_read_write_data(task)
        # A takeover offer made after the supervisor already took over answers its own wait. By name:
        # the machine's ARN would make the function depend on the machine that calls it.
        takeover_arn = Stack.of(self).format_arn(
            service="states", resource="stateMachine", resource_name=naming(TAKEOVER_WORKFLOW), arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        self.escalation.add_to_role_policy(iam.PolicyStatement(actions=["states:SendTaskSuccess"], resources=[takeover_arn]))
