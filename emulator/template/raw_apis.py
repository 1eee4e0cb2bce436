"""The raw API Gateway resources of a template (REST and HTTP APIs written as plain
CloudFormation) read into the same models and routes as the SAM resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emulator.template.model import FunctionSpec, HttpApiSpec, RestApiSpec, Route
from emulator.template.raw_http import build_raw_http_apis
from emulator.template.raw_rest import build_raw_rest_apis
from emulator.template.raw_template import RawTemplate


@dataclass(frozen=True)
class RawApis:
    rest_apis: Mapping[str, RestApiSpec]
    http_apis: Mapping[str, HttpApiSpec]
    routes: tuple[Route, ...]


def build_raw_apis(raw: RawTemplate, functions: Mapping[str, FunctionSpec]) -> RawApis:
    ids_by_name = {spec.function_name: logical_id for logical_id, spec in functions.items()}
    ids_by_name.update({logical_id: logical_id for logical_id in functions})
    rest_apis, rest_routes = build_raw_rest_apis(raw, ids_by_name)
    http_apis, http_routes = build_raw_http_apis(raw, ids_by_name)
    return RawApis(rest_apis, http_apis, (*rest_routes, *http_routes))
