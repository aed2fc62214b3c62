"""The local stack's in-process Lambda runtime on a moto server: a handler that invokes another
function gives up its turn while it waits, and each runs under its own environment."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from infrastructure.local.runtime import FunctionCode, InProcessRuntime
from infrastructure.local.stack import free_port

CALLER = """
import json, os, boto3
def handler(event, context):
    client = boto3.client("lambda")
    answer = json.loads(client.invoke(FunctionName="callee", Payload=json.dumps({"n": event["n"]}))["Payload"].read())
    failed = client.invoke(FunctionName="callee", Payload=json.dumps({"fail": True}))
    return {"mine": os.environ["WHO"], "callee": answer, "callee_failed": "FunctionError" in failed, "after": os.environ["WHO"]}
"""
CALLEE = """
import os
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    return {"n": event["n"] * 2, "who": os.environ["WHO"]}
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    saved = dict(os.environ)
    os.environ.update({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    yield f"http://127.0.0.1:{port}"
    moto.stop()
    os.environ.clear()
    os.environ.update(saved)


def _function(client: object, name: str, role: str, who: str) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("x", "x")
    client.create_function(  # type: ignore[attr-defined]
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler=f"{name}_pkg.handler.handler",
        Code={"ZipFile": archive.getvalue()},
        Environment={"Variables": {"WHO": who}},
    )


def test_a_handler_can_invoke_another_function_through_the_moto_server(server: str, tmp_path: Path) -> None:
    for name, source in (("caller", CALLER), ("callee", CALLEE)):
        package = tmp_path / f"{name}_pkg"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "handler.py").write_text(source)
    runtime = InProcessRuntime({})
    for name in ("caller", "callee"):
        runtime.register(name, FunctionCode(f"{name}_pkg.handler.handler", [tmp_path], timeout_s=30))
    runtime.install()
    try:
        client = boto3.client("lambda")
        role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        _function(client, "caller", role, "the caller")
        _function(client, "callee", role, "the callee")
        response = client.invoke(FunctionName="caller", Payload=json.dumps({"n": 21}))
        result = json.loads(response["Payload"].read())
    finally:
        runtime.uninstall()
    assert "FunctionError" not in response, result
    assert result == {"mine": "the caller", "callee": {"n": 42, "who": "the callee"}, "callee_failed": True, "after": "the caller"}
    assert "WHO" not in os.environ, "outside any invocation the environment is the host's"


def test_an_alias_qualified_name_or_arn_runs_the_functions_code(server: str, tmp_path: Path) -> None:
    """Callers invoke ``NAME:live`` (or its ARN): moto resolves the alias to the published version, whose code is the function's."""
    package = tmp_path / "aliased_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text(CALLEE)
    runtime = InProcessRuntime({})
    runtime.register("aliased", FunctionCode("aliased_pkg.handler.handler", [tmp_path], timeout_s=30))
    runtime.install()
    try:
        client = boto3.client("lambda")
        role = boto3.client("iam").create_role(RoleName="aliased", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        _function(client, "aliased", role, "the callee")
        version = client.publish_version(FunctionName="aliased")["Version"]
        alias_arn = client.create_alias(FunctionName="aliased", Name="live", FunctionVersion=version)["AliasArn"]
        answers = [
            json.loads(client.invoke(FunctionName=name, Payload=json.dumps({"n": 2}))["Payload"].read())
            for name in ("aliased:live", alias_arn)
        ]
    finally:
        runtime.uninstall()
    assert answers == [{"n": 4, "who": "the callee"}] * 2
