"""DynamoDB key layout. Every partition key starts with the brand, so no query can
cross brands: a key can only be built from a brand id."""

from __future__ import annotations

from datetime import datetime

MESSAGE_SK, CLUSTER_SK = "MSG#", "CLUSTER#"  # sort key prefixes: a conversation's messages, a live session's clusters
META_SK = "META"  # a conversation's own item


def brand(brand_id: str) -> str:
    """The start of every partition key: the brand. Every store builds its keys on it."""
    if not brand_id:
        raise ValueError("brand_id is required for every key")
    return f"BRAND#{brand_id}"


def inbound_message(brand_id: str, message_id: str) -> dict[str, str]:
    return {"pk": f"{brand(brand_id)}#MSG#{message_id}", "sk": "INBOUND"}


def conversation_pk(brand_id: str, conversation_id: str) -> str:
    return f"{brand(brand_id)}#CONV#{conversation_id}"


def conversation_meta(brand_id: str, conversation_id: str) -> dict[str, str]:
    return {"pk": conversation_pk(brand_id, conversation_id), "sk": META_SK}


def conversation_notice_sent(brand_id: str, conversation_id: str, message_id: str) -> dict[str, str]:
    """The marker that a notice LiveDesk sends on its own went out once."""
    return {"pk": conversation_pk(brand_id, conversation_id), "sk": f"SENT#{message_id}"}


def conversation_message(brand_id: str, conversation_id: str, sent_at: datetime, message_id: str) -> dict[str, str]:
    return {"pk": conversation_pk(brand_id, conversation_id), "sk": f"{MESSAGE_SK}{sent_at.isoformat()}#{message_id}"}


def customer_conversations_pk(brand_id: str, customer_id: str) -> str:
    return f"{brand(brand_id)}#CUST#{customer_id}"


def customer_inbound_pk(brand_id: str, customer_id: str) -> str:
    """The by-customer index key of a customer's inbound records (erasure finds dropped ones too)."""
    return f"{brand(brand_id)}#CUST#{customer_id}#INBOUND"


def customer_profile(brand_id: str, customer_id: str) -> dict[str, str]:
    return {"pk": f"{brand(brand_id)}#CUST#{customer_id}", "sk": "PROFILE"}


def live_cluster(brand_id: str, live_session_id: str, cluster_id: str) -> dict[str, str]:
    return {"pk": live_session_pk(brand_id, live_session_id), "sk": f"{CLUSTER_SK}{cluster_id}"}


def live_session_pk(brand_id: str, live_session_id: str) -> str:
    return f"{brand(brand_id)}#LIVE#{live_session_id}"


def ticket_pk(brand_id: str, ticket_id: str) -> str:
    return f"{brand(brand_id)}#TICKET#{ticket_id}"


def ticket(brand_id: str, ticket_id: str) -> dict[str, str]:
    return {"pk": ticket_pk(brand_id, ticket_id), "sk": "TICKET"}


def ticket_step(brand_id: str, ticket_id: str, event_id: str) -> dict[str, str]:
    """A history event written once per ``event_id`` (a workflow step, an offer)."""
    return {"pk": ticket_pk(brand_id, ticket_id), "sk": f"EVENT#{event_id}"}


def ticket_task(brand_id: str, ticket_id: str, kind: str) -> dict[str, str]:
    return {"pk": ticket_pk(brand_id, ticket_id), "sk": f"TASK#{kind}"}


def return_request(brand_id: str, return_id: str) -> dict[str, str]:
    return {"pk": f"{brand(brand_id)}#RETURN#{return_id}", "sk": "RETURN"}


def order_line_returns_pk(brand_id: str, order_id: str, sku: str) -> str:
    """Every return of one order line, whichever ticket asked: what caps its refunds."""
    return f"{brand(brand_id)}#ORDERLINE#{order_id}#{sku}"


def order_line_return(brand_id: str, order_id: str, sku: str, return_id: str) -> dict[str, str]:
    return {"pk": order_line_returns_pk(brand_id, order_id, sku), "sk": f"RETURN#{return_id}"}


def ticket_queue(brand_id: str, skill: str) -> str:
    return f"{brand(brand_id)}#QUEUE#{skill}"


def ticket_event(brand_id: str, ticket_id: str, at: datetime, seq: int) -> dict[str, str]:
    return {"pk": ticket_pk(brand_id, ticket_id), "sk": f"EVENT#{at.isoformat()}#{seq:04d}"}


def knowledge_gaps_pk(brand_id: str) -> str:
    return f"{brand(brand_id)}#KNOWLEDGE_GAPS"


def knowledge_gap(brand_id: str, at: datetime, query_hash: str) -> dict[str, str]:
    return {"pk": knowledge_gaps_pk(brand_id), "sk": f"{at.isoformat()}#{query_hash}"}


def ingestion_report(brand_id: str, key: str) -> dict[str, str]:
    return {"pk": f"{brand(brand_id)}#INGEST", "sk": key}


def brand_of(partition_key: str) -> str | None:
    """The brand a partition key belongs to (every key starts with it), or None for another shape."""
    head, _, rest = partition_key.partition("#")
    if head != "BRAND":
        return None
    return rest.split("#", 1)[0] or None


def ticket_of(partition_key: str) -> tuple[str, str] | None:
    """(brand, ticket id) of a ticket or ticket-history partition key, or None for another shape."""
    return _brand_and_id(partition_key, "#TICKET#")


def conversation_of(partition_key: str) -> tuple[str, str] | None:
    """(brand, conversation id) of a conversation's partition key, or None for another shape."""
    return _brand_and_id(partition_key, "#CONV#")


def _brand_and_id(partition_key: str, marker: str) -> tuple[str, str] | None:
    brand_id = brand_of(partition_key)
    head, separator, rest = partition_key.partition(marker)
    if brand_id is None or not separator or head != brand(brand_id) or not rest:
        return None
    return brand_id, rest
