"""Who hears about what: SNS topics for supervisors, escalations and managers, and one per alert
level (subscribe e-mail, SMS, chat or a paging tool to them)."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from infrastructure.naming import Naming
from infrastructure.workflows import Topics


class Notifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, naming: Naming) -> None:
        super().__init__(scope, construct_id)
        key = kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns")

        def topic(logical_id: str, name: str, display: str) -> sns.Topic:
            return sns.Topic(self, logical_id, topic_name=naming(name), display_name=display, master_key=key, enforce_ssl=True)

        self.topics = Topics(
            supervisors=topic("Supervisors", "supervisors", "LiveDesk: a supervisor is needed"),
            escalations=topic("Escalations", "escalations", "LiveDesk: SLA breaches and escalations"),
            managers=topic("Managers", "managers", "LiveDesk: service recovery tasks"),
        )
        # The three alert levels, each to its own topic: yellow to watch, orange to act, red to page.
        self.alerts = {
            level: topic(f"Alerts{level.title()}", f"alerts-{level}", f"LiveDesk {level} alert") for level in ("yellow", "orange", "red")
        }
