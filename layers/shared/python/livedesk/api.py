"""HTTP API helpers shared by the API functions."""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.shared.json_encoder import Encoder
from botocore.exceptions import BotoCoreError, ClientError

from livedesk.auth import NotSignedIn, actor_from_claims, require_role
from livedesk.channels import (
    BRAND_HEADER,
    CHANNEL_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ChannelCaller,
    ChannelKeys,
    SecretsManagerKeys,
    verify,
)
from livedesk.errors import Conflict, InvalidRequest, NotFound
from livedesk.identity import Actor, Forbidden, Role
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, Channel
from livedesk.ratelimit import ChannelRateLimiter, TooManyRequests
from livedesk.settings import ChannelKeySettings

# Domain errors as HTTP statuses, with their message as the body.
ERROR_STATUS: dict[type[Exception], int] = {
    NotSignedIn: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,  # a ticket's invalid transition or version conflict too
    InvalidRequest: 422,
}

LOG = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024  # far above any message (text ≤ 4000 characters), far below API Gateway's 10 MB
MAX_JSON_DEPTH = 16
CHANNELS = frozenset(channel.value for channel in Channel)

# What a channel sends with every request; LiveDeskResolver verifies the signature over all of it.
BrandId = Annotated[
    str,
    Header(
        alias=BRAND_HEADER,
        pattern=IDENTIFIER,
        max_length=64,
        description="Brand (tenant) the channel acts for. No request reads or writes another brand's data.",
    ),
]
ChannelName = Annotated[Channel, Header(alias=CHANNEL_HEADER, description="The channel whose key signed the request")]
SignedAt = Annotated[str, Header(alias=TIMESTAMP_HEADER, pattern=r"^\d{1,12}$", description="Unix seconds; five minutes either way")]
Signature = Annotated[
    str,
    Header(
        alias=SIGNATURE_HEADER,
        max_length=128,
        description=(
            'v2=hex HMAC-SHA256 of "<timestamp>\\n<METHOD>\\n<path>\\n<query>\\n<brand>\\n<channel>\\n<body>"'
            " with the channel's key for the brand"
        ),
    ),
]


class ErrorBody(Model):
    statusCode: int
    message: str
    detail: list[dict[str, Any]] | None = None  # invalid input: each field's problem


