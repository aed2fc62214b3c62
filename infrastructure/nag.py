"""cdk-nag (AwsSolutions) acknowledgments. Each one carries the reason it is safe."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

STACK_WIDE = {
    "AwsSolutions-L1": "Python 3.11 is pinned on purpose: the project, its tests and the staged layer wheels all target it.",
    "AwsSolutions-APIG4": (
        "The walking skeleton identifies the brand by header. Channel HMAC signatures and the Cognito JWT "
        "authorizer for agents are the scope of the trust issue (#7)."
    ),
    "AwsSolutions::AwsSolutions-IAM5[Resource::*]": (
        "Only actions that take no resource ARN: X-Ray PutTraceSegments/PutTelemetryRecords and the "
        "Step Functions log-delivery actions (logs:CreateLogDelivery and friends)."
    ),
}


def _logical_id(stack: Stack, resource: CfnElement) -> str:
    return str(stack.resolve(stack.get_logical_id(resource)))


def suppress_findings(stack: Stack, *, indexed_tables: list[dynamodb.Table], task_functions: list[lambda_.Function]) -> None:
    acknowledgments = [Acknowledgment(id=rule, reason=reason) for rule, reason in STACK_WIDE.items()]
    for table in indexed_tables:
        table_id = _logical_id(stack, table.node.default_child)  # type: ignore[arg-type]
        acknowledgments.append(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{table_id}.Arn>/index/*]",
                reason="Table grants include the table's own secondary indexes, needed to query them.",
            )
        )
    for function in task_functions:
        function_id = _logical_id(stack, function.node.default_child)  # type: ignore[arg-type]
        acknowledgments.append(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
                reason="A state machine may invoke the versions and aliases of its own task function.",
            )
        )
    Validations.of(stack).acknowledge(*acknowledgments)
