"""``load_app``: a SAM template file -> a resolved, typed :class:`SamApp`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.apis import build_api
from emulator.template.coverage import review_event, review_properties, review_resource_types
from emulator.template.definitions import api_definition, function_lookup, read_document
from emulator.template.documents import read_template, recording_files_read
from emulator.template.foreach import expand_for_each
from emulator.template.functions import build_function
from emulator.template.globals_merge import apply_globals
from emulator.template.http_apis import HttpApiEvent, build_http_api, events_by_api, implicit_http_api_needed
from emulator.template.intrinsics import IntrinsicError, IntrinsicResolver
from emulator.template.lambda_functions import build_lambda_functions
from emulator.template.layers import LAYER_TYPES, function_layers, local_layers
from emulator.template.model import (
    IMPLICIT_API_ID,
    IMPLICIT_HTTP_API_ID,
    FunctionSpec,
    HttpApiSpec,
    ResourceSpec,
    RestApiSpec,
    Route,
    SamApp,
    TemplateNotes,
)
from emulator.template.nested import (
    MAX_DEPTH,
    NESTED_TYPES,
    ChildStack,
    StackReferences,
    load_children,
    merge_child,
)
from emulator.template.parameters import partition_for, pseudo_parameters, resolve_parameters
from emulator.template.physical import API_TYPES, ResourceCatalog
from emulator.template.raw_apis import build_raw_apis
from emulator.template.raw_coverage import RAW_TYPES
from emulator.template.raw_template import RawTemplate
from emulator.template.rest_routes import ApiDefinition, ApiEvent, build_rest_routes

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
SERVERLESS_API = "AWS::Serverless::Api"
SERVERLESS_HTTP_API = "AWS::Serverless::HttpApi"
DEFAULT_STACK_NAME = "local"
IMPLICIT_STAGE_NAME = "Prod"


@contextmanager
def _resolving(where: str) -> Iterator[None]:
    try:
        yield
    except IntrinsicError as exc:
        raise TemplateError(f"{where}: {exc}") from None


def _mapping(value: Any, what: str, source: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TemplateError(f"{source}: {what} must be a mapping")
    return value


class _TemplateReader:
    """One load: the raw document, the resolver, and the pieces built from them."""

    def __init__(
        self,
        template_path: Path,
        *,
        parameter_overrides: Mapping[str, str] | None,
        region: str,
        account_id: str,
        stack_name: str,
        load_child: Callable[[ChildStack], SamApp],
    ) -> None:
        self.path = template_path
        self.source = str(template_path)
        self.template_dir = template_path.resolve().parent
        document = read_template(template_path)
        ref_values, self.parameter_text = resolve_parameters(
            document.get("Parameters"), parameter_overrides, self.source
        )
        document = self.document = expand_for_each(document, ref_values, self.source)
        raw_resources = document.get("Resources")
        if not isinstance(raw_resources, dict) or not raw_resources:
            raise TemplateError(f"{self.source}: the template has no Resources section")
        for logical_id, resource in raw_resources.items():
            if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                raise TemplateError(f"{self.source}: resource {logical_id} must be a mapping with a Type")
        self.globals = _mapping(document.get("Globals"), "Globals", self.source)
        self.catalog = ResourceCatalog(
            {},
            self._name_property,
            stack_name=stack_name,
            region=region,
            account_id=account_id,
            partition=partition_for(region),
        )
        self.absent_resources: set[str] = set()
        self.references = StackReferences(self.catalog)
        self.resolver = IntrinsicResolver(
            parameters=ref_values,
            pseudo_parameters=pseudo_parameters(region=region, account_id=account_id, stack_name=stack_name),
            mappings=_mapping(document.get("Mappings"), "Mappings", self.source),
            conditions=_mapping(document.get("Conditions"), "Conditions", self.source),
            resources=self.references,
            absent_resources=self.absent_resources,
        )
        # Resources whose Condition is false are not created, as in CloudFormation.
        self.resources: dict[str, dict[str, Any]] = {}
        for logical_id, resource in raw_resources.items():
            condition = resource.get("Condition")
            if condition is not None:
                with _resolving(f"{self.source}: resource {logical_id}"):
                    if not self.resolver.condition(str(condition)):
                        self.absent_resources.add(logical_id)
                        continue
            self.resources[logical_id] = resource
            self.catalog.add_implicit(logical_id, resource["Type"])
        self._add_sam_implicit_resources()
        self.notes = TemplateNotes()
        review_resource_types(self.resources, self.notes)
        self.local_layers = local_layers(
            self.resources,
            properties_of=self._resolved_properties,
            ref_of=self.catalog.ref,
            template_dir=self.template_dir,
            source=self.source,
            notes=self.notes,
        )
        self.raw = RawTemplate(
            self.resources, self.resolver, self.catalog.ref, self.template_dir, self.source, self.notes
        )
        self.children = load_children(
            self.resources,
            properties_of=self._resolved_properties,
            load=load_child,
            references=self.references,
            template_dir=self.template_dir,
            source=self.source,
            notes=self.notes,
        )

    def _properties(self, logical_id: str) -> dict[str, Any]:
        properties = self.resources[logical_id].get("Properties") or {}
        if not isinstance(properties, dict):
            raise TemplateError(f"{self.source}: resource {logical_id}: Properties must be a mapping")
        return properties

    def _name_property(self, logical_id: str, prop: str | None) -> Any:
        if prop is None or logical_id not in self.resources:
            return None  # SAM's implicit resources have generated names
        value = self._properties(logical_id).get(prop)
        return None if value is None else self.resolver.resolve(value)

    def _add_sam_implicit_resources(self) -> None:
        """Resources SAM generates, which a template may reference (e.g. in a !Sub URL)."""
        for logical_id in self._ids_of_type(SERVERLESS_FUNCTION):
            properties = self._properties(logical_id)
            if "Role" not in properties:
                self.catalog.add_implicit(f"{logical_id}Role", "AWS::IAM::Role")
            events = properties.get("Events")
            if isinstance(events, dict) and any(
                isinstance(e, dict)
                and e.get("Type") == "Api"
                and not (isinstance(e.get("Properties"), dict) and e["Properties"].get("RestApiId"))
                for e in events.values()
            ):
                self.catalog.add_implicit(IMPLICIT_API_ID, "AWS::ApiGateway::RestApi")

    def _ids_of_type(self, resource_type: str) -> list[str]:
        return [lid for lid, res in self.resources.items() if res["Type"] == resource_type]

    def _resolved_properties(self, logical_id: str, global_section: str | None = None) -> dict[str, Any]:
        properties = self._properties(logical_id)
        if global_section is not None:
            properties = apply_globals(
                _mapping(self.globals.get(global_section), "Globals", self.source), properties
            )
        with _resolving(f"{self.source}: resource {logical_id}"):
            return self.resolver.resolve(properties)

    # -- pieces -----------------------------------------------------------------------------
    def functions_and_events(self) -> tuple[dict[str, FunctionSpec], list[ApiEvent]]:
        functions: dict[str, FunctionSpec] = {}
        events: list[ApiEvent] = []
        self.http_events: list[HttpApiEvent] = []
        for logical_id in self._ids_of_type(SERVERLESS_FUNCTION):
            properties = self._resolved_properties(logical_id, "Function")
            review_properties(logical_id, SERVERLESS_FUNCTION, properties, self.notes)
            with _resolving(f"{self.source}: function {logical_id}"):
                function_name = self.catalog.name(logical_id)
            spec = build_function(
                logical_id,
                properties,
                function_name=function_name,
                template_dir=self.template_dir,
                source=self.source,
            )
            layers = function_layers(
                logical_id, properties.get("Layers"), self.local_layers, source=self.source, notes=self.notes
            )
            functions[logical_id] = dataclasses.replace(spec, layers=layers)
            raw_events = properties.get("Events") or {}
            if not isinstance(raw_events, dict):
                raise TemplateError(f"{self.source}: function {logical_id}: Events must be a mapping")
            for event_name, event in raw_events.items():
                # Only API Gateway events are served; the others get a warning.
                if review_event(logical_id, str(event_name), event, self.notes):
                    event_properties = event.get("Properties") or {}
                    if not isinstance(event_properties, dict):
                        raise TemplateError(
                            f"{self.source}: function {logical_id}, event {event_name}: "
                            "Properties must be a mapping with Path and Method"
                        )
                    if event["Type"] == "HttpApi":
                        self.http_events.append(HttpApiEvent(logical_id, str(event_name), event_properties))
                    else:
                        events.append(ApiEvent(logical_id, str(event_name), event_properties))
        with _resolving(self.source):
            functions.update(build_lambda_functions(self.raw, self.catalog.name, self._layers))
        _refuse_duplicate_names(functions, self.source)
        return functions, events

    def _layers(self, logical_id: str, layers: Any) -> tuple[Path, ...]:
        return function_layers(logical_id, layers, self.local_layers, source=self.source, notes=self.notes)

    def apis(
        self, functions: Mapping[str, FunctionSpec], events: list[ApiEvent]
    ) -> tuple[dict[str, RestApiSpec], dict[str, dict[str, Any]], dict[str, ApiDefinition]]:
        ids_by_name = {spec.function_name: lid for lid, spec in functions.items()}
        ids_by_name.update({lid: lid for lid in functions})
        apis: dict[str, RestApiSpec] = {}
        raw_auth: dict[str, dict[str, Any]] = {}  # each API's Auth block, for the routes
        definitions: dict[str, ApiDefinition] = {}
        api_globals = _mapping(self.globals.get("Api"), "Globals", self.source)
        for logical_id in self._ids_of_type(SERVERLESS_API):
            raw = apply_globals(api_globals, self._properties(logical_id))
            # The definition is resolved on its own, method by method (see definitions.py).
            body, uri = raw.pop("DefinitionBody", None), raw.pop("DefinitionUri", None)
            with _resolving(f"{self.source}: resource {logical_id}"):
                properties = self.resolver.resolve(raw)
            review_properties(logical_id, SERVERLESS_API, properties, self.notes)
            api = build_api(
                logical_id, properties, function_ids_by_name=ids_by_name, source=self.source, notes=self.notes
            )
            apis[logical_id] = api
            raw_auth[logical_id] = properties.get("Auth") or {}
            definition = api_definition(
                logical_id,
                body,
                uri,
                resolver=self.resolver,
                template_dir=self.template_dir,
                lookup=function_lookup(ids_by_name, api.stage_variables),
                source=self.source,
                notes=self.notes,
                merge_definitions=str(properties.get("MergeDefinitions", False)).lower() == "true",
            )
            if definition is not None:
                definitions[logical_id] = definition
        if any(not e.properties.get("RestApiId") for e in events):
            with _resolving(f"{self.source}: Globals.Api"):
                properties = self.resolver.resolve(
                    _mapping(self.globals.get("Api"), "Globals.Api", self.source)
                )
            review_properties(IMPLICIT_API_ID, SERVERLESS_API, properties, self.notes)
            apis[IMPLICIT_API_ID] = build_api(
                IMPLICIT_API_ID,
                properties,
                function_ids_by_name=ids_by_name,
                source=self.source,
                default_stage=IMPLICIT_STAGE_NAME,
                notes=self.notes,
            )
            raw_auth[IMPLICIT_API_ID] = properties.get("Auth") or {}
        return apis, raw_auth, definitions

    def http_apis(self, functions: Mapping[str, FunctionSpec]) -> tuple[dict[str, HttpApiSpec], list[Route]]:
        ids_by_name = {spec.function_name: lid for lid, spec in functions.items()}
        ids_by_name.update({lid: lid for lid in functions})
        api_globals = _mapping(self.globals.get("HttpApi"), "Globals", self.source)
        declared = {lid: self._properties(lid) for lid in self._ids_of_type(SERVERLESS_HTTP_API)}
        if implicit_http_api_needed(self.http_events):
            declared.setdefault(IMPLICIT_HTTP_API_ID, {})
        grouped = events_by_api(self.http_events, set(declared), self.source)
        specs: dict[str, HttpApiSpec] = {}
        routes: list[Route] = []
        for logical_id, own in declared.items():
            raw = apply_globals(api_globals, own)
            body, uri = raw.pop("DefinitionBody", None), raw.pop("DefinitionUri", None)
            where = f"{self.source}: resource {logical_id}"
            with _resolving(where):
                properties = self.resolver.resolve(raw)
            review_properties(logical_id, SERVERLESS_HTTP_API, properties, self.notes)
            document, _ = read_document(
                body,
                uri,
                resolver=self.resolver,
                template_dir=self.template_dir,
                where=where,
                notes=self.notes,
                logical_id=logical_id,
            )
            with _resolving(where):
                definition = None if document is None else self.resolver.resolve(document)
            variables = properties.get("StageVariables")
            spec, api_routes = build_http_api(
                logical_id,
                properties,
                definition,
                grouped.get(logical_id, []),
                lookup=function_lookup(ids_by_name, variables if isinstance(variables, dict) else None),
                source=self.source,
                notes=self.notes,
            )
            specs[logical_id] = spec
            routes.extend(api_routes)
        return specs, routes

    def outputs(self) -> dict[str, Any]:
        """The template's Outputs whose value resolves locally (a nested stack's parent reads them)."""
        outputs: dict[str, Any] = {}
        for name, output in _mapping(self.document.get("Outputs"), "Outputs", self.source).items():
            if not isinstance(output, dict) or "Value" not in output:
                continue
            try:
                if "Condition" in output and not self.resolver.condition(str(output["Condition"])):
                    continue
                outputs[str(name)] = self.resolver.resolve(output["Value"])
            except IntrinsicError:
                continue  # e.g. an attribute no local resource has: an error only where it is used
        return outputs

    def other_resources(self) -> dict[str, ResourceSpec]:
        others: dict[str, ResourceSpec] = {}
        for logical_id, resource in self.resources.items():
            if resource["Type"] in (SERVERLESS_FUNCTION, SERVERLESS_API, SERVERLESS_HTTP_API):
                continue
            if resource["Type"] in (*API_TYPES, *LAYER_TYPES, *NESTED_TYPES, *RAW_TYPES):
                continue
            properties = self._resolved_properties(logical_id)
            with _resolving(f"{self.source}: resource {logical_id}"):
                physical_name = str(self.catalog.ref(logical_id))
            others[logical_id] = ResourceSpec(logical_id, resource["Type"], physical_name, properties)
        return others


def _refuse_duplicate_names(functions: Mapping[str, FunctionSpec], source: str) -> None:
    """Two functions with one FunctionName: CloudFormation creates the first and fails on the
    second (Lambda function names are unique per account and region)."""
    first_by_name: dict[str, str] = {}
    for logical_id, spec in functions.items():
        first = first_by_name.setdefault(spec.function_name, logical_id)
        if first != logical_id:
            raise TemplateError(
                f"{source}: function {logical_id}: Resource of type 'AWS::Lambda::Function' with identifier "
                f"'{spec.function_name}' already exists (HandlerErrorCode: AlreadyExists): function {first} "
                "has the same FunctionName; CloudFormation refuses this stack"
            )


def load_app(
    template_path: Path,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    stack_name: str | None = None,
    nesting: tuple[Path, ...] = (),
) -> SamApp:
    """Read a SAM template and resolve it as the deployed stack would be resolved.

    ``nesting``: the templates of the stacks this one is nested in (see nested.py)."""
    stack = stack_name or DEFAULT_STACK_NAME
    path = Path(template_path)
    if len(nesting) >= MAX_DEPTH or path.resolve() in nesting:
        raise TemplateError(f"{path}: nested stacks more than {MAX_DEPTH} deep, or a template nesting itself")

    def load_child(child: ChildStack) -> SamApp:
        return load_app(
            child.template,
            parameter_overrides=child.parameters,
            region=region,
            account_id=account_id,
            stack_name=f"{stack}-{child.logical_id}",
            nesting=(*nesting, path.resolve()),
        )

    with recording_files_read() as files_read:  # the files to watch (a child's load records its own)
        reader = _TemplateReader(
            path,
            parameter_overrides=parameter_overrides,
            region=region,
            account_id=account_id,
            stack_name=stack,
            load_child=load_child,
        )
        functions, events = reader.functions_and_events()
        declared_apis, api_auth, definitions = reader.apis(functions, events)
        routes, apis = build_rest_routes(
            events, declared_apis, api_auth, definitions, source=reader.source, notes=reader.notes
        )
        http_apis, http_routes = reader.http_apis(functions)
        raw = build_raw_apis(reader.raw, functions)
        apis.update(raw.rest_apis)
        http_apis.update(raw.http_apis)
        app = SamApp(
            template_path=reader.path.resolve(),
            stack_name=stack,
            region=region,
            account_id=account_id,
            parameters=reader.parameter_text,
            functions=functions,
            apis=apis,
            routes=(*routes, *http_routes, *raw.routes),
            resources=reader.other_resources(),
            notes=reader.notes,
            http_apis=http_apis,
            outputs=reader.outputs(),
            source_files=tuple(dict.fromkeys(files_read)),
        )
        for child_id, child in reader.children:
            app = merge_child(app, child_id, child)
    return app
