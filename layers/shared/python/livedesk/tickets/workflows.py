"""The workflows a ticket waits on, behind a port: start one by name, answer a waiting task."""

from __future__ import annotations

import json
from typing import Any, Protocol

from livedesk.tickets.lifecycle import InvalidTransition


class Workflows(Protocol):
    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        """Start an execution named ``name`` (a second start with the same name changes nothing)."""
        ...

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        """Answer a waiting task; InvalidTransition when the workflow stopped waiting."""
        ...


class StepFunctionsWorkflows:
    """Workflows by name (``after_sales``) to state machine ARNs."""

    def __init__(self, sfn: Any, arns: dict[str, str] | None = None) -> None:
        self._sfn = sfn
        self._arns = arns or {}

    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        arn = self._arns[workflow]
        try:
            return str(self._sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))["executionArn"])
        except self._sfn.exceptions.ExecutionAlreadyExists:
            return f"{arn.replace(':stateMachine:', ':execution:')}:{name}"

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        try:
            self._sfn.send_task_success(taskToken=token, output=json.dumps(output))
        except (self._sfn.exceptions.TaskTimedOut, self._sfn.exceptions.InvalidToken, self._sfn.exceptions.TaskDoesNotExist):
            raise InvalidTransition("the workflow stopped waiting for this (its time ran out)") from None
