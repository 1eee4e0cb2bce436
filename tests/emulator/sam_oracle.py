"""SAM's own translator (``aws-sam-translator``, what CloudFormation runs) as the oracle of the
emulator's route merging: the methods of every REST API's definition after the transform, read the
way the emulator reads a route (function, authorizer, API key), for a conformance test to compare."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

from emulator.template.documents import read_template
from emulator.template.includes import expand_includes

Method = tuple[str, str, str]  # (api logical id, path, METHOD)
Target = tuple[str, str | None, bool]  # (function logical id or "mock", authorizer, API key required)

_ARN_IN_SUB = re.compile(r"\$\{(\w+)\.Arn\}")
_CORS_SUMMARY = "CORS support"


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def _stage_variables(output: dict[str, Any], api_id: str) -> dict[str, str]:
    """The API's stage variables; a ``Ref`` to a function stands for its name (the logical id)."""
    for resource in output["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::ApiGateway::Stage" and properties.get("RestApiId") == {"Ref": api_id}:
            variables = properties.get("Variables") or {}
            return {k: v["Ref"] if isinstance(v, dict) else str(v) for k, v in variables.items()}
    return {}


def _function_of(uri: Any, names: dict[str, str], variables: dict[str, str]) -> str:
    text = uri.get("Fn::Sub") if isinstance(uri, dict) else uri
    if isinstance(text, list):
        text = text[0]
    text = re.sub(r"\$\{stageVariables\.(\w+)\}", lambda m: variables.get(m.group(1), m.group(0)), str(text))
    match = _ARN_IN_SUB.search(str(text))
    if match:
        return match.group(1)
    name = str(text).split(":function:", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return names.get(name, name)


def translated_methods(template: Path) -> dict[Method, Target]:
    """Every REST API method of the transformed template (SAM's CORS preflights left out)."""
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    document = expand_includes(read_template(template), template.parent, str(template))
    names: dict[str, str] = {}
    for logical_id, resource in document["Resources"].items():
        properties = resource.setdefault("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            if "InlineCode" not in properties:
                properties["CodeUri"] = "s3://bucket/code.zip"
            names[str(properties.get("FunctionName", logical_id))] = logical_id
        if resource["Type"] == "AWS::Serverless::Api" and "DefinitionUri" in properties:
            properties["DefinitionUri"] = "s3://bucket/definition.yaml"  # read as is: not compared
    document.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    parameters = {name: spec.get("Default", "x") for name, spec in document.get("Parameters", {}).items()}
    output = transform(copy.deepcopy(document), parameters, _NoManagedPolicies())
    methods: dict[Method, Target] = {}
    for api_id, resource in output["Resources"].items():
        if resource["Type"] != "AWS::ApiGateway::RestApi" or "Body" not in resource["Properties"]:
            continue
        body = resource["Properties"]["Body"]
        schemes = body.get("securityDefinitions") or body.get("components", {}).get("securitySchemes") or {}
        authorizers = {n for n, s in schemes.items() if "x-amazon-apigateway-authorizer" in s}
        variables = _stage_variables(output, api_id)
        for path, item in body.get("paths", {}).items():
            for verb, operation in item.items():
                if not isinstance(operation, dict) or operation.get("summary") == _CORS_SUMMARY:
                    continue
                integration = operation.get("x-amazon-apigateway-integration") or {}
                kind = str(integration.get("type", "")).lower()
                target = "mock" if kind == "mock" else _function_of(integration.get("uri"), names, variables)
                if kind not in ("aws_proxy", "mock"):
                    target = "unsupported"
                security = operation.get("security", body.get("security")) or []
                keys = [key for entry in security for key in entry]
                authorizer = next((key for key in keys if key in authorizers), None)
                method = "ANY" if verb == "x-amazon-apigateway-any-method" else verb.upper()
                methods[(api_id, path, method)] = (target, authorizer, "api_key" in keys)
    return methods
