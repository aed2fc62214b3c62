"""Who is calling: the agent, supervisor or admin behind a JWT (API Gateway's JWT authorizer has
already checked its signature, issuer, audience and expiry and hands the claims to the function)."""

from __future__ import annotations

import re
from typing import Any

from livedesk.identity import Actor, Forbidden, Role

BRAND_CLAIM = "custom:brand_id"
SKILLS_CLAIM = "custom:skills"
GROUPS_CLAIM = "cognito:groups"
RANK = {Role.AGENT: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2, Role.OPERATOR: 3}


class NotSignedIn(Exception):
    """No usable identity in the request (401)."""


def _words(value: Any) -> list[str]:
    """A claim API Gateway passed as a list, "[a b]" or "a,b"."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return [word for word in re.split(r"[\s,\[\]]+", str(value or "")) if word]


def actor_from_claims(claims: dict[str, Any] | None) -> Actor:
    """The person a Cognito ID token names: brand, role (the highest group they belong to) and skills."""
    if not claims or not claims.get(BRAND_CLAIM) or not (claims.get("cognito:username") or claims.get("sub")):
        raise NotSignedIn("a signed-in agent of a brand is required")
    roles = [Role(group) for group in _words(claims.get(GROUPS_CLAIM)) if group in Role.__members__.values()]
    return Actor(
        id=str(claims.get("cognito:username") or claims["sub"]),
        brand_id=str(claims[BRAND_CLAIM]),
        role=max(roles, key=RANK.__getitem__, default=Role.AGENT),
        skills=frozenset(_words(claims.get(SKILLS_CLAIM))),
    )


def require_role(actor: Actor, role: Role) -> Actor:
    """The actor, if their role is ``role`` or above; Forbidden (403) otherwise."""
    if RANK[actor.role] < RANK[role]:
        raise Forbidden(f"this needs the {role.value} role; {actor.id} is {actor.role.value}")
    return actor
