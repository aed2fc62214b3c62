"""The local stack's development token issuer: agents are users of the template's Cognito user pool
(on moto), signed in with the same flow the agent console uses, so their ID tokens carry the same
claims (custom:brand_id, custom:skills, cognito:groups) and pass the same JWT authorizer."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from infrastructure.local.template import Template

PASSWORD = "Local-dev-password-1!"  # local only: moto's Cognito never leaves this process
ROLES = ("agent", "supervisor", "admin", "operator")


@cache
def moto_cognito_keys() -> Any:
    """The public keys moto's Cognito signs ID tokens with."""
    import jwt
    import moto.cognitoidp

    path = Path(moto.cognitoidp.__file__).with_name("resources") / "jwks-public.json.gz"
    return jwt.PyJWKSet.from_dict(json.loads(gzip.decompress(path.read_bytes())))


@dataclass
class AgentTokens:
    cognito: Any
    pool_id: str
    client_id: str

    @classmethod
    def of(cls, template: Template, cognito: Any) -> AgentTokens:
        (pool,) = [template.refs[logical_id] for logical_id, _ in template.resources("AWS::Cognito::UserPool")]
        (client,) = [template.refs[logical_id] for logical_id, _ in template.resources("AWS::Cognito::UserPoolClient")]
        return cls(cognito, pool, client)

    def token(self, brand_id: str, username: str, role: str = "agent", skills: tuple[str, ...] = ()) -> str:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        attributes = [{"Name": "custom:brand_id", "Value": brand_id}, {"Name": "custom:skills", "Value": " ".join(skills)}]
        try:
            self.cognito.admin_create_user(UserPoolId=self.pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS")
        except self.cognito.exceptions.UsernameExistsException:
            self.cognito.admin_update_user_attributes(UserPoolId=self.pool_id, Username=username, UserAttributes=attributes[1:])
        self.cognito.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True)
        for group in ROLES:  # exactly one role
            call = self.cognito.admin_add_user_to_group if group == role else self.cognito.admin_remove_user_from_group
            call(UserPoolId=self.pool_id, Username=username, GroupName=group)
        signed_in = self.cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
        return str(signed_in["AuthenticationResult"]["IdToken"])

    def from_request(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /local/agent-token {"brand_id", "username", "role", "skills": [...]} -> {"id_token"}."""
        skills = body.get("skills") or []
        token = self.token(str(body["brand_id"]), str(body["username"]), str(body.get("role", "agent")), tuple(map(str, skills)))
        return {"id_token": token, "authorization": f"Bearer {token}"}


# The demo desk people, signed in to the console with PASSWORD: (brand, username, role, skills).
DEMO_USERS = (
    ("lumi-beauty", "amy", "agent", ("after_sale", "logistics", "pre_sale", "supply_chain")),
    ("lumi-beauty", "ben", "agent", ("pre_sale",)),
    ("lumi-beauty", "sue", "supervisor", ()),
    ("oak-home", "olga", "agent", ("after_sale", "logistics", "pre_sale")),
)


def seed_users(agents: AgentTokens) -> list[tuple[str, str, str, tuple[str, ...]]]:
    for brand_id, username, role, skills in DEMO_USERS:
        agents.token(brand_id, username, role, skills)
    return list(DEMO_USERS)
