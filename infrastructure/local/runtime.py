"""In-process Lambda runtime for moto.

moto runs Lambda code only in Docker, from one place:
``moto.awslambda.models.LambdaFunction._invoke_lambda(self, event) -> (payload, errored, logs)``.
We replace that private method (moto is pinned; tests/integration/test_moto_canary.py
fails loudly if an upgrade moves it) with a call of the function's real handler,
imported from its synthesized asset folders, under the function's environment.

Each handler reads its own environment (a per-thread layer of os.environ). One handler runs its
Python at a time all the same, as state Lambda keeps per sandbox (Powertools' metrics buffer, say)
is per process here. A handler gives up its turn while it waits on any AWS call: the call goes
to moto's server thread (which may have to run another function, when routing asks search, say),
and meanwhile other handlers run, as they would in their own sandboxes in AWS. botocore's
``before-send`` and ``needs-retry`` events (sent once per attempt, also on errors) mark that wait.
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

import boto3
import botocore.handlers
from moto.awslambda.models import LambdaFunction

from infrastructure.local.iam import RoleEnforcer, RolePolicies
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


_LAYER = threading.local()  # .env: the running handler's variables on this thread, None outside a handler
_DELETED = None


class LayeredEnviron(os._Environ):  # type: ignore[type-arg]
    """os.environ with a layer per thread: a handler reads and writes its own environment on top of
    the process's, and no other thread ever sees it (or sees the process's variables come and go,
    which broke moto's interpreter threads: ``os.environ.items()`` met a variable deleted meanwhile).
    Only Python sees the layer; C's ``getenv`` and child processes see the process's variables."""

    @staticmethod
    def _layer() -> dict[str, str | None] | None:
        return getattr(_LAYER, "env", None)  # type: ignore[no-any-return]

    def __getitem__(self, key: str) -> str:
        layer = self._layer()
        if layer is not None and key in layer:
            value = layer[key]
            if value is _DELETED:
                raise KeyError(key)
            return value
        return super().__getitem__(key)  # type: ignore[no-any-return]

    def __setitem__(self, key: str, value: str) -> None:
        layer = self._layer()
        if layer is None:
            super().__setitem__(key, value)
        elif not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"str expected, not {type(key if not isinstance(key, str) else value).__name__}")
        else:
            layer[key] = value

    def __delitem__(self, key: str) -> None:
        layer = self._layer()
        if layer is None:
            super().__delitem__(key)
            return
        self[key]  # KeyError if it is not set
        layer[key] = _DELETED

    def __iter__(self) -> Iterator[str]:
        layer = self._layer()
        if layer is None:
            yield from super().__iter__()
            return
        outside = list(super().__iter__())
        yield from (key for key in outside if key not in layer)
        yield from (key for key, value in list(layer.items()) if value is not _DELETED)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def layer_the_environment() -> None:
    """From now on os.environ reads a thread's handler layer first (idempotent; inert without layers)."""
    if not isinstance(os.environ, LayeredEnviron):
        os.environ.__class__ = LayeredEnviron


class Turns:
    """One handler runs its Python at a time, each under its own environment (a layer of
    os.environ that only its thread sees). A handler waiting on an AWS call lends its turn out and
    keeps its layer: what runs on its thread meanwhile (fault injection, moto in-process) sees it."""

    def __init__(self) -> None:
        layer_the_environment()
        self._lock = threading.Lock()
        self._local = threading.local()

    def _stack(self) -> list[dict[str, str | None]]:
        if not hasattr(self._local, "stack"):
            self._local.stack, self._local.lent = [], False
        return self._local.stack  # type: ignore[no-any-return]

    @contextmanager
    def turn(self, overrides: dict[str, str]) -> Iterator[None]:
        """Run under the outside environment with ``overrides`` on top."""
        stack = self._stack()
        # In-process moto serves a nested call on the caller's thread, after the caller lent its turn.
        borrowed = bool(stack) and self._local.lent
        if not stack or borrowed:
            self._lock.acquire()
            self._local.lent = False
        stack.append(dict(overrides))
        _LAYER.env = stack[-1]
        try:
            yield
        finally:
            stack.pop()
            _LAYER.env = stack[-1] if stack else None
            if not stack or borrowed:
                self._local.lent = borrowed
                self._lock.release()

    def running(self) -> str | None:
        """The function whose handler runs on this thread, unless it lent its turn (or none runs)."""
        stack = self._stack()
        if not stack or self._local.lent:
            return None
        return stack[-1].get("AWS_LAMBDA_FUNCTION_NAME")

    def close(self, timeout_s: float = 60.0) -> None:
        """Wait for the handler holding the turn, then keep it: after a stop, no late invocation
        (a workflow's timeout firing) runs."""
        self._lock.acquire(timeout=timeout_s)

    def lend(self, **_: Any) -> None:
        """before-send: let other handlers (the callee of a Lambda call among them) run while this one waits."""
        if self._stack() and not self._local.lent:
            self._local.lent = True
            self._lock.release()

    def resume(self, **_: Any) -> None:
        """needs-retry (sent once per attempt, also on errors): carry on."""
        if self._stack() and self._local.lent:
            self._lock.acquire()
            self._local.lent = False


