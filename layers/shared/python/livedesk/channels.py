"""Channels prove who they are with an HMAC: each channel (app chat, live comments, DMs, e-mail,
call transcripts) has one secret in Secrets Manager, a JSON object of brand -> signing key.

A request carries its brand, its channel, a Unix timestamp and the signature
``v2=<hex HMAC-SHA256(key, "<timestamp>\\n<METHOD>\\n<path>\\n<query>\\n<brand>\\n<channel>\\n" + body)>``
(``query`` is the raw query string, empty when there is none). A request more than five minutes
from the server's clock is refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from livedesk.auth import NotSignedIn

BRAND_HEADER = "x-livedesk-brand"
CHANNEL_HEADER = "x-livedesk-channel"
TIMESTAMP_HEADER = "x-livedesk-timestamp"
SIGNATURE_HEADER = "x-livedesk-signature"
WINDOW_SECONDS = 300
VERSION = "v2"
TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class ChannelCaller:
    brand_id: str
    channel: str


class ChannelKeys(Protocol):
    def key(self, channel: str, brand_id: str) -> str | None: ...


def signature(key: str, timestamp: str, method: str, path: str, body: bytes, brand_id: str, channel: str, query: str = "") -> str:
    signed = f"{timestamp}\n{method.upper()}\n{path}\n{query}\n{brand_id}\n{channel}\n".encode() + body
    return f"{VERSION}={hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()}"


def signed_headers(
    key: str, brand_id: str, channel: str, method: str, path: str, body: bytes, now: float | None = None, query: str = ""
) -> dict[str, str]:
    """What a channel sends: its brand, its channel, the time and the signature."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        BRAND_HEADER: brand_id,
        CHANNEL_HEADER: channel,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(key, timestamp, method, path, body, brand_id, channel, query),
    }


def verify(
    keys: ChannelKeys,
    headers: dict[str, str],
    method: str,
    path: str,
    body: bytes,
    now: float,
    channels: frozenset[str],
    query: str = "",
) -> ChannelCaller:
    """The channel behind a signed request; NotSignedIn (401) with the reason otherwise."""
    lower = {name.lower(): value for name, value in headers.items()}
    missing = [name for name in (BRAND_HEADER, CHANNEL_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER) if not lower.get(name)]
    if missing:
        raise NotSignedIn(f"unsigned request: {', '.join(missing)} missing")
    brand_id, channel, timestamp, given = (lower[n] for n in (BRAND_HEADER, CHANNEL_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER))
    if channel not in channels:
        raise NotSignedIn(f"unknown channel {channel!r}")
    plain = timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= TIMESTAMP_DIGITS  # not "²", not 10**400
    if not plain or abs(now - int(timestamp)) > WINDOW_SECONDS:
        raise NotSignedIn(f"stale or invalid {TIMESTAMP_HEADER}: it must be Unix seconds within {WINDOW_SECONDS // 60} minutes of now")
    if not given.isascii():
        raise NotSignedIn(f"bad signature for brand {brand_id!r} on channel {channel!r}")
    key = keys.key(channel, brand_id)
    expected = signature(key, timestamp, method, path, body, brand_id, channel, query) if key else ""
    if key is None or not hmac.compare_digest(expected.encode(), given.encode()):
        raise NotSignedIn(f"bad signature for brand {brand_id!r} on channel {channel!r}")
    return ChannelCaller(brand_id=brand_id, channel=channel)


class SecretsManagerKeys:
    """Each channel's secret (``{"brand": "key"}``), cached for five minutes by Powertools Parameters.
    A brand missing from the cached copy is looked up afresh (a newly onboarded brand works at once):
    the same brand at most every ten seconds, and all brands of a channel together within a token
    bucket (a burst of five, then one every two seconds), so a flood of requests naming made-up brands
    costs a few lookups, not one per name."""

    REFRESH_AFTER_MISS_S = 10.0
    REFRESH_BURST = 5
    REFRESH_EVERY_S = 2.0
    REMEMBERED_MISSES = 10_000

    def __init__(
        self, secrets: dict[str, str], fetch: Callable[[str, bool], Any] | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._secrets = secrets  # channel -> secret name or ARN
        self._fetch = fetch or _powertools_secrets()
        self._clock = clock
        self._misses: dict[tuple[str, str], float] = {}
        self._tokens: dict[str, tuple[float, float]] = {}  # channel -> (tokens, when counted)

    def key(self, channel: str, brand_id: str) -> str | None:
        name = self._secrets.get(channel)
        if not name:
            return None
        found = _brand_key(self._fetch(name, False), brand_id)
        if found is not None:
            return found
        now = self._clock()
        last_miss = self._misses.get((channel, brand_id))
        if (last_miss is None or now - last_miss >= self.REFRESH_AFTER_MISS_S) and self._take_token(channel, now):
            if len(self._misses) >= self.REMEMBERED_MISSES:
                self._misses.clear()
            self._misses[(channel, brand_id)] = now
            found = _brand_key(self._fetch(name, True), brand_id)
        return found

    def _take_token(self, channel: str, now: float) -> bool:
        tokens, counted = self._tokens.get(channel, (float(self.REFRESH_BURST), now))
        tokens = min(float(self.REFRESH_BURST), tokens + (now - counted) / self.REFRESH_EVERY_S)
        if tokens < 1:
            self._tokens[channel] = (tokens, now)
            return False
        self._tokens[channel] = (tokens - 1, now)
        return True


def _brand_key(value: Any, brand_id: str) -> str | None:
    found = value.get(brand_id) if isinstance(value, dict) and brand_id != "_placeholder" else None
    return str(found) if found else None


def _powertools_secrets() -> Callable[[str, bool], Any]:
    """This instance's own Powertools provider and cache (not the module-wide default's), built on
    the first signed request: a function whose other routes serve agents never builds its client."""

    @cache
    def provider() -> Any:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        return SecretsProvider()

    return lambda name, force: provider().get(name, transform="json", max_age=300, force_fetch=force)
