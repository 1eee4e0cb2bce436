"""Raw HTTP APIs: ``AWS::ApiGatewayV2::Api`` (``ProtocolType: HTTP``) with its ``Route``,
``Integration``, ``Authorizer`` and ``Stage`` resources -> :class:`HttpApiSpec` and routes.

As for raw REST APIs, the resources are written out as the OpenAPI 3 document API Gateway exports
for an HTTP API (``x-amazon-apigateway-integration`` with ``payloadFormatVersion``,
``x-amazon-apigateway-authorizer`` of type ``jwt`` or ``request``) and read by the code that reads an
``AWS::Serverless::HttpApi``'s definition. A ``RouteKey`` is ``"METHOD /path"`` or ``$default``; a
``Target`` is ``integrations/<integration id>``. ``PayloadFormatVersion`` is required for a Lambda
integration ("If you create a Lambda integration by using the AWS CLI, CloudFormation, or an SDK,
you must specify a payloadFormatVersion", API Gateway developer guide, "Create AWS Lambda proxy
integrations for HTTP APIs"). An API's ``Target`` (quick create) is a ``$default`` route (or its
``RouteKey``) to that function, payload 2.0, on the ``$default`` stage.

WebSocket APIs (``ProtocolType: WEBSOCKET``) are not emulated: one warning for the API, and its
routes, integrations and stages are left out with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.errors import TemplateError
from emulator.template.coverage import review_properties
from emulator.template.definitions import function_lookup, read_document
from emulator.template.http_apis import build_http_api
from emulator.template.model import DEFAULT_ROUTE, HttpApiSpec, Route
from emulator.template.openapi import ANY_METHOD
from emulator.template.raw_coverage import (
    HTTP_API,
    HTTP_AUTHORIZER,
    HTTP_CHILD_TYPES,
    HTTP_INTEGRATION,
    HTTP_ROUTE,
    HTTP_STAGE,
)
from emulator.template.raw_template import Children, RawTemplate, children_by_api, is_true, present, text

_TARGET_PREFIX = "integrations/"


def _route_key(route_key: Any, where: str) -> tuple[str, str]:
    """``"GET /items/{id}"`` -> (path, OpenAPI verb); ``$default`` -> ($default, any method)."""
    key = text(route_key).strip()
    if key == DEFAULT_ROUTE:
        return DEFAULT_ROUTE, ANY_METHOD
    method, _, path = key.partition(" ")
    if not method or not path.startswith("/"):
        raise TemplateError(f"{where}: RouteKey must be '$default' or 'METHOD /path', got {key!r}")
    return path, ANY_METHOD if method.upper() == "ANY" else method.lower()


def _integration(integration_id: str, properties: Mapping[str, Any], raw: RawTemplate) -> dict[str, Any]:
    kind = text(properties.get("IntegrationType")).lower()
    subtype = properties.get("IntegrationSubtype")
    version = properties.get("PayloadFormatVersion")
    if kind == "aws_proxy" and subtype is None and version is None:
        raise TemplateError(
            f"{raw.where(integration_id)}: PayloadFormatVersion is required for a Lambda integration "
            "(1.0 or 2.0)"
        )
    return {
        "type": kind if subtype is None else f"{kind} ({subtype})",
        "uri": text(properties.get("IntegrationUri")),
        "payloadFormatVersion": text(version or "1.0"),
    }


def _authorizer_scheme(authorizer_id: str, properties: Mapping[str, Any], raw: RawTemplate) -> dict[str, Any]:
    kind = text(properties.get("AuthorizerType")).upper()
    sources = properties.get("IdentitySource") or []
    sources = sources if isinstance(sources, list) else [sources]
    if kind == "JWT":
        jwt = properties.get("JwtConfiguration") or {}
        return {
            "type": "oauth2",
            "x-amazon-apigateway-authorizer": {
                "type": "jwt",
                "identitySource": sources,
                "jwtConfiguration": {"issuer": jwt.get("Issuer", ""), "audience": jwt.get("Audience") or []},
            },
        }
    if kind != "REQUEST":
        raise TemplateError(
            f"{raw.where(authorizer_id)}: AuthorizerType must be JWT or REQUEST for an HTTP API"
        )
    authorizer: dict[str, Any] = {
        "type": "request",
        "identitySource": sources,
        "authorizerUri": text(properties.get("AuthorizerUri")),
        "authorizerPayloadFormatVersion": text(properties.get("AuthorizerPayloadFormatVersion") or "2.0"),
        "enableSimpleResponses": is_true(properties.get("EnableSimpleResponses")),
        "authorizerResultTtlInSeconds": int(properties.get("AuthorizerResultTtlInSeconds") or 0),
    }
    return {"type": "apiKey", "x-amazon-apigateway-authorizer": authorizer}


def _resources_document(
    api_id: str, api: Mapping[str, Any], children: Mapping[str, Children], raw: RawTemplate
) -> dict[str, Any]:
    schemes: dict[str, Any] = {}
    authorizer_ids: dict[str, str] = {}
    for authorizer_id, properties in children[HTTP_AUTHORIZER].get(api_id, []):
        schemes[authorizer_id] = _authorizer_scheme(authorizer_id, properties, raw)
        authorizer_ids[text(raw.ref(authorizer_id))] = authorizer_id
    integrations = {
        text(raw.ref(integration_id)): _integration(integration_id, properties, raw)
        for integration_id, properties in children[HTTP_INTEGRATION].get(api_id, [])
    }
    paths: dict[str, dict[str, Any]] = {}
    if api.get("Target"):  # quick create
        path, verb = _route_key(api.get("RouteKey") or DEFAULT_ROUTE, raw.where(api_id))
        quick = {"type": "aws_proxy", "uri": text(api["Target"]), "payloadFormatVersion": "2.0"}
        paths.setdefault(path, {})[verb] = {"x-amazon-apigateway-integration": quick}
    for route_id, properties in children[HTTP_ROUTE].get(api_id, []):
        where = raw.where(route_id)
        path, verb = _route_key(properties.get("RouteKey"), where)
        target = text(properties.get("Target"))
        if not target.startswith(_TARGET_PREFIX):
            raw.notes.ignore("HTTP API routes without an integrations/<id> Target are not served", route_id)
            continue
        integration = integrations.get(target.removeprefix(_TARGET_PREFIX))
        if integration is None:
            raise TemplateError(
                f"{where}: Target {target} names no AWS::ApiGatewayV2::Integration of its API"
            )
        operation: dict[str, Any] = {"x-amazon-apigateway-integration": integration}
        auth_type = text(properties.get("AuthorizationType") or "NONE").upper()
        if auth_type in ("JWT", "CUSTOM"):
            authorizer = authorizer_ids.get(text(properties.get("AuthorizerId")))
            if authorizer is None:
                raise TemplateError(
                    f"{where}: AuthorizerId names no AWS::ApiGatewayV2::Authorizer of its API"
                )
            scopes = properties.get("AuthorizationScopes") or []
            operation["security"] = [{authorizer: [str(scope) for scope in scopes]}]
        elif auth_type == "AWS_IAM":
            raw.notes.ignore(
                "IAM authorization of HTTP API routes is not emulated (served without)", route_id
            )
        paths.setdefault(path, {})[verb] = operation
    return {"openapi": "3.0.1", "paths": paths, "components": {"securitySchemes": schemes}}


def _stage(
    api_id: str, api: Mapping[str, Any], children: Mapping[str, Children], raw: RawTemplate
) -> dict[str, Any]:
    stages = [props for _, props in children[HTTP_STAGE].get(api_id, []) if props.get("StageName")]
    if not stages:
        if not api.get("Target"):  # quick create makes the $default stage
            raw.notes.ignore(
                "HTTP APIs without a Stage are not callable on AWS; served on the $default stage", api_id
            )
        return {"StageName": DEFAULT_ROUTE}
    if len(stages) > 1:
        others = ", ".join(text(props["StageName"]) for props in stages[1:])
        raw.notes.ignore("only the first stage of an HTTP API is served locally", f"{api_id} ({others})")
    return {"StageName": text(stages[0]["StageName"]), "StageVariables": stages[0].get("StageVariables")}


def _merge_document(body: dict[str, Any] | None, resources: dict[str, Any]) -> dict[str, Any]:
    if not body:
        return resources
    merged = dict(body)
    merged["paths"] = {**(body.get("paths") or {})}
    for path, item in resources["paths"].items():
        merged["paths"][path] = {**(merged["paths"].get(path) or {}), **item}
    components = dict(body.get("components") or {})
    components["securitySchemes"] = {
        **(components.get("securitySchemes") or {}),
        **resources["components"]["securitySchemes"],
    }
    merged["components"] = components
    return merged


def build_raw_http_apis(
    raw: RawTemplate, ids_by_name: Mapping[str, str]
) -> tuple[dict[str, HttpApiSpec], list[Route]]:
    api_ids = raw.ids_of_type(HTTP_API)
    if not api_ids:
        return {}, []
    websockets = set()
    for api_id in api_ids:
        if text(raw.resolve(raw.raw_properties(api_id).get("ProtocolType"), api_id)).upper() == "WEBSOCKET":
            websockets.add(api_id)
            raw.notes.ignore(
                "WebSocket APIs are not emulated (the API, its routes, integrations and stages)", api_id
            )
    http_ids = [api_id for api_id in api_ids if api_id not in websockets]
    children = {
        kind: children_by_api(raw, kind, "ApiId", set(http_ids), websockets) for kind in HTTP_CHILD_TYPES
    }
    specs: dict[str, HttpApiSpec] = {}
    routes: list[Route] = []
    for api_id in http_ids:
        own = raw.raw_properties(api_id)
        body, location = own.pop("Body", None), own.pop("BodyS3Location", None)
        properties = raw.resolve(own, api_id)
        review_properties(api_id, HTTP_API, present(properties), raw.notes)
        document, _ = read_document(
            body,
            location,
            resolver=raw.resolver,
            template_dir=raw.template_dir,
            where=raw.where(api_id),
            notes=raw.notes,
            logical_id=api_id,
        )
        definition = _merge_document(
            None if document is None else raw.resolve(document, api_id),
            _resources_document(api_id, properties, children, raw),
        )
        stage = _stage(api_id, properties, children, raw)
        sam_style = {**stage, "CorsConfiguration": properties.get("CorsConfiguration")}
        variables = stage.get("StageVariables")
        spec, api_routes = build_http_api(
            api_id,
            sam_style,
            definition,
            [],
            lookup=function_lookup(ids_by_name, variables if isinstance(variables, dict) else None),
            source=raw.source,
            notes=raw.notes,
        )
        specs[api_id] = spec
        routes.extend(api_routes)
    return specs, routes
