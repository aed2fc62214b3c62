"""The customer-managed key that encrypts every table and the queues carrying customers' words, and
the channels' signing keys: one Secrets Manager secret per channel, ``{"<brand>": "<key>"}``."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infrastructure.naming import Naming

CHANNELS = ("live_comment", "app_chat", "dm", "email", "phone_transcript")


class Security(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, naming: Naming, removal: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.data_key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/{naming('data')}",
            description="LiveDesk: customers' messages, profiles, tickets and the audit log at rest",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        # Brands are added by onboarding (put-secret-value); the generated placeholder keeps the value a JSON object.
        self.channel_keys = {
            channel: secretsmanager.Secret(
                self,
                f"ChannelKeys{channel.title().replace('_', '')}",
                secret_name=naming(f"channel-keys/{channel}"),
                description=f"LiveDesk {channel} signing keys by brand",
                encryption_key=self.data_key,
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    secret_string_template="{}", generate_string_key="_placeholder", exclude_punctuation=True
                ),
                removal_policy=removal,
            )
            for channel in CHANNELS
        }
