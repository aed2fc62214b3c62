"""Who is calling: a signed-in person's role, brand and skills (from the token's claims), or a
system component acting for the brand. Every layer asks this module, not the tickets package."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from livedesk.models import Ticket


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    OPERATOR = "operator"  # the deployment's own operations team: dead letters of every brand


@dataclass(frozen=True)
class Actor:
    """A signed-in person (from the token's claims) or a system component such as routing."""

    id: str
    brand_id: str
    role: Role
    skills: frozenset[str] = field(default_factory=frozenset)

    @property
    def oversees(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN, Role.OPERATOR)

    def may_act_on(self, ticket: Ticket) -> bool:
        """A supervisor acts on any ticket of the brand; an agent on tickets of their skills or their own."""
        return self.oversees or ticket.skill in self.skills or ticket.assignee == self.id


class Forbidden(Exception):
    """The actor may not do this (403)."""
