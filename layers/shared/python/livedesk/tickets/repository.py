"""Tickets in DynamoDB. The ticket itself lives in the tickets table; its history in a table of its
own that functions may only append to (PutItem, never Update or Delete). A change and its history
events are written in one transaction, on condition that the ticket still has the version read."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from livedesk import keys
from livedesk.dynamo import decimalize, pages, plain
from livedesk.errors import Conflict
from livedesk.models import Ticket, TicketEvent, utc_now
from livedesk.pii import ERASED
from livedesk.tickets.lifecycle import OPEN, Change

QUEUE_INDEX = "by-queue"
# Free text in history events that may hold what a customer said or what an agent told them.
HISTORY_TEXT = ("text", "note", "resolution", "reason", "comment")


class VersionConflict(Conflict):
    """Someone changed the ticket since it was read (409)."""


def queue_attributes(brand_id: str, ticket: Ticket) -> dict[str, str] | None:
    """Open tickets sit in their skill's queue, by priority then the next due time."""
    if ticket.status not in OPEN:
        return None
    due = ticket.resolution_due if ticket.first_responded_at else ticket.first_response_due
    return {
        "queue_pk": keys.ticket_queue(brand_id, ticket.skill),
        "queue_sk": f"{ticket.priority}#{due.isoformat()}#{ticket.ticket_id}",
    }


def _ticket(item: dict[str, Any]) -> Ticket:
    return Ticket.model_validate({name: value for name, value in plain(item).items() if name in Ticket.model_fields})


def _event_item(brand_id: str, ticket: Ticket, event: TicketEvent, n: int) -> dict[str, Any]:
    return {**keys.ticket_event(brand_id, ticket.ticket_id, event.at, ticket.version * 100 + n), **event.model_dump(mode="json")}


