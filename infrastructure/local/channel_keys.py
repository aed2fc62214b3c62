"""The local stack's channel onboarding: a brand gets a signing key for a channel on first use,
stored in that channel's secret (on moto) exactly as a deployment keeps it, so the functions
verify local requests with the same code."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infrastructure.local.template import Template
from livedesk.channels import BRAND_HEADER, CHANNEL_HEADER, signed_headers


@dataclass
class ChannelKeyring:
    secretsmanager: Any
    secret_names: dict[str, str]  # channel -> secret name
    _cache: dict[tuple[str, str], str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, template: Template, secretsmanager: Any) -> ChannelKeyring:
        names = [str(resource["Properties"]["Name"]) for _, resource in template.resources("AWS::SecretsManager::Secret")]
        return cls(secretsmanager, {name.rsplit("/", 1)[1]: name for name in names if "channel-keys/" in name})

    def key(self, brand_id: str, channel: str) -> str:
        """The brand's signing key on the channel, issued on first use."""
        if channel not in self.secret_names:
            raise ValueError(f"no such channel {channel!r}; channels are {sorted(self.secret_names)}")
        with self._lock:
            if (brand_id, channel) in self._cache:
                return self._cache[(brand_id, channel)]
            name = self.secret_names[channel]
            keys = json.loads(self.secretsmanager.get_secret_value(SecretId=name)["SecretString"])
            if brand_id not in keys:
                keys[brand_id] = secrets.token_urlsafe(32)
                self.secretsmanager.put_secret_value(SecretId=name, SecretString=json.dumps(keys))
            self._cache[(brand_id, channel)] = keys[brand_id]
            return str(keys[brand_id])

    def headers(self, brand_id: str, channel: str, method: str, path: str, body: bytes, query: str = "") -> dict[str, str]:
        return signed_headers(self.key(brand_id, channel), brand_id, channel, method, path, body, query=query)

    def sign_event(self, event: dict[str, Any]) -> dict[str, Any]:
        """A sample API Gateway event of a channel route, sent and signed now (samples carry no valid
        signature, and their sent_at would soon be too old to accept)."""
        headers = event.get("headers") or {}
        if CHANNEL_HEADER not in headers:
            return event
        raw = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else str(event.get("body") or "").encode()
        body = json.loads(raw) if raw.strip().startswith(b"{") else None
        if isinstance(body, dict) and "sent_at" in body:
            body["sent_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            raw = json.dumps(body, ensure_ascii=False).encode()
            event = {**event, "body": raw.decode(), "isBase64Encoded": False}
        method = event["requestContext"]["http"]["method"]
        query = str(event.get("rawQueryString") or "")
        signed = self.headers(headers[BRAND_HEADER], headers[CHANNEL_HEADER], method, event["rawPath"], raw, query)
        return {**event, "headers": {**headers, **signed}}

    def from_request(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /local/channel-key {"brand_id", "channel"}: what onboarding hands a brand's channel integration."""
        return {"brand_id": body["brand_id"], "channel": body["channel"], "key": self.key(str(body["brand_id"]), str(body["channel"]))}
