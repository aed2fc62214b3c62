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
# one local stack per worker, so they run in two groups, each whole on one worker, and they are
# handed out first: each worker starts with one of them. Every other file (unit, infrastructure,
# integration on in-process moto, which must not run while the worker's stack is up) is a group of
# its own, taken by whichever worker is free, so the two workers finish close together. A group
# needs pytest < 9.2 (pinned): 9.2 builds node ids in a way xdist 3.8 cannot suffix, and every test
# then runs wherever, restarting stacks (tests/unit/test_test_groups.py is the canary).
E2E_GROUPS = {
    "test_tickets.py": "e2e-workflows",
    "test_journey.py": "e2e-workflows",
    "test_selfservice.py": "e2e-workflows",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: Path(str(item.fspath)).parent.name != "e2e")  # stable: the e2e groups come first
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group_of(Path(str(item.fspath)))))


def xdist_group_of(path: Path) -> str:
    """The xdist group a test file runs in: an end-to-end group, or the file itself."""
    if path.parent.name == "e2e":
        return E2E_GROUPS.get(path.name, "e2e-operations")
    return path.relative_to(ROOT).as_posix()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The browser test's figures (first load, queue render, accessibility), printed after the run."""
    figures = ROOT / ".build" / "console-figures.json"
    if figures.exists() and figures.stat().st_mtime > SESSION_STARTED:
        terminalreporter.write_line(f"agent console: {figures.read_text().strip()}")
