#!/usr/bin/env python3
"""CDK entry point: `python app.py` synthesizes offline into cdk.out/."""

from __future__ import annotations

import json
import os
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infrastructure.stack import LiveDeskStack

CDK_JSON = Path(__file__).with_name("cdk.json")


def build_app(context: dict[str, object] | None = None, outdir: str | None = None) -> cdk.App:
    """The same app whether the CDK CLI or plain Python runs it: cdk.json's context applies to both."""
    # Asset paths in the template's metadata let the local stack find each function's code.
    defaults = {"aws:cdk:enable-asset-metadata": True, **json.loads(CDK_JSON.read_text())["context"]}
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR", "cdk.out"), context={**defaults, **(context or {})})
    stage = str(app.node.try_get_context("stage") or "dev")
    opensearch = str(app.node.try_get_context("opensearch")).lower() == "true"
    LiveDeskStack(app, "LiveDesk", stage=stage, opensearch=opensearch, description="LiveDesk customer-service backend")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
