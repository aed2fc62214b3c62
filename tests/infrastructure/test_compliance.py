"""cfn-lint and cdk-nag (AwsSolutions) on the synthesized template, and the OpenAPI document (the
OpenSearch variants are synthesized with cdk-nag in test_opensearch.py)."""

import json
import subprocess
import sys
from pathlib import Path

from infrastructure.nag import SEARCH_DOMAIN, STACK_WIDE
from infrastructure.openapi import DEFAULT_OUT, build_openapi, render


def test_cfn_lint_is_clean(synthesized_template: Path) -> None:
    lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(lint), str(synthesized_template)], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stdout + result.stderr


def test_cdk_nag_reports_no_violation(synthesized_template: Path) -> None:
    report = json.loads((synthesized_template.parent / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["pluginName"] == "AwsSolutions"
    assert plugin["conclusion"] == "success"
    assert plugin["violations"] == []


def test_every_acknowledgment_gives_its_reason() -> None:
    assert all(len(reason) > 40 for reason in {**STACK_WIDE, **SEARCH_DOMAIN}.values())


def test_openapi_document_is_current(synthesized_template: Path) -> None:
    expected = render(build_openapi(synthesized_template))
    assert DEFAULT_OUT.read_text(encoding="utf-8") == expected, "docs/openapi.json is stale: run `make openapi`"
