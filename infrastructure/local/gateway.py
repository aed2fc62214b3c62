"""A small HTTP API gateway: the template's routes, each request turned into an
API Gateway v2 (payload format 2.0) event for the mapped function."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infrastructure.local.template import ACCOUNT

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


@dataclass(frozen=True)
class JwtAuthorizer:
    """API Gateway's JWT authorizer: signature (RS256, the issuer's keys), issuer, audience, expiry."""

    issuer: str
    audience: tuple[str, ...]
    keys: Any  # jwt.PyJWKSet

    def claims(self, headers: dict[str, str]) -> dict[str, str] | None:
        """The token's claims as API Gateway passes them (every value a string), or None if refused."""
        import jwt

        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            key = self.keys[jwt.get_unverified_header(token)["kid"]]
            claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=list(self.audience), issuer=self.issuer)
        except (jwt.PyJWTError, KeyError):
            return None
        return {name: f"[{' '.join(map(str, value))}]" if isinstance(value, list) else str(value) for name, value in claims.items()}


@dataclass(frozen=True)
class Route:
    route_key: str
    function_name: str
    method: str
    pattern: re.Pattern[str]
    authorizer: JwtAuthorizer | None = None

    @classmethod
    def parse(cls, route_key: str, function_name: str, authorizer: JwtAuthorizer | None = None) -> Route:
        method, path = route_key.split(" ", 1)
        regex = ""
        for part in re.split(r"(\{[^}]+\})", path):
            if part.startswith("{") and part.endswith("+}"):
                regex += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        return cls(route_key, function_name, method, re.compile(f"^{regex}$"), authorizer)


def build_event(
    route: Route,
    method: str,
    raw_path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    path_parameters: dict[str, str],
    source_ip: str,
    api_id: str,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    query_parameters = {key: ",".join(values) for key, values in parse_qs(query, keep_blank_values=True).items()}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": api_id,
            "domainName": headers.get("host", "localhost"),
            "domainPrefix": headers.get("host", "localhost").split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": encoded,
    }
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    if "cookie" in headers:
        event["cookies"] = [cookie.strip() for cookie in headers["cookie"].split(";")]
    if query_parameters:
        event["queryStringParameters"] = query_parameters
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        event["body"] = text
    return event


LocalRoute = Callable[[dict[str, Any]], dict[str, Any]]
# A path prefix served by the local stack itself, any method: (method, path, headers, body) -> (status, headers, body).
RawRoute = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


class LocalGateway:
    def __init__(
        self,
        routes: list[Route],
        lambda_client: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        api_id: str = "local",
        local_routes: dict[str, LocalRoute] | None = None,
        prefixes: dict[str, RawRoute] | None = None,
    ) -> None:
        """``local_routes``: extra POST paths served by the local stack itself (the development token
        issuer); ``prefixes``: paths under a prefix served by it (the console's files, the Cognito proxy)."""
        self.routes = routes
        self._lambda = lambda_client
        self._api_id = api_id
        self._local_routes = local_routes or {}
        self._prefixes = prefixes or {}
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method in (method, "ANY"):
                return route, found.groupdict()
        return None

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        for prefix, serve in self._prefixes.items():
            if parts.path == prefix.rstrip("/") or parts.path.startswith(prefix):
                return serve(method, parts.path, headers, body)
        if method == "POST" and parts.path in self._local_routes:
            try:
                return _json(HTTPStatus.OK, self._local_routes[parts.path](json.loads(body or b"{}")))
            except (ValueError, KeyError, TypeError) as error:
                return _json(HTTPStatus.BAD_REQUEST, {"message": str(error)})
        matched = self.match(method, parts.path)
        if matched is None:
            return _json(HTTPStatus.NOT_FOUND, {"message": "Not Found"})
        route, parameters = matched
        claims = None
        if route.authorizer is not None:
            claims = route.authorizer.claims(headers)
            if claims is None:
                return _json(HTTPStatus.UNAUTHORIZED, {"message": "Unauthorized"})
        event = build_event(route, method, parts.path, parts.query, headers, body, parameters, source_ip, self._api_id, claims)
        response = self._lambda.invoke(FunctionName=route.function_name, Payload=json.dumps(event).encode())
        payload = json.loads(response["Payload"].read() or b"null")
        if "FunctionError" in response:
            return _json(HTTPStatus.INTERNAL_SERVER_ERROR, {"message": "Internal Server Error"})
        return _to_http(payload)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_BODY_BYTES:
                    status, headers, body = _json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "Request Entity Too Large"})
                    self.close_connection = True
                else:
                    request_headers: dict[str, str] = {}
                    for key, value in self.headers.items():
                        key = key.lower()
                        request_headers[key] = f"{request_headers[key]},{value}" if key in request_headers else value
                    status, headers, body = gateway.dispatch(
                        self.command, self.path, request_headers, self.rfile.read(length), self.client_address[0]
                    )
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the caller left (a browser page moved on)
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return int(status), {"content-type": "application/json"}, json.dumps(body).encode()


def _to_http(payload: Any) -> tuple[int, dict[str, str], bytes]:
    """API Gateway's interpretation of a payload 2.0 response."""
    if not isinstance(payload, dict) or "statusCode" not in payload:
        return 200, {"content-type": "application/json"}, json.dumps(payload).encode()
    headers = {key.lower(): str(value) for key, value in (payload.get("headers") or {}).items()}
    for key, values in (payload.get("multiValueHeaders") or {}).items():
        headers[key.lower()] = ",".join(str(value) for value in values)
    body = payload.get("body") or ""
    raw = base64.b64decode(body) if payload.get("isBase64Encoded") else str(body).encode()
    if payload.get("cookies"):
        headers["set-cookie"] = "; ".join(payload["cookies"])
    return int(payload["statusCode"]), headers, raw
