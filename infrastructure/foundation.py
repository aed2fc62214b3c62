"""What every function group builds on: the function factory, the stores and the channel keys, with
the environment and the grants that give a function one of them."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.compute import FunctionFactory
from infrastructure.security import Security
from infrastructure.storage import Storage


@dataclass(frozen=True)
class Foundation:
    functions: FunctionFactory
    data: Storage
    security: Security
    message_retention_days: str  # conversations and their messages expire (TTL) this long after they were written

    # The environment of each store, as the settings in livedesk/settings.py read it.
    @property
    def idempotency(self) -> dict[str, str]:
        return self.data.environment(self.data.idempotency)

    @property
    def conversation_store(self) -> dict[str, str]:
        return {
            **self.idempotency,
            **self.data.environment(self.data.conversations, self.data.customers),
            "MESSAGE_RETENTION_DAYS": self.message_retention_days,
        }

    @property
    def ticket_store(self) -> dict[str, str]:
        return {**self.idempotency, **self.data.environment(self.data.tickets, self.data.ticket_history)}

    @property
    def supply_store(self) -> dict[str, str]:
        return {**self.data.environment(self.data.supply), "SUPPLY_CHAIN_URL": ""}  # "": the DynamoDB adapter

    @property
    def channel_keys(self) -> dict[str, str]:
        secrets = {channel: secret.secret_arn for channel, secret in self.security.channel_keys.items()}
        return {"CHANNEL_KEY_SECRETS": Stack.of(self.functions).to_json_string(secrets)}

    @property
    def dead_letter_queues(self) -> dict[str, str]:
        urls = {name: queue.queue_url for name, queue in self.data.dead_letters.items()}
        return {"DEAD_LETTER_QUEUES": Stack.of(self.functions).to_json_string(urls)}

    def append_history(self, function: lambda_.IFunction) -> None:
        """History is append-only: PutItem and reads, never UpdateItem or DeleteItem."""
        self.data.ticket_history.grant(function, "dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:ConditionCheckItem")

    def read_channel_keys(self, function: lambda_.IFunction) -> None:
        for secret in self.security.channel_keys.values():
            secret.grant_read(function)

    def serve_channels(self, function: lambda_.IFunction) -> None:
        """A function behind a channel route: it checks the channel's signature and counts requests per
        brand and channel (livedesk/ratelimit.py), beside the idempotency records."""
        self.read_channel_keys(function)
        self.data.idempotency.grant(function, "dynamodb:UpdateItem")


def stream_of(table: dynamodb.ITable, dead_letters: sqs.IQueue, new_image: dict[str, object]) -> sources.DynamoEventSource:
    """New items of a table's stream that match ``new_image`` (every new item for an empty one), in
    batches with partial failures; a record that keeps failing goes to ``dead_letters``."""
    pattern: dict[str, object] = {"eventName": lambda_.FilterRule.is_equal("INSERT")}
    if new_image:
        pattern["dynamodb"] = {"NewImage": new_image}
    return sources.DynamoEventSource(
        table,
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=10,
        bisect_batch_on_error=True,
        retry_attempts=3,
        report_batch_item_failures=True,
        on_failure=sources.SqsDlq(dead_letters),
        filters=[lambda_.FilterCriteria.filter(pattern)],
    )


class FunctionGroup(Construct):
    """The functions of one concern (the factory builds them: Functions/<Name>), the API routes they
    serve and the schedules that invoke them."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.channel_routes: dict[str, lambda_.IFunction] = {}  # signed by the channel
        self.agent_routes: dict[str, lambda_.IFunction] = {}  # behind the agents' JWT authorizer

    def schedule(self, rule_id: str, schedule: events.Schedule, function: lambda_.IFunction, event: dict[str, str]) -> None:
        """Invoke ``function`` with ``event`` on ``schedule``."""
        target = targets.LambdaFunction(function, event=events.RuleTargetInput.from_object(event))
        events.Rule(self, rule_id, schedule=schedule, targets=[target])
