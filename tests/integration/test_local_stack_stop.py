"""The local stack's stop: workflows still running are stopped before moto goes (moto in-process)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import boto3
from moto import mock_aws

from infrastructure.local.stack import LocalStack, provision_resources
from infrastructure.local.template import Template


def test_a_workflow_still_waiting_is_stopped_when_the_stack_stops(synthesized_template: Path) -> None:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        provision_resources(Template.load(synthesized_template), boto3.client)
        stepfunctions = boto3.client("stepfunctions")
        machines = {machine["name"]: machine["stateMachineArn"] for machine in stepfunctions.list_state_machines()["stateMachines"]}
        aftercare = next(arn for name, arn in machines.items() if name.endswith("-aftercare"))
        waiting = stepfunctions.start_execution(
            stateMachineArn=aftercare, input=json.dumps({"brand_id": "lumi", "ticket_id": "t-1", "follow_up_after_seconds": 3600})
        )["executionArn"]
        assert stepfunctions.describe_execution(executionArn=waiting)["status"] == "RUNNING"

        LocalStack._stop_running_executions(SimpleNamespace(client=boto3.client))  # type: ignore[arg-type]

        deadline = time.monotonic() + 30  # the execution's own thread wakes from its wait and records the stop
        while stepfunctions.describe_execution(executionArn=waiting)["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stepfunctions.describe_execution(executionArn=waiting)["status"] == "ABORTED"
