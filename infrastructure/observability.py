"""The CloudWatch dashboard, and the red-level alarms that page even when LiveDesk's own functions
are down. The alerts function evaluates all three levels from livedesk/analytics/alerts.json and
sends them to their topics; these alarms read the same file for their thresholds."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infrastructure.naming import Naming

NAMESPACE = "LiveDesk"
ALERT_RULES = Path(__file__).resolve().parent.parent / "layers" / "shared" / "python" / "livedesk" / "analytics" / "alerts.json"


def _emf(name: str, statistic: str = "Sum", period: Duration = Duration.minutes(5)) -> cw.Metric:
    """A metric the analytics function emits (CloudWatch embedded metric format, dimension: its service name)."""
    return cw.Metric(namespace=NAMESPACE, metric_name=name, dimensions_map={"service": "analytics"}, statistic=statistic, period=period)


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        naming: Naming,
        red: sns.ITopic,
        functions: list[lambda_.IFunction],
        queues: dict[str, sqs.IQueue],
        dead_letter_queues: dict[str, sqs.IQueue],
        state_machines: list[sfn.StateMachine],
    ) -> None:
        super().__init__(scope, construct_id)
        rules = json.loads(ALERT_RULES.read_text(encoding="utf-8"))["red"]
        page = actions.SnsAction(red)
        window = Duration.minutes(rules["window_minutes"])

        def alarm(name: str, metric: cw.IMetric, threshold: float, description: str) -> cw.Alarm:
            created = cw.Alarm(
                self,
                name,
                alarm_name=naming(f"red-{name}"),
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            )
            created.add_alarm_action(page)
            return created

        self.alarms = [
            alarm(
                f"Dlq{name.title().replace('-', '')}",
                queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1), statistic="Maximum"),
                rules["dlq_messages"],
                f"{name} holds messages that failed every retry",
            )
            for name, queue in dead_letter_queues.items()
        ]
        self.alarms.append(alarm("P1Breach", _emf("SlaBreachesP1", period=window), rules["p1_breaches"], "A P1 ticket missed its SLA"))
        for function in functions:
            node = function.node.id
            self.alarms.append(
                alarm(
                    f"Errors{node}",
                    function.metric_errors(period=window),
                    rules["function_errors"],
                    f"{node} errors over {window.to_minutes()} min",
                )
            )
        for machine in state_machines:
            node = machine.node.id.replace("StateMachine", "")
            self.alarms.append(alarm(f"Failed{node}", machine.metric_failed(period=window), 1, f"{node} executions failed"))

        containment = cw.MathExpression(
            expression="100 * bot / (bot + people)",
            using_metrics={"bot": _emf("BotHandled"), "people": _emf("HumanHandoffs")},
            label="bot containment %",
            period=Duration.minutes(5),
        )
        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=naming("operations"))
        dashboard.add_widgets(
            cw.GraphWidget(title="Messages routed, by who answered", left=[_emf("BotHandled"), _emf("HumanHandoffs")], width=12),
            cw.GraphWidget(
                title="Bot containment and understanding", left=[containment], right=[_emf("IntentConfidence", "Average")], width=12
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Tickets and SLA breaches", left=[_emf("TicketsCreated"), _emf("SlaBreachesP1"), _emf("SlaBreachesOther")], width=8
            ),
            cw.GraphWidget(
                title="Negative messages and CSAT", left=[_emf("NegativeMessages")], right=[_emf("CsatScore", "Average")], width=8
            ),
            cw.AlarmStatusWidget(title="Red alarms", alarms=self.alarms, width=8),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Queue depths",
                left=[q.metric_approximate_number_of_messages_visible(label=n) for n, q in queues.items()],
                width=12,
            ),
            cw.GraphWidget(
                title="Dead-letter queues",
                left=[q.metric_approximate_number_of_messages_visible(label=n) for n, q in dead_letter_queues.items()],
                width=12,
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(title="Function errors", left=[f.metric_errors(label=f.node.id) for f in functions], width=8),
            cw.GraphWidget(title="Function throttles", left=[f.metric_throttles(label=f.node.id) for f in functions], width=8),
            cw.GraphWidget(
                title="Function duration p90", left=[f.metric_duration(label=f.node.id, statistic="p90") for f in functions], width=8
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Workflow executions failed",
                left=[m.metric_failed(label=m.node.id.replace("StateMachine", "")) for m in state_machines],
                width=24,
            )
        )
