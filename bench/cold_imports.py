"""Cold import time of each function's handler, in a fresh interpreter, with `python -X importtime`.

Run: make bench  (or .venv/bin/python bench/cold_imports.py [--repeats N] [FUNCTION ...]). Prints
one line per function: the handler module's cumulative import time (the median of N imports, each in
a fresh interpreter, five by default) with its spread (the first and third quartiles), the wall time
of that median run's process, and the three heaviest imports under the handler. This machine drifts
(up to 20 % within ten minutes on 2026-12-06): compare two versions of the code by alternating
them, not by two runs.

The code is what Lambda gets: the function's synthesized asset and its layers' assets (our code
with its bytecode, the wheels of the dependency layers; boto3 from this virtualenv, as Lambda's
runtime brings its own). The interpreter gets the variables Lambda sets (the task root, the
function's name and memory, the runtime) and the function's own from the template, tracing
included: the X-Ray SDK takes a cheaper path inside Lambda, and Tracer patches what it traces at import.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infrastructure.local.template import Template, cold_start_environment, handler_of  # noqa: E402

REPEATS = 5  # each handler is imported this many times by default; the median run is printed (3 was noisy: ±100 ms)
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cold import time of each function's handler.")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="imports per function (the median is printed)")
    parser.add_argument("functions", nargs="*", help="only these functions (e.g. routing search); all by default")
    args = parser.parse_args()
    template = Template.load(ROOT / "cdk.out" / "LiveDesk.template.json")
    print(f"{'function':<14} {'handler import (ms)':>20} {'q1–q3 (ms)':>12} {'process wall (ms)':>18}  heaviest imports")
    for _, resource in sorted(template.functions(), key=lambda item: item[1]["Properties"]["FunctionName"]):
        properties = resource["Properties"]
        name = properties["FunctionName"].removeprefix("livedesk-dev-")
        if args.functions and name not in args.functions:
            continue
        module = handler_of(properties).rpartition(".")[0]
        code = template.code_paths(resource, third_party_layers=True)
        outside = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "PYTHON"))}
        environment = {**outside, **cold_start_environment(properties, code)}
        runs = sorted(_import(module, environment) for _ in range(args.repeats))
        own, wall_ms, heavy = runs[len(runs) // 2]  # the median run
        spread = f"{runs[len(runs) // 4][0] / 1000:.0f}–{runs[(3 * len(runs)) // 4][0] / 1000:.0f}"
        print(f"{name:<14} {own / 1000:>20.0f} {spread:>12} {wall_ms:>18.0f}  {heavy}")


def _import(module: str, environment: dict[str, str]) -> tuple[int, float, str]:
    """One cold import in a fresh interpreter: the module's cumulative import time (microseconds),
    the process's wall time (ms) and its three heaviest direct imports."""
    started = time.perf_counter()
    command = [sys.executable, "-X", "importtime", "-c", f"import {module}"]
    with tempfile.TemporaryDirectory() as elsewhere:  # not this repository's folder on sys.path
        result = subprocess.run(command, env=environment, cwd=elsewhere, capture_output=True, text=True, check=True)
    wall_ms = (time.perf_counter() - started) * 1000
    rows = [(int(m.group(2)), len(m.group(3)), m.group(4)) for m in map(LINE.match, result.stderr.splitlines()) if m]
    index = next(i for i, (_, _, name) in enumerate(rows) if name == module)
    own, depth, _ = rows[index]
    children = []  # importtime prints children just before their parent, one level deeper
    for cumulative, child_depth, name in reversed(rows[:index]):
        if child_depth <= depth:
            break
        if child_depth == depth + 2:
            children.append((cumulative, name))
    top_level = sorted(children, reverse=True)[:3]
    return own, wall_ms, ", ".join(f"{name} {c / 1000:.0f}" for c, name in top_level)


if __name__ == "__main__":
    main()