HOOKS = (("before-send", "lend"), ("needs-retry", "resume"))


class InProcessRuntime:
    """Registry of local function code, and the patch that dispatches to it."""

    def __init__(self, base_environment: dict[str, str], on_error: Callable[[str], None] | None = None) -> None:
        """``on_error(function_name)``: told of every failed invocation, as Lambda counts its Errors metric."""
        self._functions: dict[str, FunctionCode] = {}
        self._base_environment = base_environment
        self._turns = Turns()
        self._original: Callable[..., Any] | None = None
        self._on_error = on_error
        self.enforcer: RoleEnforcer | None = None

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
        self._hooks: list[tuple[str, Callable[..., Any]]] = [(event, getattr(self._turns, name)) for event, name in HOOKS]
        self._register(self._hooks)

    def enforce(self, policies: RolePolicies) -> RoleEnforcer:
        """From now on every AWS call a handler makes is checked against its own execution role."""
        self.enforcer = RoleEnforcer(policies, self._turns.running)
        hook = ("before-parameter-build", self.enforcer)
        self._hooks.append(hook)
        self._register([hook])
        return self.enforcer

    @staticmethod
    def _register(hooks: list[tuple[str, Callable[..., Any]]]) -> None:
        """On every botocore session created from now on, and boto3's default one if it exists."""
        botocore.handlers.BUILTIN_HANDLERS.extend(hooks)
        if boto3.DEFAULT_SESSION is not None:
            for event, hook in hooks:
                boto3.DEFAULT_SESSION.events.register(event, hook)

    def close(self) -> None:
        self._turns.close()

    def uninstall(self) -> None:
        if self._original is not None:
            LambdaFunction._invoke_lambda = self._original  # type: ignore[method-assign]
            self._original = None
            for hook in self._hooks:
                botocore.handlers.BUILTIN_HANDLERS.remove(hook)

    def invoke(self, function: LambdaFunction, event: Any) -> tuple[str, bool, str]:
        code = self._functions.get(function.function_name)
        if code is None:
            error = {"errorType": "LocalFunctionNotRegistered", "errorMessage": function.function_name}
            return json.dumps(error), True, ""
        payload = json.loads(event) if isinstance(event, str | bytes) else event
        failure: dict[str, Any] | None = None
        with self._turns.turn(self._environment(function, code)):
            context = LambdaContext(function.function_name, code.memory_mb, code.timeout_s)
            try:
                handler = self._load(code)
                result = handler(payload, context)
            except Exception as error:  # the Lambda runtime reports any handler error this way
                failure = {
                    "errorType": type(error).__name__,
                    "errorMessage": str(error),
                    "stackTrace": traceback.format_exception(error)[-5:],
                }
        if failure is not None:
            # The type only: messages can quote customer text. The caller gets the details.
            LOG.warning("%s failed with %s", function.function_name, failure["errorType"])
            if self._on_error is not None:  # Lambda's own metric: outside the handler's turn and role
                self._on_error(function.function_name)
            return json.dumps(failure), True, ""
        return json.dumps(result, default=str), False, ""

    def _environment(self, function: LambdaFunction, code: FunctionCode) -> dict[str, str]:
        for path in reversed(code.code_paths):
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        return {
            **self._base_environment,
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(code.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "_HANDLER": code.handler,
            **{key: str(value) for key, value in (function.environment_vars or {}).items()},
        }

    @staticmethod
    def _load(code: FunctionCode) -> Callable[[Any, Any], Any]:
        module_name, _, attribute = code.handler.rpartition(".")
        module = importlib.import_module(module_name)
        return getattr(module, attribute)  # type: ignore[no-any-return]
