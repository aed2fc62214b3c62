"""The resolver every API function uses: size, encoding and nesting limits, channel signatures and
per-channel rate limits answered before any route runs, and one error shape for every refusal."""

import json
import time
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from infrastructure.local.gateway import Route, build_event
from livedesk.api import MAX_BODY_BYTES, create_resolver
from livedesk.channels import signed_headers
from livedesk.ratelimit import TooManyRequests

ROUTE = Route.parse("POST /v1/messages", "intake")


class Keys:
    def key(self, channel: str, brand_id: str) -> str | None:
        return "secret" if brand_id == "lumi" else None


class Limiter:
    def __init__(self, allowed: int) -> None:
        self.allowed, self.seen = allowed, 0

    def admit(self, brand_id: str, channel: str) -> None:
        self.seen += 1
        if self.seen > self.allowed:
            raise TooManyRequests(f"more than {self.allowed} {channel} requests a second")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")  # as every request model (livedesk.models.Strict)

    text: str = Field(max_length=10)


def _app(limiter: Limiter | None = None) -> Any:
    app = create_resolver(Keys(), frozenset({"POST /v1/messages"}), rate_limiter=limiter)  # type: ignore[arg-type]

    @app.post("/v1/messages")
    def post(body: Body) -> dict[str, str]:
        return {"text": body.text, "brand": app.context["channel"].brand_id}

    return app


def _call(app: Any, body: bytes, signed: bool = True, key: str = "secret") -> tuple[int, dict[str, Any]]:
    headers = {"content-type": "application/json"}
    if signed:
        headers |= signed_headers(key, "lumi", "app_chat", "POST", "/v1/messages", body, now=time.time())
    event = build_event(ROUTE, "POST", "/v1/messages", "", headers, body, {}, "127.0.0.1", "local")
    response = app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"])


def test_a_signed_valid_request_reaches_the_route_with_its_caller() -> None:
    assert _call(_app(), json.dumps({"text": "你好"}).encode()) == (200, {"text": "你好", "brand": "lumi"})


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"text": "' + b"x" * MAX_BODY_BYTES + b'"}', 413, "at most 65536"),
        (b'{"text": "\xff\xfe"}', 400, "not valid UTF-8"),
        (b'{"text": ' + b"[" * 40 + b"]" * 40 + b"}", 400, "nested more than 16"),
        (b'{"text": "far too long for the field"}', 422, "text"),
        (b'{"text": "ok", "admin": true}', 422, "admin"),
        (b"not json", 422, "invalid request"),
    ],
)
def test_limits_are_enforced_with_a_clear_json_error(body: bytes, status: int, message: str) -> None:
    code, answer = _call(_app(), body)
    assert code == status
    assert answer["statusCode"] == status and message in answer["message"]


@pytest.mark.parametrize(("signed", "key"), [(False, "secret"), (True, "wrong")])
def test_unsigned_or_badly_signed_requests_get_401(signed: bool, key: str) -> None:
    code, answer = _call(_app(), b'{"text": "hi"}', signed=signed, key=key)
    assert code == 401 and answer["message"]


def test_a_channel_over_its_rate_gets_429_and_nothing_runs() -> None:
    limiter = Limiter(allowed=2)
    codes = [_call(_app(limiter), b'{"text": "hi"}')[0] for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_strings_brackets_do_not_count_as_nesting() -> None:
    assert _call(_app(), json.dumps({"text": "[[[[" * 10}).encode())[0] == 422  # too long, but not refused as nested
