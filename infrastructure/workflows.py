"""The escalation state machine: watch the first-response SLA of a new ticket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infrastructure.naming import Naming

TICKET_KEY = {
    "pk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.ticket_key.pk")),
    "sk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.ticket_key.sk")),
}
RETRYABLE = ["States.TaskFailed", "States.Timeout"]


class EscalationWorkflow(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        naming: Naming,
        tickets: dynamodb.ITable,
        check_first_response: lambda_.IFunction,
        removal: RemovalPolicy,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        failed = sfn.Fail(self, "EscalationFailed", error="EscalationFailed", cause="A task failed after its retries")

        def resilient(task: sfn.TaskStateBase) -> sfn.TaskStateBase:
            task.add_retry(errors=RETRYABLE, interval=Duration.seconds(2), max_attempts=3, backoff_rate=2)
            task.add_catch(failed, result_path="$.error")
            return task

        def mark(state_id: str, sla_state: str) -> sfn.TaskStateBase:
            return resilient(
                tasks.DynamoUpdateItem(
                    self,
                    state_id,
                    table=tickets,
                    key=TICKET_KEY,
                    update_expression="SET sla_state = :state",
                    expression_attribute_values={":state": tasks.DynamoAttributeValue.from_string(sla_state)},
                    result_path=sfn.JsonPath.DISCARD,
                )
            )

        breach_event = resilient(
            tasks.DynamoPutItem(
                self,
                "RecordBreachInHistory",
                table=tickets,
                item={
                    "pk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.ticket_key.pk")),
                    "sk": tasks.DynamoAttributeValue.from_string(
                        sfn.JsonPath.format("EVENT#{}#0001", sfn.JsonPath.string_at("$$.State.EnteredTime"))
                    ),
                    "at": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$$.State.EnteredTime")),
                    "actor": tasks.DynamoAttributeValue.from_string("escalation"),
                    "action": tasks.DynamoAttributeValue.from_string("first_response_breached"),
                },
                result_path=sfn.JsonPath.DISCARD,
            )
        )
        check = resilient(
            tasks.LambdaInvoke(
                self,
                "CheckFirstResponse",
                lambda_function=check_first_response,
                payload=sfn.TaskInput.from_object(
                    {
                        "brand_id": sfn.JsonPath.string_at("$.brand_id"),
                        "ticket_id": sfn.JsonPath.string_at("$.ticket_id"),
                        "first_response_due": sfn.JsonPath.string_at("$.first_response_due"),
                        "correlation_id": sfn.JsonPath.string_at("$.correlation_id"),
                    }
                ),
                result_selector={"breached.$": "$.Payload.breached", "status.$": "$.Payload.status"},
                result_path="$.first_response",
                retry_on_service_exceptions=False,
            )
        )
        definition = (
            mark("StartSlaWatch", "watching")
            .next(sfn.Wait(self, "WaitForFirstResponseDue", time=sfn.WaitTime.timestamp_path("$.first_response_due")))
            .next(check)
            .next(
                sfn.Choice(self, "FirstResponseBreached")
                .when(
                    sfn.Condition.boolean_equals("$.first_response.breached", True),
                    mark("MarkFirstResponseBreached", "first_response_breached").next(breach_event).next(sfn.Succeed(self, "Escalated")),
                )
                .otherwise(mark("MarkFirstResponseMet", "first_response_met").next(sfn.Succeed(self, "FirstResponseMet")))
            )
        )
        log_group = logs.LogGroup(
            self, "Logs", log_group_name=f"/aws/vendedlogs/states/{naming('escalation')}", retention=log_retention, removal_policy=removal
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=naming("escalation"),
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            timeout=Duration.days(7),
        )
