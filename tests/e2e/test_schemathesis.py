"""Schemathesis against the exported OpenAPI document, on the local stack: generated valid and
invalid requests to every operation, as a signed channel or a signed-in admin. No 5xx; every
error is JSON with a message; responses, status codes and content types match the document.
Bounded: SCHEMATHESIS_EXAMPLES per operation and generation mode (default 6), derandomised."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infrastructure.local.stack import LocalStack
from livedesk.api import CHANNELS
from livedesk.channels import CHANNEL_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from tests.e2e.conftest import CHANNEL_ROUTES, Client

SCHEMA = schemathesis.openapi.from_path(Path(__file__).parents[2] / "docs" / "openapi.json")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
BRAND = "schemathesis"
SUMMARY: Counter[str] = Counter()


class SigningSession(requests.Session):
    """Signs what a channel sends (over the exact body) with the brand's key; the rest as it was generated."""

    def __init__(self, stack: LocalStack) -> None:
        super().__init__()
        self.trust_env = False  # as local_session(): never reads os.environ, which handlers' turns change
        self._stack = stack

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        path = (request.path_url or "").split("?")[0]
        if path.startswith(CHANNEL_ROUTES):
            body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
            channel = request.headers.get(CHANNEL_HEADER, "")
            channel = channel if channel in CHANNELS else "app_chat"
            signed = self._stack.channel_headers(BRAND, channel, str(request.method), path, body)
            for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER, CHANNEL_HEADER, "x-livedesk-brand"):
                request.headers[name] = signed[name]
        return super().send(request, **kwargs)


def _errors_are_json_with_a_message(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert isinstance(body.get("message"), str) and body["message"], f"{response.status_code} without a message: {body}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    _errors_are_json_with_a_message,
]


@pytest.fixture(scope="module", autouse=True)
def summary() -> Any:
    """How the generated requests were answered, written to .build/schemathesis-summary.json."""
    yield
    target = Path(__file__).parents[2] / ".build" / "schemathesis-summary.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps({"examples_per_operation_and_mode": EXAMPLES, "operations": len(OPERATIONS), **SUMMARY}, indent=1))


def _has_input(operation: Any) -> bool:
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


# Invalid requests only where there is something to get wrong (a parameter or a body).
CASES = [
    pytest.param(operation, mode, id=f"{operation.label}-{mode.value}")
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _has_input(operation)
]


@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_the_api_keeps_its_contract_for_generated_requests(api: Client, operation: Any, mode: GenerationMode) -> None:
    session = SigningSession(api.stack)
    headers = {"authorization": f"Bearer {api.token(BRAND, 'schemathesis-admin', 'admin')}"}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=api.stack.url, session=session, headers=headers, timeout=60)
        SUMMARY["requests"] += 1
        SUMMARY[f"status {response.status_code}"] += 1
        case.validate_response(response, checks=CHECKS)

    run()
