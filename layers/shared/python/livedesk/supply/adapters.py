"""Choose the supply-chain adapter from a function's settings."""

from __future__ import annotations

from typing import Any

from livedesk.supply.dynamo import DynamoSupplyChain
from livedesk.supply.http import HttpSupplyChain
from livedesk.supply.ports import SupplyChain


def supply_chain(url: str | None, table: Any) -> SupplyChain:
    """The brand's own endpoint when ``url`` is set, the DynamoDB-backed default otherwise."""
    return HttpSupplyChain(url) if url else DynamoSupplyChain(table)
