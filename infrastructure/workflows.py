"""The ticket workflows (Step Functions Standard), defined once here and run as they are by AWS and
by the local stack:

- ``sla``: wait until each due time; on a breach raise the tier, re-queue, notify, tell the customer;
  P1 tickets reach the supervisors at once, and a VIP's first-response breach too.
- ``takeover``: angry or threatening customers are offered to a supervisor, who accepts with a task
  token callback; no acceptance before the timeout offers them one level up.
- ``recovery``: a bad CSAT opens a task for a manager, whose decision (a coupon, an apology) is carried out.
- ``aftercare``: 24 hours after a resolution without a CSAT answer, the customer gets a follow-up.
- ``after_sales``: eligibility from the order and the brand's return policy, pickup, warehouse
  inspection (a task token callback), then a refund (retried on transient errors) or a replacement.

Reads and notifications are direct service integrations (DynamoDB GetItem, SNS Publish); steps with
logic are Lambda tasks. Every task has a Retry and a Catch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infrastructure.constants import TAKEOVER_WORKFLOW
from infrastructure.naming import Naming

TICKET_KEY = {
    "pk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.ticket_key.pk")),
    "sk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.ticket_key.sk")),
}
LAMBDA_ERRORS = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"]
DONE_STATUSES = ("resolved", "closed")


@dataclass(frozen=True)
class Topics:
    supervisors: sns.ITopic  # takeover offers, P1 tickets, VIP first-response breaches
    escalations: sns.ITopic  # SLA breaches, unaccepted offers, overdue tasks, workflow failures
    managers: sns.ITopic  # service recovery tasks


class _Builder:
    """States of one state machine, with the project's retry and failure handling."""

    def __init__(self, scope: Construct, prefix: str, topics: Topics) -> None:
        self._scope = scope
        self._prefix = prefix
        self._topics = topics
        notify = tasks.SnsPublish(
            scope,
            f"{prefix}NotifyFailure",
            state_name="NotifyFailure",
            topic=topics.escalations,
            message=sfn.TaskInput.from_object(
                {"kind": "workflow_failed", "workflow": prefix, "ticket_id": sfn.JsonPath.string_at("$.ticket_id"), "error.$": "$.error"}
            ),
            result_path=sfn.JsonPath.DISCARD,
        )
        failed = sfn.Fail(scope, f"{prefix}Failed", state_name="Failed", error="WorkflowFailed", cause="A task failed after its retries")
        notify.add_retry(errors=["States.TaskFailed"], interval=Duration.seconds(1), max_attempts=2)
        notify.add_catch(failed, result_path="$.notify_error")
        self.failed = notify.next(failed)

    def lambda_task(
        self,
        name: str,
        function: lambda_.IFunction,
        task: str,
        *,
        result_path: str | None = None,
        wait_for_token: bool = False,
        timeout_path: str | None = None,
        retry_errors: list[str] | None = None,
        on_timeout: sfn.IChainable | None = None,
        **inputs: Any,
    ) -> tasks.LambdaInvoke:
        payload: dict[str, Any] = {
            "task": task,
            "brand_id": sfn.JsonPath.string_at("$.brand_id"),
            "ticket_id": sfn.JsonPath.string_at("$.ticket_id"),
            "execution": sfn.JsonPath.string_at("$$.Execution.Id"),
            **inputs,
        }
        if wait_for_token:
            payload["token"] = sfn.JsonPath.task_token
        state = tasks.LambdaInvoke(
            self._scope,
            f"{self._prefix}{name}",
            state_name=name,
            lambda_function=function,
            payload=sfn.TaskInput.from_object(payload),
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN if wait_for_token else sfn.IntegrationPattern.REQUEST_RESPONSE,
            result_selector=None if wait_for_token else {"value.$": "$.Payload"},
            result_path=result_path or sfn.JsonPath.DISCARD,
            task_timeout=sfn.Timeout.at(timeout_path) if timeout_path else None,
            retry_on_service_exceptions=False,
        )
        state.add_retry(errors=LAMBDA_ERRORS, interval=Duration.seconds(1), max_attempts=3, backoff_rate=2)
        if retry_errors:
            state.add_retry(errors=retry_errors, interval=Duration.seconds(1), max_attempts=5, backoff_rate=2)
        if on_timeout is not None:
            state.add_catch(on_timeout, errors=["States.Timeout"], result_path="$.timed_out")
        state.add_catch(self.failed, result_path="$.error")
        return state

    def notify(self, name: str, topic: sns.ITopic, kind: str, **fields: Any) -> tasks.SnsPublish:
        state = tasks.SnsPublish(
            self._scope,
            f"{self._prefix}{name}",
            state_name=name,
            topic=topic,
            message=sfn.TaskInput.from_object(
                {
                    "kind": kind,
                    "brand_id": sfn.JsonPath.string_at("$.brand_id"),
                    "ticket_id": sfn.JsonPath.string_at("$.ticket_id"),
                    **fields,
                }
            ),
            result_path=sfn.JsonPath.DISCARD,
        )
        state.add_retry(errors=["States.TaskFailed"], interval=Duration.seconds(1), max_attempts=3, backoff_rate=2)
        state.add_catch(self.failed, result_path="$.error")
        return state

    def read_ticket(self, name: str, table: dynamodb.ITable) -> tasks.DynamoGetItem:
        state = tasks.DynamoGetItem(
            self._scope, f"{self._prefix}{name}", state_name=name, table=table, key=TICKET_KEY, consistent_read=True, result_path="$.ticket"
        )
        state.add_retry(errors=["States.TaskFailed"], interval=Duration.seconds(1), max_attempts=3, backoff_rate=2)
        state.add_catch(self.failed, result_path="$.error")
        return state

    def choice(self, name: str) -> sfn.Choice:
        return sfn.Choice(self._scope, f"{self._prefix}{name}", state_name=name)

    def succeed(self, name: str) -> sfn.Succeed:
        return sfn.Succeed(self._scope, f"{self._prefix}{name}", state_name=name)

    def wait(self, name: str, timestamp_path: str | None = None, seconds_path: str | None = None) -> sfn.Wait:
        time = sfn.WaitTime.timestamp_path(timestamp_path) if timestamp_path else sfn.WaitTime.seconds_path(str(seconds_path))
        return sfn.Wait(self._scope, f"{self._prefix}{name}", state_name=name, time=time)


