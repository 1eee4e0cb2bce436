"""Nested stacks: ``AWS::Serverless::Application`` (``Location``) and ``AWS::CloudFormation::Stack``
(``TemplateURL``) whose template is a local file, loaded and served with the parent.

- The child is loaded as its own stack (named ``{parent stack}-{ChildLogicalId}``, so its tables'
  generated names differ from the parent's), with the resource's ``Parameters`` passed down as
  parameter overrides after the parent resolved them (``Ref``/``Fn::GetAtt`` of the parent's
  resources, or of an earlier child's ``Outputs``).
- Its functions, APIs, routes and resources join the parent's under ``Child/LogicalId`` (the
  identifier ``sam local`` gives a nested resource). A child function without ``FunctionName``
  is named ``Child-LogicalId`` (a valid, unique Lambda name), one with it keeps its name.
- Two APIs sharing a path: APIs are told apart by their stage, the first path segment
  (``/Prod/hello``, ``/v2/hello``), exactly as two APIs of one template are. When a child API has
  the same stage, method and path as an API met before it (the parent's, then the children's in
  template order), the first one answers and one warning names the shadowed route.
- ``Fn::GetAtt Child.Outputs.Name`` in the parent is the child's output value, resolved in the
  child.
- A nested stack that is not local (a Serverless Application Repository ``ApplicationId``, an
  ``https://`` or ``s3://`` URL) is one warning naming it; the rest of the template is served.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.coverage import reviewed_resources
from emulator.template.intrinsics import IntrinsicError, ResourceReferences
from emulator.template.model import (
    AuthorizerSpec,
    FunctionSpec,
    HttpApiSpec,
    HttpAuthorizerSpec,
    ResourceSpec,
    RestApiSpec,
    Route,
    SamApp,
    TemplateNotes,
)
from emulator.template.parameters import parameter_text

SERVERLESS_APPLICATION = "AWS::Serverless::Application"
CLOUDFORMATION_STACK = "AWS::CloudFormation::Stack"
NESTED_TYPES = (SERVERLESS_APPLICATION, CLOUDFORMATION_STACK)
_LOCATION_PROPERTY = {SERVERLESS_APPLICATION: "Location", CLOUDFORMATION_STACK: "TemplateURL"}
MAX_DEPTH = 5  # nested stacks in nested stacks; a template that includes itself stops here
OUTPUTS_PREFIX = "Outputs."


@dataclasses.dataclass(frozen=True)
class ChildStack:
    logical_id: str
    template: Path
    parameters: Mapping[str, str]


class StackReferences:
    """The parent's resource references, plus ``Fn::GetAtt Child.Outputs.Name`` of loaded children."""

    def __init__(self, resources: ResourceReferences) -> None:
        self._resources = resources
        self._outputs: dict[str, Mapping[str, Any]] = {}

    def add_outputs(self, logical_id: str, outputs: Mapping[str, Any]) -> None:
        self._outputs[logical_id] = outputs

    def has(self, logical_id: str) -> bool:
        return self._resources.has(logical_id)

    def ref(self, logical_id: str) -> Any:
        return self._resources.ref(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if attribute.startswith(OUTPUTS_PREFIX) and logical_id in self._outputs:
            name = attribute.removeprefix(OUTPUTS_PREFIX)
            outputs = self._outputs[logical_id]
            if name not in outputs:
                raise IntrinsicError(
                    f"nested stack {logical_id} has no output {name!r} (or it does not resolve locally)"
                )
            return outputs[name]
        return self._resources.get_att(logical_id, attribute)


def child_stack(
    logical_id: str,
    resource_type: str,
    properties: Mapping[str, Any],
    *,
    template_dir: Path,
    source: str,
    notes: TemplateNotes,
) -> ChildStack | None:
    """The nested stack of a resource (properties resolved), or None (with a warning) if not local."""
    prop = _LOCATION_PROPERTY[resource_type]
    where = f"{source}: nested stack {logical_id}"
    location = properties.get(prop)
    if location is None:
        raise TemplateError(f"{where}: {prop} is missing")
    if isinstance(location, dict) or (
        isinstance(location, str) and location.startswith(("s3://", "https://", "http://"))
    ):
        notes.ignore(f"{prop} of {resource_type} that is not a local file is not served", logical_id)
        return None
    if not isinstance(location, str):
        raise TemplateError(f"{where}: {prop} must be a path, got {location!r}")
    template = (template_dir / location).resolve()
    if template.is_dir():
        template = template / "template.yaml"
    if not template.is_file():
        raise TemplateError(f"{where}: {prop} {location}: no such template file")
    parameters = properties.get("Parameters") or {}
    if not isinstance(parameters, dict):
        raise TemplateError(f"{where}: Parameters must be a mapping")
    return ChildStack(logical_id, template, {str(k): parameter_text(v) for k, v in parameters.items()})


def _prefixed(child: str, logical_id: str) -> str:
    return f"{child}/{logical_id}"


def _function(child: str, spec: FunctionSpec) -> FunctionSpec:
    name = f"{child}-{spec.logical_id}" if spec.function_name == spec.logical_id else spec.function_name
    return dataclasses.replace(spec, logical_id=_prefixed(child, spec.logical_id), function_name=name)


def _rest_api(child: str, spec: RestApiSpec) -> RestApiSpec:
    authorizers: dict[str, AuthorizerSpec] = {
        name: dataclasses.replace(a, function_id=_prefixed(child, a.function_id))
        for name, a in spec.authorizers.items()
    }
    return dataclasses.replace(spec, logical_id=_prefixed(child, spec.logical_id), authorizers=authorizers)


def _http_api(child: str, spec: HttpApiSpec) -> HttpApiSpec:
    authorizers: dict[str, HttpAuthorizerSpec] = {
        name: dataclasses.replace(a, function_id=_prefixed(child, a.function_id) if a.function_id else "")
        for name, a in spec.authorizers.items()
    }
    return dataclasses.replace(spec, logical_id=_prefixed(child, spec.logical_id), authorizers=authorizers)


def _route(child: str, route: Route) -> Route:
    function_id = _prefixed(child, route.function_id) if route.function_id else ""
    return dataclasses.replace(route, api_id=_prefixed(child, route.api_id), function_id=function_id)


def _resource(child: str, spec: ResourceSpec) -> ResourceSpec:
    return dataclasses.replace(spec, logical_id=_prefixed(child, spec.logical_id))


def _stage_of(app: SamApp, api_id: str) -> str:
    api = app.apis.get(api_id) or app.http_apis.get(api_id)
    return api.stage_name if api is not None else ""


def merge_child(parent: SamApp, child_id: str, child: SamApp) -> SamApp:
    """``parent`` serving ``child``'s functions, APIs, routes and resources too (ids prefixed)."""
    for what, ids in child.notes.ignored.items():
        for logical_id in ids:
            parent.notes.ignore(what, _prefixed(child_id, logical_id))
    for what, ids in child.notes.without_local_effect.items():
        for logical_id in ids:
            parent.notes.no_local_effect(what, _prefixed(child_id, logical_id))
    functions = {**parent.functions}
    for spec in child.functions.values():
        functions[_prefixed(child_id, spec.logical_id)] = _function(child_id, spec)
    routes = [_route(child_id, route) for route in child.routes]
    merged = dataclasses.replace(
        parent,
        functions=functions,
        apis={
            **parent.apis,
            **{_prefixed(child_id, k): _rest_api(child_id, v) for k, v in child.apis.items()},
        },
        http_apis={
            **parent.http_apis,
            **{_prefixed(child_id, k): _http_api(child_id, v) for k, v in child.http_apis.items()},
        },
        routes=(*parent.routes, *routes),
        resources={
            **parent.resources,
            **{_prefixed(child_id, k): _resource(child_id, v) for k, v in child.resources.items()},
        },
        source_files=(*parent.source_files, *child.source_files),
    )
    seen = {(_stage_of(merged, r.api_id), r.method, r.path): r.api_id for r in parent.routes}
    for route in routes:
        key = (_stage_of(merged, route.api_id), route.method, route.path)
        first = seen.setdefault(key, route.api_id)
        if first != route.api_id:
            parent.notes.ignore(
                f"{route.method} /{key[0]}{route.path} is also a route of {first}, which answers it "
                "(give the nested API another StageName to serve both)",
                route.api_id,
            )
    return merged


def load_children(
    resources: Mapping[str, Mapping[str, Any]],
    *,
    properties_of: Callable[[str], Mapping[str, Any]],
    load: Callable[[ChildStack], SamApp],
    references: StackReferences,
    template_dir: Path,
    source: str,
    notes: TemplateNotes,
) -> list[tuple[str, SamApp]]:
    """Each local nested stack loaded in template order, its outputs then known to the parent's
    resolver (so a later child's Parameters may use an earlier one's ``Outputs``)."""
    loaded: list[tuple[str, SamApp]] = []
    for logical_id, resource_type, properties in reviewed_resources(
        resources, NESTED_TYPES, properties_of, notes
    ):
        child = child_stack(
            logical_id, resource_type, properties, template_dir=template_dir, source=source, notes=notes
        )
        if child is None:
            continue
        app = load(child)
        references.add_outputs(logical_id, app.outputs)
        loaded.append((logical_id, app))
    return loaded
