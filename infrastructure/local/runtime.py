"""In-process Lambda runtime for moto.

moto runs Lambda code only in Docker, from one place:
``moto.awslambda.models.LambdaFunction._invoke_lambda(self, event) -> (payload, errored, logs)``.
We replace that private method (moto is pinned; tests/integration/test_moto_canary.py
fails loudly if an upgrade moves it) with a call of the function's real handler,
imported from its synthesized asset folders, under the function's environment.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction

from infrastructure.local.template import ACCOUNT, REGION

LOG = logging.getLogger("livedesk.local")


@dataclass
class FunctionCode:
    handler: str
    code_paths: list[Path]
    memory_mb: int = 128
    timeout_s: int = 3


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


class InProcessRuntime:
    """Registry of local function code, and the patch that dispatches to it."""

    def __init__(self, base_environment: dict[str, str]) -> None:
        self._functions: dict[str, FunctionCode] = {}
        self._base_environment = base_environment
        # Environment variables are process-wide: one invocation at a time.
        self._lock = threading.RLock()
        self._original: Callable[..., Any] | None = None

    def register(self, function_name: str, code: FunctionCode) -> None:
        self._functions[function_name] = code

    def install(self) -> None:
        if self._original is not None:
            return
        self._original = LambdaFunction._invoke_lambda
        runtime = self

        def _invoke_lambda(function: LambdaFunction, event: str | None = None) -> tuple[str, bool, str]:
            return runtime.invoke(function, event)

        LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign, assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            LambdaFunction._invoke_lambda = self._original  # type: ignore[method-assign]
            self._original = None

    def invoke(self, function: LambdaFunction, event: Any) -> tuple[str, bool, str]:
        code = self._functions.get(function.function_name)
        if code is None:
            error = {"errorType": "LocalFunctionNotRegistered", "errorMessage": function.function_name}
            return json.dumps(error), True, ""
        payload = json.loads(event) if isinstance(event, str | bytes) else event
        with self._lock, self._environment(function, code):
            context = LambdaContext(function.function_name, code.memory_mb, code.timeout_s)
            try:
                handler = self._load(code)
                result = handler(payload, context)
            except Exception as error:  # the Lambda runtime reports any handler error this way
                body = {
                    "errorType": type(error).__name__,
                    "errorMessage": str(error),
                    "stackTrace": traceback.format_exception(error)[-5:],
                }
                # The type only: messages can quote customer text. The caller gets the details.
                LOG.warning("%s failed with %s", function.function_name, type(error).__name__)
                return json.dumps(body), True, ""
        return json.dumps(result, default=str), False, ""

    @contextmanager
    def _environment(self, function: LambdaFunction, code: FunctionCode) -> Iterator[None]:
        saved = dict(os.environ)
        os.environ.update(self._base_environment)
        os.environ.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(code.memory_mb),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "_HANDLER": code.handler,
            }
        )
        os.environ.update({key: str(value) for key, value in (function.environment_vars or {}).items()})
        for path in reversed(code.code_paths):
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    @staticmethod
    def _load(code: FunctionCode) -> Callable[[Any, Any], Any]:
        module_name, _, attribute = code.handler.rpartition(".")
        module = importlib.import_module(module_name)
        return getattr(module, attribute)  # type: ignore[no-any-return]
