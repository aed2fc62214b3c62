"""Read a synthesized CloudFormation template and resolve its intrinsic functions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NoValue": None,
}


class Unresolvable(Exception):
    """A reference to something the local stack has not (or cannot) provision."""


@dataclass
class Template:
    path: Path
    body: dict[str, Any]
    refs: dict[str, Any] = field(default_factory=dict)
    attributes: dict[tuple[str, str], Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Template:
        return cls(path=path, body=json.loads(path.read_text()))

    @property
    def assembly_dir(self) -> Path:
        return self.path.parent

    def resources(self, resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.body["Resources"].items():
            if resource["Type"] == resource_type:
                yield logical_id, resource

    def functions(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """LiveDesk's own functions (each named, built from functions/), without the deploy-time helpers
        CDK adds, such as the console's bucket deployment, which have no part in the local stack."""
        for logical_id, resource in self.resources("AWS::Lambda::Function"):
            if "FunctionName" in resource["Properties"]:
                yield logical_id, resource

    def code_paths(self, resource: dict[str, Any], third_party_layers: bool = False) -> list[Path]:
        """Where a function's code is, as Lambda puts it together: its own asset (the task root), then
        each layer's ``python`` folder. Third-party layers (wheels) only when asked: the local stack
        takes those from this virtualenv."""
        properties = resource["Properties"]
        asset = self.assembly_dir / resource["Metadata"]["aws:asset:path"]
        if properties.get("PackageType") == "Image":  # its Dockerfile copies these two into the task root
            return [asset / "functions", asset / "layers" / "shared" / "python"]
        paths = [asset]
        for layer in properties.get("Layers", []):
            layer_asset = self.body["Resources"][self.logical_id_of(layer)]["Metadata"]["aws:asset:path"]
            python = self.assembly_dir / layer_asset / "python"
            if third_party_layers or (python / "livedesk").is_dir():
                paths.append(python)
        return paths

    def logical_id_of(self, value: Any) -> str:
        """The logical id behind {"Ref": X} or {"Fn::GetAtt": [X, ...]}."""
        if isinstance(value, dict) and "Ref" in value:
            return str(value["Ref"])
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
        raise Unresolvable(f"not a reference: {value!r}")

    def function_of(self, value: Any) -> str:
        """The logical id of the function a reference invokes: the function itself, or the one behind an alias or a version."""
        logical_id = self.logical_id_of(value)
        resource = self.body["Resources"][logical_id]
        if resource["Type"] in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return self.logical_id_of(resource["Properties"]["FunctionName"])
        return logical_id

    def provide(self, logical_id: str, ref: Any, **attributes: Any) -> None:
        self.refs[logical_id] = ref
        for name, value in attributes.items():
            self.attributes[(logical_id, name)] = value

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            function = _INTRINSICS.get(key)
            if function is not None:
                return function(self, argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> Any:
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.refs:
            return self.refs[name]
        raise Unresolvable(f"Ref {name} is not provisioned locally")

    def _get_att(self, argument: list[str] | str) -> Any:
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        try:
            return self.attributes[(logical_id, attribute)]
        except KeyError:
            raise Unresolvable(f"Fn::GetAtt {logical_id}.{attribute} is not provisioned locally") from None

    def _join(self, argument: list[Any]) -> str:
        delimiter, parts = argument
        return str(delimiter).join(str(part) for part in self.resolve(parts))

    def _select(self, argument: list[Any]) -> Any:
        index, items = argument
        return self.resolve(items)[int(index)]

    def _split(self, argument: list[Any]) -> list[str]:
        delimiter, text = argument
        return str(self.resolve(text)).split(delimiter)

    def _sub(self, argument: str | list[Any]) -> str:
        import re

        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], self.resolve(argument[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                return str(self._get_att(name))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!][^}]*)\}", replace, text)


# The role credentials Lambda puts in every function's environment; moto and the bench take any.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local"}


def cold_start_environment(function_properties: dict[str, Any], code_paths: list[Path]) -> dict[str, str]:
    """The variables Lambda sets for a function's process (task root, name, memory, runtime, the
    execution role's credentials, its code on ``PYTHONPATH``) and the function's own, each value CDK
    resolves at deploy time replaced by a stand-in (a JSON one stays JSON): for importing a handler
    outside the local stack. Without credentials in the environment every boto3 client would walk
    the whole provider chain (files, container, instance metadata), which Lambda never does."""
    declared = function_properties.get("Environment", {}).get("Variables", {})
    return {
        **{name: value if isinstance(value, str) else _stand_in(name, value) for name, value in declared.items()},
        "PYTHONPATH": ":".join(str(path) for path in code_paths),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "LAMBDA_TASK_ROOT": str(code_paths[0]),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_NAME": function_properties["FunctionName"],
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function_properties.get("MemorySize", 128)),
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        **CREDENTIALS,
        "PYTHONDONTWRITEBYTECODE": "1",  # Lambda's code is read-only: what is not compiled already is compiled at every start
    }


def _stand_in(name: str, token: object) -> str:
    joined = token.get("Fn::Join", [None, [""]])[1] if isinstance(token, dict) else [""]
    first = joined[0] if joined and isinstance(joined[0], str) else ""
    return "{}" if first.startswith("{") else "[]" if first.startswith("[") else f"stand-in-{name.lower()}"


def handler_of(function_properties: dict[str, Any]) -> str:
    """The handler of a zip function, or the command of an image function."""
    if function_properties.get("PackageType") == "Image":
        return str(function_properties["ImageConfig"]["Command"][0])
    return str(function_properties["Handler"])


_INTRINSICS: dict[str, Callable[[Template, Any], Any]] = {
    "Ref": Template._ref,
    "Fn::GetAtt": Template._get_att,
    "Fn::Join": Template._join,
    "Fn::Select": Template._select,
    "Fn::Split": Template._split,
    "Fn::Sub": Template._sub,
}
