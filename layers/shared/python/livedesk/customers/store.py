"""Customer profiles: value, contacts, the open conversation and ticket (customers table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from livedesk import keys
from livedesk.dynamo import decimalize, delete_all, is_conditional_failure, pages
from livedesk.value import CustomerValue


@dataclass(frozen=True)
class CustomerProfile:
    value: CustomerValue
    open_conversation: tuple[str, datetime] | None
    open_ticket: tuple[str, str] | None = None  # (conversation, ticket) of the last ticket opened


VALUE_FIELDS = ("lifetime_spend", "order_count", "vip_level", "member_since", "current_order_value", "recent_contacts")
RECENT_CONTACTS_KEPT = 20


class CustomerRepository:
    def __init__(self, table: Any) -> None:
        self._table = table

    def profile(self, brand_id: str, customer_id: str) -> CustomerProfile:
        """An unknown customer has an empty value record and no open conversation."""
        item = self._table.get_item(Key=keys.customer_profile(brand_id, customer_id)).get("Item") or {}
        open_conversation = None
        if "open_conversation_id" in item:
            open_conversation = (item["open_conversation_id"], datetime.fromisoformat(item["open_conversation_last_at"]))
        value = CustomerValue.model_validate({name: item[name] for name in VALUE_FIELDS if name in item})
        open_ticket = (item["open_ticket_conversation_id"], item["open_ticket_id"]) if "open_ticket_id" in item else None
        return CustomerProfile(value, open_conversation, open_ticket)

    def erase(self, brand_id: str, customer_id: str) -> tuple[bool, set[str]]:
        """Delete the customer's profile: whether there was one, and the ticket it pointed at."""
        items = list(pages(self._table.query, KeyConditionExpression=Key("pk").eq(keys.customer_conversations_pk(brand_id, customer_id))))
        delete_all(self._table, items)
        return bool(items), {str(item["open_ticket_id"]) for item in items if item.get("open_ticket_id")}

    def set_open_ticket(self, brand_id: str, customer_id: str, conversation_id: str, ticket_id: str) -> None:
        """The ticket a person works for the customer's conversation: later messages go to it."""
        self._table.update_item(
            Key=keys.customer_profile(brand_id, customer_id),
            UpdateExpression="SET open_ticket_id = :t, open_ticket_conversation_id = :c",
            ExpressionAttributeValues={":t": ticket_id, ":c": conversation_id},
        )

    def record_contact(self, brand_id: str, customer_id: str, at: datetime) -> None:
        """Remember when the customer wrote, keeping the latest few: repeated contact is a signal."""
        updated = self._table.update_item(
            Key=keys.customer_profile(brand_id, customer_id),
            UpdateExpression="SET recent_contacts = list_append(if_not_exists(recent_contacts, :empty), :at)",
            ExpressionAttributeValues={":empty": [], ":at": [at.isoformat()]},
            ReturnValues="UPDATED_NEW",
        )
        contacts = updated["Attributes"]["recent_contacts"]
        if len(contacts) > RECENT_CONTACTS_KEPT:
            self._table.update_item(
                Key=keys.customer_profile(brand_id, customer_id),
                UpdateExpression="SET recent_contacts = :kept",
                ExpressionAttributeValues={":kept": sorted(contacts)[-RECENT_CONTACTS_KEPT:]},
            )

    def set_open_conversation(self, brand_id: str, customer_id: str, conversation_id: str, at: datetime) -> None:
        """Point the customer at a conversation; a later message never moves the pointer back."""
        try:
            self._table.update_item(
                Key=keys.customer_profile(brand_id, customer_id),
                UpdateExpression="SET open_conversation_id = :c, open_conversation_last_at = :at, brand_id = :b, customer_id = :u",
                ConditionExpression="attribute_not_exists(open_conversation_last_at) OR open_conversation_last_at <= :at",
                ExpressionAttributeValues={":c": conversation_id, ":at": at.isoformat(), ":b": brand_id, ":u": customer_id},
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise

    def put_profile(self, brand_id: str, customer_id: str, display_name: str, value: CustomerValue) -> None:
        fields = {"display_name": display_name, "brand_id": brand_id, "customer_id": customer_id}
        fields |= decimalize(value.model_dump(mode="json", exclude={"recent_contacts"}, exclude_none=True))
        self._table.update_item(
            Key=keys.customer_profile(brand_id, customer_id),
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in fields),
            ExpressionAttributeNames={f"#{name}": name for name in fields},
            ExpressionAttributeValues={f":{name}": v for name, v in fields.items()},
        )
