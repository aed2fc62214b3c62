"""cfn-lint and cdk-nag (AwsSolutions) on the synthesized template, and the OpenAPI document."""

import json
import subprocess
import sys
from pathlib import Path

from app import build_app
from infrastructure.nag import STACK_WIDE
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
    assert all(len(reason) > 40 for reason in STACK_WIDE.values())


def test_the_opensearch_opt_in_also_synthesizes_clean(tmp_path: Path) -> None:
    app = build_app({"opensearch": "true"}, outdir=str(tmp_path))
    assembly = app.synth()  # raises if cdk-nag reports a violation
    template = json.loads(Path(assembly.directory, "LiveDesk.template.json").read_text())
    kinds = {r["Type"] for r in template["Resources"].values()}
    assert "AWS::OpenSearchServerless::Collection" in kinds


def test_openapi_document_is_current(synthesized_template: Path) -> None:
    expected = render(build_openapi(synthesized_template))
    assert DEFAULT_OUT.read_text(encoding="utf-8") == expected, "docs/openapi.json is stale: run `make openapi`"
