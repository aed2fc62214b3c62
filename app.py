#!/usr/bin/env python3
"""CDK entry point: `python app.py` synthesizes offline into cdk.out/."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infrastructure.stack import LiveDeskStack

CDK_JSON = Path(__file__).with_name("cdk.json")
OPENSEARCH_MODES: dict[str, Literal["serverless", "domain"] | None] = {
    "false": None,
    "none": None,
    "true": "serverless",  # the flag's older form
    "serverless": "serverless",
    "domain": "domain",
}


def opensearch_mode(value: object) -> Literal["serverless", "domain"] | None:
    """``-c opensearch=serverless|domain``; ``true`` means serverless; unset or ``false``: no OpenSearch."""
    mode = str(value).strip().lower()
    if mode not in OPENSEARCH_MODES:
        raise ValueError(f"-c opensearch={value}: use serverless, domain or false")
    return OPENSEARCH_MODES[mode]


def build_app(context: dict[str, object] | None = None, outdir: str | None = None) -> cdk.App:
    """The same app whether the CDK CLI or plain Python runs it: cdk.json's context applies to both."""
    # Asset paths in the template's metadata let the local stack find each function's code.
    defaults = {"aws:cdk:enable-asset-metadata": True, **json.loads(CDK_JSON.read_text())["context"]}
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR", "cdk.out"), context={**defaults, **(context or {})})
    stage = str(app.node.try_get_context("stage") or "dev")
    opensearch = opensearch_mode(app.node.try_get_context("opensearch"))
    LiveDeskStack(app, "LiveDesk", stage=stage, opensearch=opensearch, description="LiveDesk customer-service backend")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
