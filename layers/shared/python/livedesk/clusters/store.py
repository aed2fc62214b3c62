"""Live-session clusters: the same question from many viewers, answered once (conversations table)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from livedesk import keys
from livedesk.dynamo import epoch, is_conditional_failure, pages
from livedesk.pii import ERASED


@dataclass(frozen=True)
class LiveCluster:
    cluster_id: str
    intent: str
    representative: str
    signature: frozenset[str]
    members: int
    ticket_id: str | None
    answer: str | None = None  # the bot's answer, broadcast once to every viewer in the cluster
    answer_source: str | None = None  # the knowledge document it comes from


class LiveClusterRepository:
    """Groups of the same question asked by many viewers of one live session (conversations table)."""

    MAX_SAMPLE_MEMBERS = 20

    def __init__(self, table: Any, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    def _session(self, brand_id: str, live_session_id: str) -> Iterator[dict[str, Any]]:
        condition = Key("pk").eq(keys.live_session_pk(brand_id, live_session_id)) & Key("sk").begins_with(keys.CLUSTER_SK)
        return pages(self._table.query, KeyConditionExpression=condition)

    def for_session(self, brand_id: str, live_session_id: str) -> list[LiveCluster]:
        return [
            LiveCluster(
                cluster_id=item["cluster_id"],
                intent=item["intent"],
                representative=item["representative"],
                signature=frozenset(item["signature"]),
                members=int(item["members"]),
                ticket_id=item.get("ticket_id"),
                answer=item.get("answer"),
                answer_source=item.get("answer_source"),
            )
            for item in self._session(brand_id, live_session_id)
        ]

    def forget_message(self, brand_id: str, live_session_id: str, message_id: str) -> int:
        """Take an erased message out of the session's clusters (the words too, where it was the
        cluster's representative); the clusters changed."""
        updated = 0
        for cluster in self._session(brand_id, live_session_id):
            if message_id not in (cluster.get("member_messages") or set()):
                continue
            expression, values = "DELETE member_messages :m", {":m": {message_id}}
            if cluster.get("representative_message_id") == message_id:
                expression += " SET representative = :erased"
                values[":erased"] = ERASED  # type: ignore[assignment]
            self._table.update_item(
                Key={"pk": cluster["pk"], "sk": cluster["sk"]}, UpdateExpression=expression, ExpressionAttributeValues=values
            )
            updated += 1
        return updated

    def create(self, brand_id: str, live_session_id: str, cluster: LiveCluster, message_id: str, at: datetime) -> bool:
        item = {
            **keys.live_cluster(brand_id, live_session_id, cluster.cluster_id),
            "cluster_id": cluster.cluster_id,
            "intent": cluster.intent,
            "representative": cluster.representative,
            "signature": sorted(cluster.signature),
            "members": 1,
            "member_messages": {message_id},
            "representative_message_id": message_id,  # erasure blanks the wording when this message goes
            "created_at": at.isoformat(),
            "expires_at": epoch(at + self._retention),
        }
        if cluster.ticket_id:
            item["ticket_id"] = cluster.ticket_id
        if cluster.answer:
            item["answer"] = cluster.answer
        if cluster.answer_source:
            item["answer_source"] = cluster.answer_source
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if is_conditional_failure(error):
                return False
            raise
        return True

    def join(self, brand_id: str, live_session_id: str, cluster_id: str, message_id: str) -> int:
        """Count a viewer's message in the cluster once, however often it is delivered."""
        try:
            updated = self._table.update_item(
                Key=keys.live_cluster(brand_id, live_session_id, cluster_id),
                UpdateExpression="ADD members :one, member_messages :message",
                ConditionExpression="NOT contains(member_messages, :id) AND size(member_messages) < :cap",
                ExpressionAttributeValues={":one": 1, ":message": {message_id}, ":id": message_id, ":cap": self.MAX_SAMPLE_MEMBERS},
                ReturnValues="UPDATED_NEW",
            )
            return int(updated["Attributes"]["members"])
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
        # Already counted, or past the sample cap: count without keeping the id.
        item = self._table.get_item(Key=keys.live_cluster(brand_id, live_session_id, cluster_id))["Item"]
        if message_id in item.get("member_messages", set()):
            return int(item["members"])
        updated = self._table.update_item(
            Key=keys.live_cluster(brand_id, live_session_id, cluster_id),
            UpdateExpression="ADD members :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        return int(updated["Attributes"]["members"])