def error_response(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


NOT_FOUND: dict[int, OpenAPIResponse] = {404: error_response("Not found for this brand")}
# What any route may answer before or around its own work (livedesk.api.LiveDeskResolver).
ANY: dict[int, OpenAPIResponse] = {
    400: error_response("The body is not UTF-8, not valid base64, or JSON nested too deeply"),
    413: error_response("The body is larger than 64 KiB"),
    503: error_response("A dependency is unavailable; retry the same request"),
}
CHANNEL: dict[int, OpenAPIResponse] = {
    **ANY,
    401: error_response("Unsigned, badly signed or stale request"),
    403: error_response("The channel may not do this"),
    429: error_response("Over the channel's per-second limit for the brand"),
}
AGENT: dict[int, OpenAPIResponse] = {
    **ANY,
    401: error_response("No valid agent token"),
    403: error_response("Not allowed for this role or skill"),
    404: error_response("Not found for this brand"),
}
CHANGE: dict[int, OpenAPIResponse] = {
    **AGENT,
    409: error_response("The ticket changed meanwhile (reload it), or the action does not fit its state"),
}


class LiveDeskResolver(APIGatewayHttpResolver):
    """The HTTP resolver every API function uses. Before any route, validation or domain code runs it
    refuses what no route should parse (an oversized body: 413; bytes that are not UTF-8 or JSON
    nested deeper than any request needs: 400) and, on channel routes, requests that are unsigned,
    badly signed or stale (401). The verified channel is then ``channel_of(app)``."""

    def __init__(
        self,
        max_body_bytes: int = MAX_BODY_BYTES,
        channel_keys: ChannelKeys | None = None,
        channel_routes: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.time,
        rate_limiter: ChannelRateLimiter | None = None,
    ) -> None:
        # Chinese stays readable in responses (UTF-8 JSON) instead of \uXXXX escapes.
        super().__init__(enable_validation=True, serializer=partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder))
        self._max_body_bytes = max_body_bytes
        self._channel_keys = channel_keys
        self._channel_routes = channel_routes
        self._clock = clock
        self._rate_limiter = rate_limiter

        @self.not_found
        def _route_not_found(_: Exception) -> Response:
            return json_error(404, "No such route")

        for errors, status in ERROR_STATUS.items():
            self.exception_handler(errors)(lambda error, status=status: json_error(status, str(error)))

        @self.exception_handler([BotoCoreError, ClientError])
        def _unavailable(error: Exception) -> Response:
            # Retries with backoff already failed: the caller retries later; nothing was half-done (idempotent).
            LOG.warning("a dependency failed after retries: %s", error)
            response = json_error(503, "a dependency is temporarily unavailable; retry the same request shortly")
            response.headers["Retry-After"] = "2"
            return response

        @self.exception_handler(RequestValidationError)
        def _invalid(error: RequestValidationError) -> Response:
            problems = [
                {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in error.errors()
            ]
            summary = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in problems)
            body = ErrorBody(statusCode=422, message=f"invalid request: {summary}"[:1000], detail=problems)
            return Response(status_code=422, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())

    def route(self, *args: Any, **kwargs: Any) -> Any:
        """Routes that document their errors still document their success (with the return model)."""
        bound = _ROUTE_SIGNATURE.bind(self, *args, **kwargs)
        responses = bound.arguments.get("responses")
        if responses is not None and not any(200 <= int(code) < 300 for code in responses):
            success = bound.arguments.get("status_code", 200)
            bound.arguments["responses"] = {success: {"description": bound.arguments.get("response_description", "Success")}, **responses}
        return super().route(*bound.args[1:], **bound.kwargs)

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        try:
            body = _body_of(event)
            self._check_limits(body)
            if event.get("routeKey") in self._channel_routes:
                if self._channel_keys is None:
                    raise NotSignedIn("this function verifies no channel signatures")
                headers = dict(event.get("headers") or {})
                method = str(event.get("requestContext", {}).get("http", {}).get("method", ""))
                path, query = str(event.get("rawPath", "")), str(event.get("rawQueryString") or "")
                caller = verify(self._channel_keys, headers, method, path, body, self._clock(), CHANNELS, query)
                if self._rate_limiter is not None:
                    self._rate_limiter.admit(caller.brand_id, caller.channel)
                self.append_context(channel=caller)
        except TooManyRequests as error:
            return _plain_response(429, str(error))
        except _Refused as refused:
            return _plain_response(refused.status, refused.message)
        except NotSignedIn as error:
            return _plain_response(401, str(error))
        return dict(super().resolve(event, context))

    def _check_limits(self, body: bytes) -> None:
        if len(body) > self._max_body_bytes:
            raise _Refused(413, f"the body is {len(body)} bytes; at most {self._max_body_bytes} are accepted")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _Refused(400, f"the body is not valid UTF-8 (byte {error.start})") from None
        if _depth(text) > MAX_JSON_DEPTH:
            raise _Refused(400, f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")


_ROUTE_SIGNATURE = inspect.signature(APIGatewayHttpResolver.route)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def create_resolver(
    channel_keys: ChannelKeys | None = None,
    channel_routes: frozenset[str] = frozenset(),
    max_body_bytes: int = MAX_BODY_BYTES,
    rate_limiter: ChannelRateLimiter | None = None,
) -> LiveDeskResolver:
    return LiveDeskResolver(
        max_body_bytes=max_body_bytes, channel_keys=channel_keys, channel_routes=channel_routes, rate_limiter=rate_limiter
    )


def channel_resolver(settings: ChannelKeySettings, channel_routes: frozenset[str]) -> LiveDeskResolver:
    """A resolver whose ``channel_routes`` are signed by channels (keys from Secrets Manager) and rate-limited per brand."""
    limiter = ChannelRateLimiter(boto3.client("dynamodb"), settings.idempotency_table, settings.channel_rate_limits)
    return create_resolver(SecretsManagerKeys(settings.channel_key_secrets), channel_routes, rate_limiter=limiter)


def channel_of(app: APIGatewayHttpResolver) -> ChannelCaller:
    """The channel that signed this request (LiveDeskResolver verified it before the route ran)."""
    caller = app.context.get("channel")
    if not isinstance(caller, ChannelCaller):
        raise NotSignedIn("a signed channel request is required")
    return caller


def current_actor(app: APIGatewayHttpResolver, at_least: Role = Role.AGENT) -> Actor:
    """The signed-in person, from the claims API Gateway's JWT authorizer verified; 403 below ``at_least``."""
    return require_role(actor_from_claims(app.current_event.request_context.authorizer.jwt_claim), at_least)


def _body_of(event: Mapping[str, Any]) -> bytes:
    body = event.get("body") or ""
    try:
        return base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else str(body).encode("utf-8", "surrogatepass")
    except (binascii.Error, ValueError):
        raise _Refused(400, "the body is not valid base64") from None


def _depth(text: str) -> int:
    """How deep JSON arrays and objects nest, without parsing (strings skipped)."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _plain_response(status: int, message: str) -> dict[str, Any]:
    """An error answered before the resolver runs, in API Gateway's payload 2.0 shape."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": ErrorBody(statusCode=status, message=message).model_dump_json(exclude_none=True),
        "isBase64Encoded": False,
    }


def json_error(status: int, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=ErrorBody(statusCode=status, message=message).model_dump_json(exclude_none=True),
    )


LONGEST_WINDOW = timedelta(days=92)


def report_window(start: datetime | None, end: datetime | None, default: timedelta, now: datetime) -> tuple[datetime, datetime]:
    """A report's [from, to): to defaults to now, from to ``default`` before it; forwards, ≤ 92 days."""
    end = end or now
    start = start or end - default
    if not start < end or end - start > LONGEST_WINDOW:
        raise InvalidRequest("the window must run forwards and span at most 92 days")
    return start, end
