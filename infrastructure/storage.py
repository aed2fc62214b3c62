"""Tables, queues and the knowledge bucket: on demand, encrypted, with point-in-time recovery, TTL and DLQs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.naming import Naming

KEY = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
SORT = dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING)


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, naming: Naming, removal: RemovalPolicy, data_key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self._variables: dict[dynamodb.ITable, str] = {}

        def table(
            logical_id: str,
            name: str,
            *,
            ttl: str | None = None,
            key: dynamodb.Attribute = KEY,
            sort: dynamodb.Attribute | None = SORT,
            stream: dynamodb.StreamViewType | None = None,
        ) -> dynamodb.Table:
            created = dynamodb.Table(
                self,
                logical_id,
                table_name=naming(name),
                partition_key=key,
                sort_key=sort,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=data_key,
                time_to_live_attribute=ttl,
                stream=stream,
                removal_policy=removal,
            )
            self._variables[created] = f"{name.replace('-', '_').upper()}_TABLE"
            return created

        # Its stream is the outbox: every reply a bot or an agent writes is delivered from it.
        self.conversations = table("Conversations", "conversations", ttl="expires_at", stream=dynamodb.StreamViewType.NEW_IMAGE)
        self.conversations.add_global_secondary_index(
            index_name="by-customer",
            partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
        )
        self.customers = table("Customers", "customers")
        self.tickets = table("Tickets", "tickets")
        self.tickets.add_global_secondary_index(
            index_name="by-queue",  # open tickets per skill, by priority then due time (a sparse index)
            partition_key=dynamodb.Attribute(name="queue_pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="queue_sk", type=dynamodb.AttributeType.STRING),
        )
        # Append-only: functions get PutItem and Query on it, never UpdateItem or DeleteItem.
        # Its stream is the ticket event log: follow-up workflows start from it.
        self.ticket_history = table("TicketHistory", "ticket-history", stream=dynamodb.StreamViewType.NEW_IMAGE)
        self.supply = table("Supply", "supply")  # the default supply-chain adapter: orders, stock, parcels, refunds, coupons
        self.analytics = table("Analytics", "analytics", ttl="expires_at")  # facts, hourly volume, schedule, forecasts, alerts
        # Who viewed or changed what: append-only like the ticket history (PutItem and reads only).
        self.audit = table("Audit", "audit", ttl="expires_at")
        self.knowledge = table("Knowledge", "knowledge", ttl="expires_at")  # knowledge gaps and ingestion reports
        # Knowledge files (knowledge/<brand>/...) and the built search index (index/...).
        self.knowledge_bucket = s3.Bucket(
            self,
            "KnowledgeBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))],
            removal_policy=removal,
            auto_delete_objects=False,
        )
        # Uploads and deletes go to EventBridge (and on to ingestion). Set on the CloudFormation
        # resource itself: the L2 flag would add a custom-resource Lambda to do the same.
        bucket_resource = self.knowledge_bucket.node.default_child
        assert isinstance(bucket_resource, s3.CfnBucket)
        bucket_resource.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(event_bridge_enabled=True)
        )
        self.idempotency = table(
            "Idempotency", "idempotency", ttl="expiration", key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING), sort=None
        )

        # Queues carry customers' words (and stream records their keys): the same key encrypts them.
        encrypted = {"encryption": sqs.QueueEncryption.KMS, "encryption_master_key": data_key, "enforce_ssl": True}

        def dead_letter_queue(logical_id: str, name: str) -> sqs.Queue:
            return sqs.Queue(self, logical_id, queue_name=naming(name), retention_period=Duration.days(14), **encrypted)  # type: ignore[arg-type]

        def queue_with_dlq(prefix: str, name: str, visibility: Duration) -> tuple[sqs.Queue, sqs.Queue]:
            """A queue whose messages move to their own DLQ after three failed receives."""
            common = encrypted
            dlq = dead_letter_queue(f"{prefix}DeadLetterQueue", f"{name}-dlq")
            queue = sqs.Queue(
                self,
                f"{prefix}Queue",
                queue_name=naming(name),
                visibility_timeout=visibility,
                retention_period=Duration.days(4),
                dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=3),
                **common,
            )
            return queue, dlq

        # Visibility is six times the consumer's timeout, as AWS recommends for event-source mappings.
        self.knowledge_events, self.knowledge_events_dlq = queue_with_dlq("KnowledgeEvents", "knowledge-events", Duration.minutes(30))
        self.inbound, self.inbound_dlq = queue_with_dlq("Inbound", "inbound", Duration.seconds(180))
        # Stream consumers: records that keep failing land here (the mappings' on-failure destination).
        self.outbox_dlq = dead_letter_queue("OutboxDeadLetterQueue", "outbox-dlq")
        self.ticket_events_dlq = dead_letter_queue("TicketEventsDeadLetterQueue", "ticket-events-dlq")
        self.analytics_dlq = dead_letter_queue("AnalyticsDeadLetterQueue", "analytics-dlq")
        self.quality_dlq = dead_letter_queue("QualityDeadLetterQueue", "quality-dlq")
        # By name: what the alerts watch and the admin function redrives.
        self.dead_letters = {
            "inbound-dlq": self.inbound_dlq,
            "knowledge-events-dlq": self.knowledge_events_dlq,
            "outbox-dlq": self.outbox_dlq,
            "ticket-events-dlq": self.ticket_events_dlq,
            "analytics-dlq": self.analytics_dlq,
            "quality-dlq": self.quality_dlq,
        }

    def environment(self, *tables: dynamodb.ITable) -> dict[str, str]:
        """Each table's name in the variable its readers' settings expect: CONVERSATIONS_TABLE, TICKET_HISTORY_TABLE…"""
        return {self._variables[table]: table.table_name for table in tables}