def _status_is(*statuses: str) -> sfn.Condition:
    present = sfn.Condition.is_present("$.ticket.Item.status.S")
    return sfn.Condition.and_(present, sfn.Condition.or_(*(sfn.Condition.string_equals("$.ticket.Item.status.S", s) for s in statuses)))


class TicketWorkflows(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        naming: Naming,
        tickets: dynamodb.ITable,
        escalation: lambda_.IFunction,
        after_sales: lambda_.IFunction,
        topics: Topics,
        removal: RemovalPolicy,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self._naming = naming
        self._removal = removal
        self._retention = log_retention
        self.sla = self._machine("sla", self._sla(tickets, escalation, topics))
        self.takeover = self._machine(TAKEOVER_WORKFLOW, self._takeover(escalation, topics))
        self.recovery = self._machine("recovery", self._recovery(escalation, topics))
        self.aftercare = self._machine("aftercare", self._aftercare(tickets, escalation, topics))
        self.after_sales = self._machine("after-sales", self._after_sales(after_sales, topics), timeout=Duration.days(60))
        self.all = [self.sla, self.takeover, self.recovery, self.aftercare, self.after_sales]

    def _sla(self, tickets: dynamodb.ITable, escalation: lambda_.IFunction, topics: Topics) -> sfn.IChainable:
        b = _Builder(self, "Sla", topics)
        resolution_met = b.succeed("ResolutionMet")
        resolution_breach = (
            b.lambda_task("BreachResolution", escalation, "breach", kind="resolution", result_path="$.breach")
            .next(
                b.notify(
                    "PublishResolutionBreach",
                    topics.escalations,
                    "resolution_breached",
                    severity=sfn.JsonPath.string_at("$.breach.value.severity"),
                )
            )
            .next(b.succeed("ResolutionBreached"))
        )
        wait_resolution = (
            b.wait("WaitForResolutionDue", timestamp_path="$.resolution_due")
            .next(b.read_ticket("ReadAtResolutionDue", tickets))
            .next(b.choice("Resolved").when(_status_is(*DONE_STATUSES), resolution_met).otherwise(resolution_breach))
        )
        breach_first = (
            b.lambda_task("BreachFirstResponse", escalation, "breach", kind="first_response", result_path="$.breach")
            .next(
                b.notify(
                    "PublishFirstResponseBreach",
                    topics.escalations,
                    "first_response_breached",
                    severity=sfn.JsonPath.string_at("$.breach.value.severity"),
                )
            )
            .next(
                b.choice("VipOrP1")
                .when(
                    sfn.Condition.boolean_equals("$.breach.value.notify_supervisor", True),
                    b.notify(
                        "NotifySupervisorsOfBreach",
                        topics.supervisors,
                        "first_response_breached",
                        severity=sfn.JsonPath.string_at("$.breach.value.severity"),
                    ).next(wait_resolution),
                )
                .otherwise(wait_resolution)
            )
        )
        responded = sfn.Condition.or_(sfn.Condition.is_present("$.ticket.Item.first_responded_at"), _status_is(*DONE_STATUSES))
        watch = (
            b.wait("WaitForFirstResponseDue", timestamp_path="$.first_response_due")
            .next(b.read_ticket("ReadAtFirstResponseDue", tickets))
            .next(b.choice("FirstResponded").when(responded, wait_resolution).otherwise(breach_first))
        )
        return (
            b.choice("P1")
            .when(
                sfn.Condition.boolean_equals("$.notify_supervisor_at_once", True),
                b.notify("NotifySupervisorsOfP1", topics.supervisors, "p1_opened", severity=sfn.JsonPath.string_at("$.severity")).next(
                    watch
                ),
            )
            .otherwise(watch)
        )

    def _takeover(self, escalation: lambda_.IFunction, topics: Topics) -> sfn.IChainable:
        b = _Builder(self, "Takeover", topics)
        unaccepted = (
            b.lambda_task("RecordUnaccepted", escalation, "unaccepted", level=sfn.JsonPath.number_at("$.offer.level"))
            .next(b.notify("NotifyUnaccepted", topics.escalations, "takeover_unaccepted", level=sfn.JsonPath.number_at("$.offer.level")))
            .next(b.succeed("NobodyAccepted"))
        )
        raise_level = sfn.Pass(
            self,
            "TakeoverRaiseLevel",
            state_name="RaiseLevel",
            parameters={"level.$": "States.MathAdd($.offer.level, 1)"},
            result_path="$.offer",
        )
        more_levels = (
            b.choice("HigherLevelLeft")
            .when(sfn.Condition.number_less_than_json_path("$.offer.level", "$.max_level"), raise_level)
            .otherwise(unaccepted)
        )
        await_supervisor = b.lambda_task(
            "AwaitSupervisor",
            escalation,
            "offer",
            result_path="$.accepted",
            wait_for_token=True,
            timeout_path="$.timeout_seconds",
            on_timeout=more_levels,
            level=sfn.JsonPath.number_at("$.offer.level"),
            reason=sfn.JsonPath.string_at("$.reason"),
        ).next(b.succeed("Accepted"))
        offer = (
            b.choice("FirstLevel")
            .when(
                sfn.Condition.number_equals("$.offer.level", 1),
                b.notify(
                    "OfferToSupervisors",
                    topics.supervisors,
                    "takeover_offered",
                    reason=sfn.JsonPath.string_at("$.reason"),
                    level=sfn.JsonPath.number_at("$.offer.level"),
                ).next(await_supervisor),
            )
            .otherwise(
                b.notify(
                    "OfferToHeadOfService",
                    topics.escalations,
                    "takeover_offered",
                    reason=sfn.JsonPath.string_at("$.reason"),
                    level=sfn.JsonPath.number_at("$.offer.level"),
                ).next(await_supervisor)
            )
        )
        raise_level.next(offer)
        start = sfn.Pass(self, "TakeoverStart", state_name="Start", parameters={"level": 1}, result_path="$.offer")
        return start.next(offer)

    def _recovery(self, escalation: lambda_.IFunction, topics: Topics) -> sfn.IChainable:
        b = _Builder(self, "Recovery", topics)
        apologize = b.lambda_task("Apologize", escalation, "apologize", decision=sfn.JsonPath.object_at("$.decision")).next(
            b.succeed("Recovered")
        )
        coupon = b.lambda_task("IssueCoupon", escalation, "coupon", decision=sfn.JsonPath.object_at("$.decision")).next(apologize)
        overdue = b.notify("RecoveryOverdue", topics.escalations, "recovery_overdue").next(b.succeed("RecoveryNotDone"))
        return (
            b.notify("NotifyManagers", topics.managers, "recovery_needed", csat=sfn.JsonPath.number_at("$.csat"))
            .next(
                b.lambda_task(
                    "AwaitManager",
                    escalation,
                    "recovery",
                    result_path="$.decision",
                    wait_for_token=True,
                    timeout_path="$.timeout_seconds",
                    on_timeout=overdue,
                    csat=sfn.JsonPath.number_at("$.csat"),
                )
            )
            .next(
                b.choice("CouponGranted")
                .when(sfn.Condition.number_greater_than("$.decision.coupon_amount", 0), coupon)
                .otherwise(apologize)
            )
        )

    def _aftercare(self, tickets: dynamodb.ITable, escalation: lambda_.IFunction, topics: Topics) -> sfn.IChainable:
        b = _Builder(self, "Aftercare", topics)
        follow_up = b.lambda_task("FollowUp", escalation, "follow_up").next(b.succeed("FollowedUp"))
        return (
            b.wait("WaitForCsat", seconds_path="$.follow_up_after_seconds")
            .next(b.read_ticket("ReadAfterWaiting", tickets))
            .next(b.choice("CsatGiven").when(sfn.Condition.is_present("$.ticket.Item.csat"), b.succeed("Answered")).otherwise(follow_up))
        )

    def _after_sales(self, after_sales: lambda_.IFunction, topics: Topics) -> sfn.IChainable:
        b = _Builder(self, "AfterSales", topics)
        return_id = sfn.JsonPath.string_at("$.return_id")
        refund = b.lambda_task("Refund", after_sales, "refund", return_id=return_id, retry_errors=["TransientSupplyError"]).next(
            b.succeed("Refunded")
        )
        exchange = b.lambda_task(
            "ShipReplacement", after_sales, "exchange", return_id=return_id, retry_errors=["TransientSupplyError"]
        ).next(b.succeed("Exchanged"))
        failed_inspection = b.lambda_task(
            "InspectionFailed", after_sales, "inspection_failed", return_id=return_id, inspection=sfn.JsonPath.object_at("$.inspection")
        ).next(b.succeed("SentBack"))
        overdue = b.notify("InspectionOverdue", topics.escalations, "inspection_overdue", return_id=return_id).next(
            b.succeed("InspectionNotDone")
        )
        verdict = (
            b.choice("InspectionPassed")
            .when(sfn.Condition.boolean_equals("$.inspection.passed", False), failed_inspection)
            .when(sfn.Condition.string_equals("$.kind", "exchange"), exchange)
            .otherwise(refund)
        )
        after_pickup = b.lambda_task(
            "AwaitInspection",
            after_sales,
            "await_inspection",
            result_path="$.inspection",
            wait_for_token=True,
            timeout_path="$.inspection_timeout_seconds",
            on_timeout=overdue,
            return_id=return_id,
        ).next(verdict)
        pickup = b.lambda_task("SchedulePickup", after_sales, "pickup", return_id=return_id, retry_errors=["TransientSupplyError"]).next(
            after_pickup
        )
        return b.lambda_task(
            "CheckEligibility",
            after_sales,
            "eligibility",
            return_id=return_id,
            result_path="$.eligibility",
            retry_errors=["TransientSupplyError"],
        ).next(
            b.choice("Eligible")
            .when(sfn.Condition.boolean_equals("$.eligibility.value.eligible", True), pickup)
            .otherwise(b.succeed("NotEligible"))
        )

    def _machine(self, name: str, definition: sfn.IChainable, timeout: Duration = Duration.days(30)) -> sfn.StateMachine:
        log_group = logs.LogGroup(
            self,
            f"{name.title().replace('-', '')}Logs",
            log_group_name=f"/aws/vendedlogs/states/{self._naming(name)}",
            retention=self._retention,
            removal_policy=self._removal,
        )
        return sfn.StateMachine(
            self,
            f"{name.title().replace('-', '')}StateMachine",
            state_machine_name=self._naming(name),
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            timeout=timeout,
        )
