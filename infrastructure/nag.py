"""cdk-nag (AwsSolutions) acknowledgments. Each one carries the reason it is safe."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

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


def suppress_findings(
    stack: Stack,
    *,
    indexed_tables: list[dynamodb.Table],
    invoked_functions: dict[lambda_.Function, str],
    knowledge_bucket: s3.Bucket,
) -> None:
    """``invoked_functions``: functions another function or a state machine invokes, with who does."""
    acknowledgments = [Acknowledgment(id=rule, reason=reason) for rule, reason in STACK_WIDE.items()]
    Validations.of(knowledge_bucket).acknowledge(
        Acknowledgment(
            id="AwsSolutions-S1",
            reason="Knowledge files are curated uploads, versioned in the bucket; a second bucket for access logs would "
            "itself be unlogged. Deployers who need object-level audit turn on CloudTrail data events.",
        )
    )
    bucket_id = _logical_id(stack, knowledge_bucket.node.default_child)  # type: ignore[arg-type]
    reading = "The search function reads the index artifact, and only the objects under index/ (grant_read with a key prefix)."
    acknowledgments += [
        Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]", reason=reading)
        for action in ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
    ]
    acknowledgments.append(Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/index/*]", reason=reading))
    ingesting = (
        "The ingest function reads every knowledge file and the previous index, writes the new index "
        "under index/ and deletes older builds there (s3:Abort* lets it abandon a failed multipart upload)."
    )
    acknowledgments += [
        Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]", reason=ingesting),
        Acknowledgment(id="AwsSolutions::AwsSolutions-IAM5[Action::s3:Abort*]", reason=ingesting),
        Acknowledgment(id="AwsSolutions::AwsSolutions-IAM5[Action::s3:DeleteObject*]", reason=ingesting),
    ]
    for table in indexed_tables:
        table_id = _logical_id(stack, table.node.default_child)  # type: ignore[arg-type]
        acknowledgments.append(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{table_id}.Arn>/index/*]",
                reason="Table grants include the table's own secondary indexes, needed to query them.",
            )
        )
    for function, caller in invoked_functions.items():
        function_id = _logical_id(stack, function.node.default_child)  # type: ignore[arg-type]
        acknowledgments.append(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
                reason=f"{caller} may invoke this one function's versions and aliases (grant_invoke), nothing else.",
            )
        )
    Validations.of(stack).acknowledge(*acknowledgments)
