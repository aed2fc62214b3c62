"""Export one OpenAPI document for the HTTP API from the functions' own resolvers.

`python -m infrastructure.openapi [--template T] [--out docs/openapi.json]`. Each API
function is imported under placeholder values for the environment the template
gives it, and Powertools merges their schemas.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from infrastructure.local.template import REGION, Template, handler_of

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "openapi.json"
TITLE = "LiveDesk HTTP API"
VERSION = "1.0.0"


def _api_handlers(template: Template) -> list[tuple[str, dict[str, str]]]:
    """(handler module, environment) of every function behind a route; references become placeholders."""
    integrated = {
        template.function_of(resource["Properties"]["IntegrationUri"])
        for _, resource in template.resources("AWS::ApiGatewayV2::Integration")
    }
    handlers = []
    for logical_id, resource in template.resources("AWS::Lambda::Function"):
        if logical_id not in integrated:
            continue
        properties = resource["Properties"]
        handler = handler_of(properties)
        variables = properties.get("Environment", {}).get("Variables", {})
        environment = {name: value if isinstance(value, str) else _placeholder(name, value) for name, value in variables.items()}
        handlers.append((handler.rpartition(".")[0], environment))
    return sorted(handlers)


def _placeholder(name: str, value: Any) -> str:
    """A stand-in for a value only known at deploy time; a JSON document (an Fn::Join of "{…}") stays JSON."""
    parts = value.get("Fn::Join", ["", []])[1] if isinstance(value, dict) else []
    first = parts[0] if parts and isinstance(parts[0], str) else ""
    if first.startswith("{"):
        return "{}"
    if first.startswith("["):
        return "[]"
    return f"openapi-export-{name.lower()}"


def build_openapi(template_path: Path) -> dict[str, Any]:
    template = Template.load(template_path)
    for path in (ROOT / "functions", ROOT / "layers" / "shared" / "python"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    merge = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description="Channels post customer messages; agents read conversations and tickets. Every call acts for one brand.",
        on_conflict="error",
    )
    saved = dict(os.environ)
    try:
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        for module_name, environment in _api_handlers(template):
            os.environ.update(environment)
            module = importlib.import_module(module_name)
            merge.add_schema(module.app.get_openapi_schema())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return json.loads(merge.get_openapi_json_schema())


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--template", type=Path, default=ROOT / "cdk.out" / "LiveDesk.template.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(build_openapi(args.template)), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
