"""Reading and writing the SAM template as data: CloudFormation's YAML short tags become the long
form (``!Ref X`` -> ``{"Ref": "X"}``, ``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``), which is
also what CloudFormation accepts as JSON, so a rewritten template is uploaded as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from deploy.errors import DeployError


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader plus the intrinsic-function tags."""


def _construct_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    if tag_suffix == "Condition":
        return {"Condition": value}
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DeployError(f"{path}: cannot read the template: {exc.strerror or exc}") from None
    return parse_template(text, str(path))


def parse_template(text: str, source: str) -> dict[str, Any]:
    """A template's text (JSON or YAML with short tags) as data; ``source`` names it in errors."""
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, _CfnLoader)  # noqa: S506
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise DeployError(f"{source}: not a valid template: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise DeployError(f"{source}: not a CloudFormation template (no Resources)")
    return document


def function_defaults(template: dict[str, Any]) -> dict[str, Any]:
    value = template.get("Globals", {}).get("Function", {})
    return value if isinstance(value, dict) else {}


def serverless_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource.setdefault("Properties", {})
        for logical_id, resource in template["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Function"
    }


def runtime_of(template: dict[str, Any], path: Path) -> tuple[str, str]:
    """``(python version, architecture)`` the functions share; one zip serves them all."""
    defaults = function_defaults(template)
    runtimes, architectures = set(), set()
    for props in serverless_functions(template).values():
        runtimes.add(props.get("Runtime", defaults.get("Runtime")))
        architectures.add(tuple(props.get("Architectures", defaults.get("Architectures", ["x86_64"]))))
    if len(runtimes) != 1 or len(architectures) != 1:
        raise DeployError(
            f"{path}: functions differ in Runtime/Architectures; one artifact cannot serve them"
        )
    runtime, (architecture,) = runtimes.pop(), architectures.pop()
    if not isinstance(runtime, str) or not runtime.startswith("python3."):
        raise DeployError(f"{path}: Runtime {runtime!r} is not a python3.x runtime")
    return runtime.removeprefix("python"), architecture


def code_uri_of(template: dict[str, Any], path: Path) -> Path:
    """The single CodeUri directory all functions share, resolved against the template's folder."""
    defaults = function_defaults(template)
    uris = {
        props.get("CodeUri", defaults.get("CodeUri")) for props in serverless_functions(template).values()
    }
    if len(uris) != 1 or not isinstance(next(iter(uris)), str):
        raise DeployError(
            f"{path}: functions need one shared local CodeUri directory, found {sorted(map(str, uris))}"
        )
    return (path.parent / str(uris.pop())).resolve()
