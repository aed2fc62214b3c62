"""Each function's code as Lambda puts it together: its own asset and its layers' assets, nothing
else. Every handler imports from those alone (an exclusion pattern once left a package of ours out
of the shared layer, which the local stack, importing our code from the source tree, did not
notice), every module has bytecode Lambda can use (it cannot write its own), and the whole stays
under Lambda's size limit."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from infrastructure.local.template import Template, cold_start_environment, handler_of

UNCHECKED_HASH = 0b01  # a .pyc's flags: hash-based, source not checked (PEP 552)


@pytest.fixture(scope="module")
def zip_functions(synthesized_template: Path) -> list[tuple[dict[str, Any], list[Path]]]:
    template = Template.load(synthesized_template)
    return [
        (resource["Properties"], template.code_paths(resource, third_party_layers=True))
        for _, resource in template.functions()
        if resource["Properties"].get("PackageType") != "Image"
    ]


def _imports(properties: dict[str, Any], code: list[Path]) -> str | None:
    """None if the handler imports from ``code`` alone, else the error it met."""
    outside = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "POWERTOOLS_"))}
    module = handler_of(properties).rpartition(".")[0]
    with tempfile.TemporaryDirectory() as elsewhere:  # not this repository's folder on sys.path
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            env={**outside, **cold_start_environment(properties, code)},
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=300,
        )
    return None if result.returncode == 0 else f"{properties['FunctionName']}: {result.stderr.strip().splitlines()[-1]}"


def test_every_handler_imports_from_its_own_assets_alone(zip_functions: list[tuple[dict[str, Any], list[Path]]]) -> None:
    assert len(zip_functions) >= 10
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [failure for failure in pool.map(lambda function: _imports(*function), zip_functions) if failure]
    assert failures == []


def test_our_code_ships_bytecode_that_no_timestamp_invalidates(zip_functions: list[tuple[dict[str, Any], list[Path]]]) -> None:
    # The task root (the function's asset) and the shared layer.
    ours = {path for _, code in zip_functions for path in code if path == code[0] or (path / "livedesk").is_dir()}
    sources = [source for folder in ours for source in folder.rglob("*.py")]
    assert any(source.name == "handler.py" for source in sources) and any("livedesk" in source.parts for source in sources)
    missing, checked = [], []
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        if not compiled.exists():
            missing.append(source)
        elif int.from_bytes(compiled.read_bytes()[4:8], "little") != UNCHECKED_HASH:
            checked.append(source)
    assert (missing, checked) == ([], [])


def test_every_function_stays_under_lambdas_unzipped_limit(zip_functions: list[tuple[dict[str, Any], list[Path]]]) -> None:
    """Its code and its layers, unzipped, bytecode included, under 250 MB (routing's embedder is the largest part)."""
    sizes = {
        properties["FunctionName"]: sum(f.stat().st_size for path in code for f in path.rglob("*") if f.is_file())
        for properties, code in zip_functions
    }
    assert sizes["livedesk-dev-routing"] == max(sizes.values())
    assert sizes["livedesk-dev-routing"] < 250 * 1024 * 1024, f"{sizes['livedesk-dev-routing'] / 2**20:.0f} MB"
