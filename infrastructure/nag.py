"""cdk-nag (AwsSolutions) acknowledgments. Each one carries the reason it is safe."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs

from infrastructure.constants import INDEX_PREFIX, QUALITY_RULES_PREFIX

STACK_WIDE = {
    "AwsSolutions-L1": "Python 3.11 is pinned on purpose: the project, its tests and the staged layer wheels all target it.",
    "AwsSolutions-APIG4": (
        "Agent routes use the Cognito JWT authorizer. Channel routes (messages, sentiment, survey answers) are signed by "
        "the channel (HMAC-SHA256 over time, method, path and body, five-minute window) and verified in the function "
        "against the channel's key in Secrets Manager before anything else runs."
    ),
    "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": (
        "grant_encrypt_decrypt on the one data key (its ARN is the only resource): GenerateDataKey* covers the "
        "WithoutPlaintext variant DynamoDB, SQS and Secrets Manager use for envelope encryption."
    ),
    "AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]": (
        "grant_encrypt_decrypt on the one data key (its ARN is the only resource): ReEncrypt* lets services re-wrap "
        "data keys under the same key when it rotates."
    ),
    "AwsSolutions-COG8": (
        "The Plus feature plan (threat protection) bills per monthly active user; agents are a small, known, "
        "admin-created group. A deployer who wants adaptive authentication switches the plan on."
    ),
    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]": (
        "The one CodeDeploy role the functions' canary deployments share: AWS's limited Lambda policy lets it read "
        "alarms and shift an alias between versions, and invoke only hook functions named CodeDeployHook_*."
    ),
    "AwsSolutions::AwsSolutions-IAM5[Resource::*]": (
        "Only actions that take no resource ARN: X-Ray PutTraceSegments/PutTelemetryRecords and the "
        "Step Functions log-delivery actions (logs:CreateLogDelivery and friends)."
    ),
}


SEARCH_DOMAIN = {
    "AwsSolutions-OS1": (
        "No VPC on purpose: the project runs without VPC or NAT (scale to zero), and every request to the domain "
        "is HTTPS and SigV4-signed, admitted only for the two roles in its access policy."
    ),
    "AwsSolutions-OS3": (
        "Access is restricted by IAM identity, not by IP: the access policy admits only the search role (searches of "
        "the knowledge index) and the ingest role; Lambda has no fixed source addresses to allowlist."
    ),
    "AwsSolutions-OS4": (
        "A single-node domain that a deployer opts into for a small knowledge index: three dedicated master nodes "
        "would add three billed instances to its one data node. Any ingest run refills the index from the knowledge files."
    ),
    "AwsSolutions-OS7": (
        "A single data node cannot span two zones: the opt-in domain trades availability for cost, and if the node is "
        "lost a rebuild (a direct invoke of the ingest function) refills the index from the knowledge files."
    ),
}


def _logical_id(stack: Stack, resource: CfnElement) -> str:
    return str(stack.resolve(stack.get_logical_id(resource)))


def suppress_findings(
    stack: Stack,
    *,
    indexed_tables: list[dynamodb.Table],
    knowledge_bucket: s3.Bucket,
    stream_dead_letters: list[sqs.Queue],
    user_pool: cognito.UserPool,
    mfa_required: bool,
    channel_secrets: list[secretsmanager.Secret],
    search_domain: opensearch.Domain | None = None,
) -> None:
    """``search_domain``: the opt-in OpenSearch domain (``-c opensearch=domain``)."""
    acknowledgments = [Acknowledgment(id=rule, reason=reason) for rule, reason in STACK_WIDE.items()]
    for secret in channel_secrets:
        Validations.of(secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="Brand signing keys are shared with the brand's channel integration: a scheduled rotation would cut the "
                "channel off. Onboarding rotates a brand's key by issuing a new one and retiring the old after the switch.",
            )
        )
    for queue in stream_dead_letters:
        Validations.of(queue).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="It is a dead-letter queue: the on-failure destination of a DynamoDB stream mapping, which nag does not recognise.",
            )
        )
    if not mfa_required:
        Validations.of(user_pool).acknowledge(
            Acknowledgment(
                id="AwsSolutions-COG2",
                reason="The dev stage keeps MFA optional so the local stack's token issuer can sign agents in without a TOTP "
                "device; every other stage requires it.",
            )
        )
    if search_domain is not None:
        Validations.of(search_domain).acknowledge(*(Acknowledgment(id=rule, reason=reason) for rule, reason in SEARCH_DOMAIN.items()))
    Validations.of(knowledge_bucket).acknowledge(
        Acknowledgment(
            id="AwsSolutions-S1",
            reason="Knowledge files are curated uploads, versioned in the bucket; a second bucket for access logs would "
            "itself be unlogged. Deployers who need object-level audit turn on CloudTrail data events.",
        )
    )
    bucket_id = _logical_id(stack, knowledge_bucket.node.default_child)  # type: ignore[arg-type]
    reading = f"The search function reads the index artifact, and only the objects under {INDEX_PREFIX} (grant_read with a key prefix)."
    acknowledgments += [
        Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]", reason=reading)
        for action in ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
    ]
    acknowledgments.append(
        Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{INDEX_PREFIX}*]", reason=reading)
    )
    acknowledgments.append(
        Acknowledgment(
            id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{QUALITY_RULES_PREFIX}*]",
            reason=f"The quality function reads and replaces the brands' rule files, one object per brand under {QUALITY_RULES_PREFIX}.",
        )
    )
    ingesting = (
        "The ingest function reads every knowledge file and the previous index, writes the new index "
        f"under {INDEX_PREFIX} and deletes older builds there (s3:Abort* lets it abandon a failed multipart upload)."
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
    Validations.of(stack).acknowledge(*acknowledgments)
