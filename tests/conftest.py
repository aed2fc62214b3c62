"""Shared test set-up: one synthesized template per session, rebuilt only when sources changed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SESSION_STARTED = time.time()
TEMPLATE = ROOT / "cdk.out" / "LiveDesk.template.json"
SOURCE_DIRS = ("infrastructure", "functions", "layers")

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "LiveDeskTest")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _newest_source() -> float:
    files = [ROOT / "app.py", ROOT / "cdk.json"]
    for folder in SOURCE_DIRS:
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts and "local" not in p.parts]
    return max(p.stat().st_mtime for p in files)


@pytest.fixture(scope="session")
def synthesized_template() -> Path:
    """cdk.out as `make synth` leaves it; synthesized here if missing or older than the sources."""
    if not TEMPLATE.exists() or TEMPLATE.stat().st_mtime < _newest_source():
        subprocess.run([sys.executable, "app.py"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return TEMPLATE


# `make test` runs two pytest workers (pytest-xdist, --dist loadgroup). The end-to-end files share
# one local stack per worker, so they run in two groups, each whole on one worker; everything else
# (unit, infrastructure, integration on in-process moto) is a third group, which the worker that
# finishes its end-to-end group first takes. The workflow group is the shorter one by about the
# third group's length (warm, summed from --durations=0: 130 s + 186 s against 312 s).
E2E_GROUPS = {
    "test_tickets.py": "e2e-workflows",
    "test_journey.py": "e2e-workflows",
    "test_selfservice.py": "e2e-workflows",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        group = E2E_GROUPS.get(path.name, "e2e-operations") if path.parent.name == "e2e" else "unit-infrastructure-integration"
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The browser test's figures (first load, queue render, accessibility), printed after the run."""
    figures = ROOT / ".build" / "console-figures.json"
    if figures.exists() and figures.stat().st_mtime > SESSION_STARTED:
        terminalreporter.write_line(f"agent console: {figures.read_text().strip()}")
