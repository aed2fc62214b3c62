"""The agent console on the local stack: its built files under /console/ on the API's port, with the
same security headers as CloudFront, its config.json pointing at the local user pool, and a same-origin
proxy to the embedded Cognito (the console signs in with SRP, as in AWS)."""

from __future__ import annotations

import contextlib
import json
import mimetypes
import urllib.error
import urllib.request
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from infrastructure.console_policy import CONSOLE_PREFIX, security_headers

COGNITO_PROXY = "/local/cognito/"
Served = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class ConsoleSite:
    root: Path
    config: dict[str, Any]

    def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Served:
        if method not in ("GET", "HEAD"):
            return _text(HTTPStatus.METHOD_NOT_ALLOWED, "the console is read-only")
        if path == CONSOLE_PREFIX.rstrip("/"):  # relative asset paths need the trailing slash
            return HTTPStatus.MOVED_PERMANENTLY, {"location": CONSOLE_PREFIX}, b""
        relative = path.removeprefix(CONSOLE_PREFIX.rstrip("/")).lstrip("/") or "index.html"
        if relative == "config.json":
            return self._send(json.dumps(self.config).encode(), "application/json", "no-store")
        file = (self.root / relative).resolve()
        if not (self.root / "index.html").is_file():
            return _text(HTTPStatus.SERVICE_UNAVAILABLE, "the console is not built: run `make console`")
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            return _text(HTTPStatus.NOT_FOUND, "not found")
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return self._send(file.read_bytes(), kind, "no-cache" if relative == "index.html" else "max-age=300")

    def _send(self, body: bytes, content_type: str, cache: str) -> Served:
        return HTTPStatus.OK, {"content-type": content_type, "cache-control": cache, **security_headers([])}, body


@dataclass(frozen=True)
class CognitoProxy:
    """POST /local/cognito/ -> the embedded Cognito's JSON API, unchanged."""

    endpoint: str

    @staticmethod
    def _as_cognito_answers(target: str, answer: bytes) -> bytes:
        """moto names the user by its sub in USER_ID_FOR_SRP and then cannot find it by that name;
        Cognito names it by the username a user signs in with, so the proxy does too."""
        if not target.endswith(".InitiateAuth"):
            return answer
        with contextlib.suppress(ValueError, KeyError, TypeError):
            data = json.loads(answer)
            parameters = data["ChallengeParameters"]
            parameters["USER_ID_FOR_SRP"] = parameters["USERNAME"]
            return json.dumps(data).encode()
        return answer

    def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Served:
        if method != "POST":
            return _text(HTTPStatus.METHOD_NOT_ALLOWED, "POST only")
        forwarded = {name: headers[name] for name in ("content-type", "x-amz-target", "x-amz-user-agent") if name in headers}
        request = urllib.request.Request(f"{self.endpoint}/", data=body, headers=forwarded, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer, kind = response.status, response.read(), response.headers.get("content-type", "")
        except urllib.error.HTTPError as error:
            status, answer, kind = error.code, error.read(), error.headers.get("content-type", "")
        answer = self._as_cognito_answers(headers.get("x-amz-target", ""), answer)
        return status, {"content-type": kind or "application/x-amz-json-1.1"}, answer


def _text(status: int, message: str) -> Served:
    return int(status), {"content-type": "application/json"}, json.dumps({"message": message}).encode()
