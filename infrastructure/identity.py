"""Agents, supervisors and admins sign in with a Cognito user pool; the HTTP API checks their ID
token (a JWT authorizer) and the functions read brand, role and skills from its claims."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infrastructure.naming import Naming

ROLES = ("agent", "supervisor", "admin", "operator")


class AgentDirectory(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, naming: Naming, removal: RemovalPolicy, mfa_required: bool) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=naming("agents"),
            self_sign_up_enabled=False,  # admins create agents
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            custom_attributes={
                "brand_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=False),
                "skills": cognito.StringAttribute(max_len=512, mutable=True),  # space-separated skill queues
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            mfa=cognito.Mfa.REQUIRED if mfa_required else cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=removal,
        )
        for role in ROLES:
            cognito.CfnUserPoolGroup(self, f"{role.title()}Group", user_pool_id=self.user_pool.user_pool_id, group_name=role)
        self.client = self.user_pool.add_client(
            "AgentConsole",
            user_pool_client_name=naming("agent-console"),
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True),
            id_token_validity=Duration.hours(8),
            access_token_validity=Duration.hours(8),
            prevent_user_existence_errors=True,
            disable_o_auth=True,  # the console signs in with SRP; no hosted UI
            # What a signed-in user may change about themselves: their name, never their brand or
            # skills (an agent giving themselves `warehouse` would record their own inspection).
            # Admins set those with AdminUpdateUserAttributes; roles are groups.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True, preferred_username=True),
        )
        self.authorizer = authorizers.HttpUserPoolAuthorizer(
            "AgentAuthorizer", self.user_pool, user_pool_clients=[self.client], identity_source=["$request.header.Authorization"]
        )
