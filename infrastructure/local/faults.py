"""Fault injection for the local stack: chosen AWS calls made by the in-process handlers fail the way
a throttled or unavailable service answers, before the request leaves botocore (``before-send``).
Botocore's retries, the handlers' partial batch failures, the pollers' redelivery and the DLQs then
do what they do in AWS."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.handlers
from botocore.awsrequest import AWSResponse

# How each failure looks on the wire (JSON protocol: DynamoDB, SQS, Step Functions).
FAILURES = {
    "throttled": (400, "ThrottlingException"),  # retried with backoff by botocore
    "unavailable": (503, "ServiceUnavailable"),  # retried with backoff by botocore
    "rejected": (400, "ValidationException"),  # not retried: the handler fails at once
}


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self._content


@dataclass
class Fault:
    operation: str  # "<service>.<Operation>" as botocore names them, e.g. dynamodb.TransactWriteItems
    failure: str = "unavailable"
    times: int | None = None  # None: until the injector closes
    when: Callable[[bytes], bool] = field(default=lambda _: True)  # on the request body
    function: str | None = None  # only this function's calls (the runtime sets AWS_LAMBDA_FUNCTION_NAME per turn)
    failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        if self.function is not None and os.environ.get("AWS_LAMBDA_FUNCTION_NAME") != self.function:
            return None
        with self._lock:
            if (self.times is not None and self.failed >= self.times) or not self.when(body):
                return None
            self.failed += 1
        status, code = FAILURES[self.failure]
        content = json.dumps({"__type": code, "message": f"injected {self.failure} fault"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-query-error": f"{code};Sender"}
        return AWSResponse(request.url, status, headers, _Body(content))


_active: list[Fault] = []


def _dispatch(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
    for fault in list(_active):
        if event_name == f"before-send.{fault.operation}":
            response = fault(request)
            if response is not None:
                return response
    return None


def install() -> None:
    """Give every botocore client created from now on the fault hook (clients copy their session's
    handlers when created, so this runs before the handlers are loaded)."""
    hook = ("before-send", _dispatch)
    if hook not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(hook)
        if boto3.DEFAULT_SESSION is not None:
            boto3.DEFAULT_SESSION.events.register(*hook)


@contextmanager
def injected(*faults: Fault) -> Iterator[tuple[Fault, ...]]:
    """While inside, the handlers' AWS calls meet ``faults`` (install() must have run first)."""
    _active.extend(faults)
    try:
        yield faults
    finally:
        for fault in faults:
            _active.remove(fault)