class TicketRepository:
    def __init__(self, table: Any, history: Any) -> None:
        self._table = table
        self._history = history
        self._client = table.meta.client  # a resource's client: takes plain values, as the Table methods do

    def create(self, brand_id: str, ticket: Ticket, event: TicketEvent) -> bool:
        """Create the ticket with its first history event; False if it already exists."""
        head = {**keys.ticket(brand_id, ticket.ticket_id), "brand_id": brand_id, **ticket.model_dump(mode="json", exclude_none=True)}
        head |= queue_attributes(brand_id, ticket) or {}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {"Put": self._put(self._table.name, head)},
                    {"Put": self._put(self._history.name, _event_item(brand_id, ticket, event, 0))},
                ]
            )
        except self._client.exceptions.TransactionCanceledException:
            if self.get(brand_id, ticket.ticket_id) is not None:
                return False
            raise
        return True

    def get(self, brand_id: str, ticket_id: str) -> tuple[Ticket, list[TicketEvent]] | None:
        ticket = self.head(brand_id, ticket_id)
        if ticket is None:
            return None
        return ticket, self.history(brand_id, ticket_id)

    def head(self, brand_id: str, ticket_id: str) -> Ticket | None:
        item = self._table.get_item(Key=keys.ticket(brand_id, ticket_id), ConsistentRead=True).get("Item")
        return None if item is None else _ticket(item)

    def history(self, brand_id: str, ticket_id: str) -> list[TicketEvent]:
        """Every event of the ticket, oldest first."""
        found = pages(self._history.query, KeyConditionExpression=Key("pk").eq(keys.ticket_pk(brand_id, ticket_id)), ConsistentRead=True)
        return sorted((TicketEvent.model_validate(plain(item)) for item in found), key=lambda event: event.at)

    def append(self, brand_id: str, ticket_id: str, event: TicketEvent, event_id: str) -> bool:
        """An event that changes nothing else on the ticket (a workflow step, an offer). ``event_id``
        makes it idempotent: writing it again changes nothing and returns False."""
        item = {**keys.ticket_step(brand_id, ticket_id, event_id), **event.model_dump(mode="json")}
        try:
            self._history.put_item(Item=decimalize(item), ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def update(self, brand_id: str, ticket_id: str, change: Callable[[Ticket], Change | None], attempts: int = 5) -> Ticket:
        """Read, change and write, again if someone else wrote meanwhile (for workflows and routing)."""
        for _ in range(attempts):
            before = self.head(brand_id, ticket_id)
            if before is None:
                raise KeyError(f"ticket {ticket_id} not found")
            changed = change(before)
            if changed is None:
                return before
            try:
                self.save(brand_id, before, changed)
            except VersionConflict:
                continue
            return changed.ticket
        raise VersionConflict(f"ticket {ticket_id} kept changing")

    def save(self, brand_id: str, before: Ticket, change: Change) -> None:
        """Write the changed fields and append the events, if the ticket is still at ``before.version``."""
        self.commit(self.save_items(brand_id, before, change))

    def save_items(self, brand_id: str, before: Ticket, change: Change) -> list[dict[str, Any]]:
        after = change.ticket
        old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
        new |= queue_attributes(brand_id, after) or dict.fromkeys(("queue_pk", "queue_sk"))
        old |= queue_attributes(brand_id, before) or dict.fromkeys(("queue_pk", "queue_sk"))
        changed = {name: value for name, value in new.items() if value != old.get(name)}
        sets = {name: value for name, value in changed.items() if value not in (None, [])}
        removes = [name for name in changed if name not in sets]
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in sets)
        if removes:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in removes)
        update = {
            "TableName": self._table.name,
            "Key": keys.ticket(brand_id, after.ticket_id),
            "UpdateExpression": expression,
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {f"#{name}": name for name in [*changed, "version"]},
            "ExpressionAttributeValues": {
                **{f":{name}": decimalize(value) for name, value in sets.items()},
                ":expected": before.version,
            },
        }
        events = [{"Put": self._put(self._history.name, _event_item(brand_id, after, e, n))} for n, e in enumerate(change.events)]
        return [{"Update": update}, *events]

    def commit(self, items: list[dict[str, Any]]) -> None:
        """Write transaction items from ``save_items`` (several tickets at once, for a merge)."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as error:
            raise VersionConflict("the ticket changed since it was read: reload it and try again") from error

    def queue(self, brand_id: str, skill: str, limit: int = 50) -> list[Ticket]:
        """Open tickets of one skill, most urgent first."""
        page = self._table.query(
            IndexName=QUEUE_INDEX, KeyConditionExpression=Key("queue_pk").eq(keys.ticket_queue(brand_id, skill)), Limit=limit
        )
        fields = set(Ticket.model_fields)
        return [Ticket.model_validate({k: v for k, v in plain(item).items() if k in fields}) for item in page["Items"]]

    # -- erasure and retention ------------------------------------------------------------------
    def anonymise(self, brand_id: str, ticket_id: str, pseudonym: str, at: datetime) -> int | None:
        """Replace the customer on the ticket and blank the free text of its history (the only
        change functions may make to it: events keep who acted and when). The events redacted;
        None when there is no such ticket."""
        try:
            self._table.update_item(
                Key=keys.ticket(brand_id, ticket_id),
                UpdateExpression="SET customer_id = :p, anonymised_at = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":p": pseudonym, ":at": at.isoformat()},
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):  # the survey comment, if any
            self._table.update_item(
                Key=keys.ticket(brand_id, ticket_id),
                UpdateExpression="SET csat.#comment = :erased",
                ConditionExpression="attribute_exists(csat.#comment)",
                ExpressionAttributeNames={"#comment": "comment"},
                ExpressionAttributeValues={":erased": ERASED},
            )
        redacted = 0
        for event in pages(self._history.query, KeyConditionExpression=Key("pk").eq(keys.ticket_pk(brand_id, ticket_id))):
            detail = event.get("detail") or {}
            if not any(detail.get(name) not in (None, ERASED) for name in HISTORY_TEXT):
                continue
            blanked = {name: (ERASED if name in HISTORY_TEXT else value) for name, value in detail.items()}
            self._history.update_item(
                Key={"pk": event["pk"], "sk": event["sk"]}, UpdateExpression="SET detail = :d", ExpressionAttributeValues={":d": blanked}
            )
            redacted += 1
        return redacted

    def created_before(self, cutoff: datetime) -> Iterator[tuple[str, str]]:
        """(brand, ticket) of every ticket of any brand created before ``cutoff`` and not yet
        anonymised: the daily retention sweep's one cross-brand read."""
        condition = Attr("sk").eq("TICKET") & Attr("created_at").lt(cutoff.isoformat()) & Attr("anonymised_at").not_exists()
        for item in pages(self._table.scan, FilterExpression=condition):
            yield str(item["brand_id"]), str(item["ticket_id"])

    def set_escalation(self, brand_id: str, ticket_id: str, execution_arn: str) -> None:
        """Not a change of the ticket's state, so not versioned."""
        self._table.update_item(
            Key=keys.ticket(brand_id, ticket_id),
            UpdateExpression="SET escalation_execution = :e",
            ExpressionAttributeValues={":e": execution_arn},
        )

    @staticmethod
    def _put(table: str, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "TableName": table,
            "Item": decimalize(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }


class TaskTokens:
    """Step Functions task tokens that wait on a person (supervisor takeover, recovery, inspection),
    kept beside the ticket. Only the first person to claim one completes it; ``take`` deletes one
    outright (the workflow stopped waiting).

    A person may answer before the wait is made (a supervisor takes over before the offer, or as
    it moves up a level): ``answer_ahead`` leaves the answer in the wait's place for
    ``ANSWER_AHEAD_FOR``, and a ``put`` meanwhile returns it instead of storing its token, so the
    workflow completes that wait at once. An older answer is not taken for a new wait."""

    ANSWER_AHEAD_FOR = timedelta(minutes=15)

    def __init__(self, table: Any, clock: Callable[[], datetime] = utc_now) -> None:
        self._table = table
        self._clock = clock

    def put(self, brand_id: str, ticket_id: str, kind: str, token: str, detail: dict[str, Any]) -> str | None:
        """Keep the token; or, when someone answered ahead, keep nothing and return who it was."""
        key = keys.ticket_task(brand_id, ticket_id, kind)
        try:
            self._table.put_item(
                Item={**key, "token": token, **decimalize(detail)},
                ConditionExpression="attribute_not_exists(answered_by) OR answered_at < :stale",
                ExpressionAttributeValues={":stale": int((self._clock() - self.ANSWER_AHEAD_FOR).timestamp())},
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return str(self._table.get_item(Key=key, ConsistentRead=True)["Item"]["answered_by"])
        return None

    def answer_ahead(self, brand_id: str, ticket_id: str, kind: str, by: str) -> bool:
        """Leave ``by``'s answer for the next wait of this kind; False when a wait is open (answer that)."""
        try:
            self._table.put_item(
                Item={**keys.ticket_task(brand_id, ticket_id, kind), "answered_by": by, "answered_at": int(self._clock().timestamp())},
                ConditionExpression="attribute_not_exists(pk) OR attribute_exists(answered_by)",
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def peek(self, brand_id: str, ticket_id: str, kind: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key=keys.ticket_task(brand_id, ticket_id, kind), ConsistentRead=True).get("Item")
        return None if item is None or "token" not in item else {k: v for k, v in plain(item).items() if k != "token"}

    def open_among(self, brand_id: str, ticket_ids: list[str], kind: str) -> set[str]:
        """Which of these tickets have a wait of this kind open (one batch read per 100 tickets)."""
        by_key = {keys.ticket_task(brand_id, ticket_id, kind)["pk"]: ticket_id for ticket_id in ticket_ids}
        client, found = self._table.meta.client, set()
        wanted = [keys.ticket_task(brand_id, ticket_id, kind) for ticket_id in ticket_ids]  # the resource's client types them
        for start in range(0, len(wanted), 100):
            request: dict[str, Any] = {self._table.name: {"Keys": wanted[start : start + 100], "ProjectionExpression": "pk, answered_by"}}
            while request:
                answer = client.batch_get_item(RequestItems=request)
                found |= {by_key[item["pk"]] for item in answer["Responses"].get(self._table.name, []) if "answered_by" not in item}
                request = answer.get("UnprocessedKeys") or {}
        return found

    def take(self, brand_id: str, ticket_id: str, kind: str) -> str | None:
        try:
            old = self._table.delete_item(
                Key=keys.ticket_task(brand_id, ticket_id, kind),
                ConditionExpression="attribute_exists(#token)",
                ExpressionAttributeNames={"#token": "token"},
                ReturnValues="ALL_OLD",
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return None
        return str(old["Attributes"]["token"])

    def claim(self, brand_id: str, ticket_id: str, kind: str, by: str) -> str | None:
        """The token for ``by`` to complete the wait with, or None when there is none or another
        person claimed it first. The claim keeps the token: if completing it fails on the way, the
        same person's retry claims it again. ``discard`` it once the workflow has the answer."""
        try:
            item = self._table.update_item(
                Key=keys.ticket_task(brand_id, ticket_id, kind),
                UpdateExpression="SET claimed_by = :by",
                ConditionExpression="attribute_exists(#token) AND (attribute_not_exists(claimed_by) OR claimed_by = :by)",
                ExpressionAttributeNames={"#token": "token"},
                ExpressionAttributeValues={":by": by},
                ReturnValues="ALL_NEW",
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return None
        return str(item["Attributes"]["token"])

    def discard(self, brand_id: str, ticket_id: str, kind: str) -> None:
        self._table.delete_item(Key=keys.ticket_task(brand_id, ticket_id, kind))
