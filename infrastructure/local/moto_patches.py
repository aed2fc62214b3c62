"""Changes to moto's server that the local stack needs: speed-ups that change no behaviour."""

from __future__ import annotations

from functools import cache


def cache_moto_module_listing() -> None:
    """moto's server finds the backend of every request by listing its package folder (a stat per
    service, on every call); the folder does not change while it runs."""
    from moto import backends

    listing = backends.list_of_moto_modules
    if not hasattr(listing, "cache_info"):
        backends.list_of_moto_modules = cache(lambda: tuple(listing()))  # type: ignore[assignment]


def log_task_runtime_errors() -> None:
    """moto's interpreter turns an exception inside a Task state into ``States.Runtime`` and keeps only
    ``str(ex)``; log the traceback too, so a rare failure under load can be traced to its cause."""
    import logging

    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    original = ExecutionState._from_error
    if getattr(original, "logs_runtime_errors", False):
        return

    def _from_error(self: ExecutionState, env: object, ex: Exception) -> object:
        if not isinstance(ex, FailureEventException):
            logging.getLogger("livedesk.local").warning("a task failed with States.Runtime: %r", ex, exc_info=ex)
        return original(self, env, ex)

    _from_error.logs_runtime_errors = True  # type: ignore[attr-defined]
    ExecutionState._from_error = _from_error  # type: ignore[method-assign, assignment]
