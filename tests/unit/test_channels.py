"""Channel signatures: a request verifies only with its brand's key, unchanged, within five minutes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livedesk.auth import NotSignedIn
from livedesk.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, SecretsManagerKeys, signed_headers, verify

NOW = 1_796_000_000.0
CHANNELS = frozenset({"app_chat", "live_comment"})
PATH = "/v1/messages"


class Keys:
    def __init__(self, keys: dict[tuple[str, str], str]) -> None:
        self._keys = keys

    def key(self, channel: str, brand_id: str) -> str | None:
        return self._keys.get((channel, brand_id))


KEYS = Keys({("app_chat", "lumi"): "lumi-app-key", ("app_chat", "other"): "other-app-key", ("live_comment", "lumi"): "lumi-live"})
BODY = '{"text":"我的快递到哪了"}'.encode()


def _headers(key: str = "lumi-app-key", brand: str = "lumi", channel: str = "app_chat", at: float = NOW, body: bytes = BODY) -> dict:
    return signed_headers(key, brand, channel, "POST", PATH, body, now=at)


def test_a_signed_request_names_its_brand_and_channel() -> None:
    caller = verify(KEYS, _headers(), "POST", PATH, BODY, NOW + 299, CHANNELS)
    assert (caller.brand_id, caller.channel) == ("lumi", "app_chat")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "unsigned request"),
        ({k: v for k, v in _headers().items() if k != SIGNATURE_HEADER}, "x-livedesk-signature missing"),
        (_headers(at=NOW - 301), "stale"),
        (_headers(at=NOW + 301), "stale"),
        ({**_headers(), TIMESTAMP_HEADER: "soon"}, "stale or invalid"),
        (_headers(key="other-app-key"), "bad signature"),  # another brand's key
        (_headers(key="lumi-live"), "bad signature"),  # the brand's key of another channel
        (_headers(brand="nobody", key="x"), "bad signature"),
        (_headers(channel="fax"), "unknown channel"),
    ],
)
def test_unsigned_stale_or_badly_signed_requests_are_refused_with_the_reason(headers: dict, reason: str) -> None:
    with pytest.raises(NotSignedIn, match=reason):
        verify(KEYS, headers, "POST", PATH, BODY, NOW, CHANNELS)


def test_a_signature_covers_method_and_path() -> None:
    with pytest.raises(NotSignedIn):
        verify(KEYS, _headers(), "PUT", PATH, BODY, NOW, CHANNELS)
    with pytest.raises(NotSignedIn):
        verify(KEYS, _headers(), "POST", "/v1/sentiment", BODY, NOW, CHANNELS)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_any_change_to_the_body_breaks_the_signature(body: bytes, position: int, flip: int) -> None:
    headers = _headers(body=body)
    assert verify(KEYS, headers, "POST", PATH, body, NOW, CHANNELS).brand_id == "lumi"
    tampered = bytearray(body + b"x")
    tampered[position % len(tampered)] ^= flip
    with pytest.raises(NotSignedIn, match="bad signature"):
        verify(KEYS, headers, "POST", PATH, bytes(tampered), NOW, CHANNELS)


@settings(max_examples=200, deadline=None)
@given(skew=st.integers(min_value=-3600, max_value=3600))
def test_the_window_is_five_minutes_either_way(skew: int) -> None:
    headers = _headers(at=NOW + skew)
    if abs(skew) <= 300:
        verify(KEYS, headers, "POST", PATH, BODY, NOW, CHANNELS)
    else:
        with pytest.raises(NotSignedIn, match="stale"):
            verify(KEYS, headers, "POST", PATH, BODY, NOW, CHANNELS)


def test_keys_are_cached_and_a_new_brand_is_looked_up_once_per_ten_seconds() -> None:
    stored = {"lumi": "k1"}
    fetches: list[bool] = []
    clock = [0.0]

    def fetch(name: str, force: bool) -> dict[str, str]:
        fetches.append(force)
        return dict(stored) if force or len(fetches) == 1 else {"lumi": "k1"}

    keys = SecretsManagerKeys({"app_chat": "secret/app_chat"}, fetch=fetch, clock=lambda: clock[0])
    assert keys.key("app_chat", "lumi") == "k1"
    assert keys.key("app_chat", "new") is None and fetches[-1] is True  # a miss looks again, forced
    calls = len(fetches)
    assert keys.key("app_chat", "new") is None and fetches[calls:] == [False]  # not forced again within 10 s
    stored["new"] = "k2"
    clock[0] = 10.0
    assert keys.key("app_chat", "new") == "k2"
    assert keys.key("dm", "lumi") is None  # a channel without a secret
    assert keys.key("app_chat", "_placeholder") is None


@pytest.mark.parametrize(
    "headers",
    [
        {**_headers(), SIGNATURE_HEADER: "v2=签名"},  # non-ASCII: hmac.compare_digest raised TypeError
        {**_headers(), TIMESTAMP_HEADER: "²"},  # isdigit() but not int()
        {**_headers(), TIMESTAMP_HEADER: "1" * 400},
    ],
)
def test_malformed_signatures_and_timestamps_are_refused_not_crashed_on(headers: dict) -> None:
    with pytest.raises(NotSignedIn):
        verify(KEYS, headers, "POST", PATH, BODY, NOW, CHANNELS)


def test_a_signature_covers_the_query_string_and_the_brand_and_channel_headers() -> None:
    signed = signed_headers("shared", "lumi", "app_chat", "GET", PATH, b"", now=NOW, query="status=open")
    shared = Keys({("app_chat", "lumi"): "shared", ("app_chat", "other"): "shared", ("live_comment", "lumi"): "shared"})
    assert verify(shared, signed, "GET", PATH, b"", NOW, CHANNELS, query="status=open").brand_id == "lumi"
    with pytest.raises(NotSignedIn):
        verify(shared, signed, "GET", PATH, b"", NOW, CHANNELS, query="status=closed")
    for header, value in (("x-livedesk-brand", "other"), ("x-livedesk-channel", "live_comment")):
        with pytest.raises(NotSignedIn):  # even where two brands (or channels) share a key
            verify(shared, {**signed, header: value}, "GET", PATH, b"", NOW, CHANNELS, query="status=open")


def test_made_up_brands_cost_a_few_forced_secret_fetches_not_one_each() -> None:
    fetches: list[bool] = []

    def fetch(name: str, force: bool) -> dict[str, str]:
        fetches.append(force)
        return {"lumi": "k"}

    keys = SecretsManagerKeys({"app_chat": "secret"}, fetch=fetch, clock=lambda: 100.0)
    for n in range(50):
        assert keys.key("app_chat", f"made-up-{n}") is None
    assert fetches.count(True) == SecretsManagerKeys.REFRESH_BURST
