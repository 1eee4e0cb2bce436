"""Raw REST APIs: ``AWS::ApiGateway::RestApi`` with its ``Resource``, ``Method``, ``Authorizer``,
``GatewayResponse``, ``Stage`` and ``Deployment`` resources (hand-written CloudFormation, CDK and
Serverless Framework output) -> :class:`RestApiSpec` and the same routes the SAM path builds.

The resources are written out as the OpenAPI document API Gateway would export for the API
("Export a REST API from API Gateway", with the ``x-amazon-apigateway-*`` extensions) and read by
:mod:`.openapi`, so a raw method and a definition's method mean the same thing: ``AWS_PROXY`` to a
function, ``MOCK`` answered from its integration response, other types answer 502 with a warning;
``AuthorizationType: CUSTOM`` with an ``AuthorizerId`` is a Lambda authorizer (TOKEN or REQUEST);
Cognito and IAM are served without authorization, with a warning. A ``Body`` (or a local
``BodyS3Location``) is read as an ``AWS::Serverless::Api``'s definition, and the methods of the
resources are added to it.

A resource path is its parents' ``PathPart``s down from the API's root (``ParentId:
!GetAtt Api.RootResourceId``). The stage is the API's ``AWS::ApiGateway::Stage`` (name,
``Variables``, throttling ``MethodSettings``), else the ``StageName`` of its ``Deployment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.errors import TemplateError
from emulator.template.apis import build_api
from emulator.template.cdk_assets import asset_path
from emulator.template.coverage import review_properties
from emulator.template.definitions import function_lookup, read_document, resolve_definition
from emulator.template.model import RestApiSpec, Route
from emulator.template.openapi import ANY_METHOD, Definition, read_definition
from emulator.template.raw_coverage import (
    REST_API,
    REST_AUTHORIZER,
    REST_CHILD_TYPES,
    REST_DEPLOYMENT,
    REST_GATEWAY_RESPONSE,
    REST_METHOD,
    REST_RESOURCE,
    REST_STAGE,
)
from emulator.template.raw_template import Children, RawTemplate, children_by_api, is_true, present, text
from emulator.template.rest_routes import ApiDefinition, build_rest_routes

NO_STAGE_NAME = "local"
IAM_SCHEME = "AWS_IAM"
API_KEY_SCHEME = "api_key"
_INTEGRATION_HANDLED = frozenset({"Type", "Uri", "RequestTemplates", "IntegrationResponses"})
_INTEGRATION_NO_LOCAL_EFFECT = frozenset(
    {"IntegrationHttpMethod", "Credentials", "PassthroughBehavior", "CacheKeyParameters", "CacheNamespace"}
)
_VTL_MARKS = ("$input", "$context", "$util", "$stageVariables", "#set", "#if", "#foreach")


def _integration(method_id: str, integration: Mapping[str, Any], raw: RawTemplate) -> dict[str, Any]:
    """A Method's ``Integration`` as ``x-amazon-apigateway-integration``."""
    for key in present(integration):
        if key in _INTEGRATION_NO_LOCAL_EFFECT:
            raw.notes.no_local_effect(f"ApiGateway::Method.Integration.{key}", method_id)
        elif key not in _INTEGRATION_HANDLED:
            raw.notes.ignore(f"Integration.{key} of {REST_METHOD} is not emulated", method_id)
    kind = text(integration.get("Type")).lower()
    responses: dict[str, Any] = {}
    for response in integration.get("IntegrationResponses") or []:
        if not isinstance(response, dict):
            continue
        # No SelectionPattern: the default response (API Gateway's "default" key in OpenAPI).
        responses[text(response.get("SelectionPattern")) or "default"] = {
            "statusCode": response.get("StatusCode"),
            "responseParameters": response.get("ResponseParameters") or {},
            "responseTemplates": response.get("ResponseTemplates") or {},
        }
        templates = response.get("ResponseTemplates") or {}
        if kind == "mock" and any(mark in str(t) for t in templates.values() for mark in _VTL_MARKS):
            raw.notes.ignore(
                "VTL in MOCK response templates is not evaluated (the template is sent as written)", method_id
            )
    requests = integration.get("RequestTemplates") or {}
    if kind == "mock" and any(mark in str(t) for t in requests.values() for mark in _VTL_MARKS):
        raw.notes.ignore(
            "VTL in MOCK request templates is not evaluated (the status is the template's statusCode when it "
            "is plain JSON, else 200)",
            method_id,
        )
    return {
        "type": kind,
        "uri": integration.get("Uri", ""),
        "requestTemplates": integration.get("RequestTemplates") or {},
        "responses": responses,
    }


def _authorizer_scheme(properties: Mapping[str, Any]) -> dict[str, Any]:
    """An ``AWS::ApiGateway::Authorizer`` as a security scheme with ``x-amazon-apigateway-authorizer``."""
    kind = text(properties.get("Type")).upper()
    authorizer: dict[str, Any] = {
        "type": kind.lower(),
        "authorizerUri": text(properties.get("AuthorizerUri")),
    }
    for key, name in (
        ("IdentitySource", "identitySource"),
        ("IdentityValidationExpression", "identityValidationExpression"),
        ("AuthorizerResultTtlInSeconds", "authorizerResultTtlInSeconds"),
    ):
        if properties.get(key) is not None:
            authorizer[name] = properties[key]
    return {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "cognito_user_pools" if kind == "COGNITO_USER_POOLS" else "custom",
        "x-amazon-apigateway-authorizer": authorizer,
    }


class _ResourcePaths:
    """``Ref`` of a Resource (or the API's root) -> its path."""

    def __init__(self, api_id: str, resources: list[tuple[str, dict[str, Any]]], raw: RawTemplate) -> None:
        self._raw = raw
        self._api_id = api_id
        root = raw.resolve({"Fn::GetAtt": [api_id, "RootResourceId"]}, api_id)
        self._paths: dict[str, str] = {text(root): "/"}
        self._by_ref = {text(raw.ref(lid)): (lid, props) for lid, props in resources}

    def path(self, reference: Any, where: str, seen: frozenset[str] = frozenset()) -> str:
        key = text(reference)
        if key in self._paths:
            return self._paths[key]
        if key not in self._by_ref:
            raise TemplateError(f"{where}: {key!r} is not a Resource of the API {self._api_id} nor its root")
        logical_id, properties = self._by_ref[key]
        if logical_id in seen:
            raise TemplateError(f"{self._raw.where(logical_id)}: ParentId leads back to this resource")
        parent = self.path(
            properties.get("ParentId"), f"{self._raw.where(logical_id)}: ParentId", seen | {logical_id}
        )
        part = properties.get("PathPart")
        if not isinstance(part, str) or not part:
            raise TemplateError(f"{self._raw.where(logical_id)}: PathPart is required")
        self._paths[key] = f"{parent.rstrip('/')}/{part}"
        return self._paths[key]


def _method_operation(
    method_id: str, properties: Mapping[str, Any], authorizer_ids: Mapping[str, str], raw: RawTemplate
) -> dict[str, Any]:
    where = raw.where(method_id)
    operation: dict[str, Any] = {}
    integration = properties.get("Integration")
    if isinstance(integration, dict):
        operation["x-amazon-apigateway-integration"] = _integration(method_id, integration, raw)
    requirement: dict[str, list[str]] = {}
    auth_type = text(properties.get("AuthorizationType") or "NONE").upper()
    if auth_type in ("CUSTOM", "COGNITO_USER_POOLS"):
        authorizer = authorizer_ids.get(text(properties.get("AuthorizerId")))
        if authorizer is None:
            raise TemplateError(f"{where}: AuthorizerId names no AWS::ApiGateway::Authorizer of its API")
        requirement[authorizer] = []
    elif auth_type == "AWS_IAM":
        requirement[IAM_SCHEME] = []
    elif auth_type != "NONE":
        raise TemplateError(
            f"{where}: AuthorizationType {auth_type} is not one of NONE, CUSTOM, AWS_IAM, COGNITO_USER_POOLS"
        )
    if is_true(properties.get("ApiKeyRequired")):
        requirement[API_KEY_SCHEME] = []
    if requirement:
        operation["security"] = [requirement]
    return operation


def _resources_document(api_id: str, children: Mapping[str, Children], raw: RawTemplate) -> dict[str, Any]:
    """The API's Resource, Method, Authorizer and GatewayResponse resources as an OpenAPI document."""
    schemes: dict[str, Any] = {
        IAM_SCHEME: {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "awsSigv4",
        },
        API_KEY_SCHEME: {"type": "apiKey", "name": "x-api-key", "in": "header"},
    }
    authorizer_ids: dict[str, str] = {}
    for authorizer_id, properties in children[REST_AUTHORIZER].get(api_id, []):
        schemes[authorizer_id] = _authorizer_scheme(properties)
        authorizer_ids[text(raw.ref(authorizer_id))] = authorizer_id
    paths: dict[str, dict[str, Any]] = {}
    tree = _ResourcePaths(api_id, children[REST_RESOURCE].get(api_id, []), raw)
    for method_id, properties in children[REST_METHOD].get(api_id, []):
        path = tree.path(properties.get("ResourceId"), f"{raw.where(method_id)}: ResourceId")
        verb = text(properties.get("HttpMethod")).upper()
        if not verb:
            raise TemplateError(f"{raw.where(method_id)}: HttpMethod is required")
        key = ANY_METHOD if verb == "ANY" else verb.lower()
        paths.setdefault(path, {})[key] = _method_operation(method_id, properties, authorizer_ids, raw)
    responses = {
        text(properties.get("ResponseType")): {
            "statusCode": properties.get("StatusCode"),
            "responseParameters": properties.get("ResponseParameters") or {},
            "responseTemplates": properties.get("ResponseTemplates") or {},
        }
        for _, properties in children[REST_GATEWAY_RESPONSE].get(api_id, [])
    }
    return {
        "swagger": "2.0",
        "paths": paths,
        "securityDefinitions": schemes,
        "x-amazon-apigateway-gateway-responses": responses,
    }


def _merged(body: Definition | None, resources: Definition) -> Definition:
    if body is None:
        return resources
    body.methods.extend(resources.methods)
    body.authorizers.update(resources.authorizers)
    body.unsupported_authorizers.update(resources.unsupported_authorizers)
    body.api_key_schemes |= resources.api_key_schemes
    body.gateway_responses.update(resources.gateway_responses)
    return body


def _stage(api_id: str, children: Mapping[str, Children], raw: RawTemplate) -> dict[str, Any]:
    """The SAM-style stage properties (StageName, Variables, MethodSettings) of the API's stage."""
    found: list[tuple[str, dict[str, Any]]] = []
    for _, properties in children[REST_STAGE].get(api_id, []):
        found.append((text(properties.get("StageName")), properties))
    for deployment_id, properties in children[REST_DEPLOYMENT].get(api_id, []):
        name = text(properties.get("StageName"))
        described = properties.get("StageDescription") or {}
        for key in described if isinstance(described, dict) else ():
            if key not in ("Variables", "MethodSettings", "Description", "Tags"):
                raw.notes.ignore(
                    f"StageDescription.{key} of {REST_DEPLOYMENT} is not emulated", deployment_id
                )
        if name and name not in (stage for stage, _ in found):
            found.append((name, described if isinstance(described, dict) else {}))
    found = [(name, props) for name, props in found if name]
    if not found:
        raw.notes.ignore(
            f"REST APIs without a Stage (nor a Deployment with a StageName) are not callable on AWS; "
            f"served under the stage '{NO_STAGE_NAME}'",
            api_id,
        )
        return {"StageName": NO_STAGE_NAME}
    if len(found) > 1:
        others = ", ".join(name for name, _ in found[1:])
        raw.notes.ignore("only the first stage of a REST API is served locally", f"{api_id} ({others})")
    name, properties = found[0]
    return {
        "StageName": name,
        "Variables": properties.get("Variables"),
        "MethodSettings": properties.get("MethodSettings"),
    }


def _local_asset(api_id: str, raw: RawTemplate) -> str | None:
    """A CDK ``SpecRestApi``'s definition asset (``aws:asset:property: BodyS3Location``)."""
    path = asset_path(raw.resources[api_id], "BodyS3Location", raw.template_dir)
    return None if path is None else str(path)


def build_raw_rest_apis(
    raw: RawTemplate, ids_by_name: Mapping[str, str]
) -> tuple[dict[str, RestApiSpec], tuple[Route, ...]]:
    api_ids = raw.ids_of_type(REST_API)
    if not api_ids:
        return {}, ()
    children = {kind: children_by_api(raw, kind, "RestApiId", set(api_ids)) for kind in REST_CHILD_TYPES}
    apis: dict[str, RestApiSpec] = {}
    definitions: dict[str, ApiDefinition] = {}
    for api_id in api_ids:
        own = raw.raw_properties(api_id)
        body, location = own.pop("Body", None), own.pop("BodyS3Location", None)
        properties = raw.resolve(own, api_id)
        review_properties(api_id, REST_API, present(properties), raw.notes)
        stage = _stage(api_id, children, raw)
        binary = [str(t).replace("~1", "/") for t in properties.get("BinaryMediaTypes") or []]
        api = build_api(
            api_id,
            {**stage, "BinaryMediaTypes": binary},
            function_ids_by_name=ids_by_name,
            source=raw.source,
            notes=raw.notes,
        )
        lookup = function_lookup(ids_by_name, api.stage_variables)
        document, _ = read_document(
            body,
            _local_asset(api_id, raw) or location,
            resolver=raw.resolver,
            template_dir=raw.template_dir,
            where=raw.where(api_id),
            notes=raw.notes,
            logical_id=api_id,
        )
        from_body = (
            None
            if document is None
            else resolve_definition(document, resolver=raw.resolver, lookup=lookup, where=raw.where(api_id))
        )
        from_resources = read_definition(_resources_document(api_id, children, raw), lookup)
        definitions[api_id] = ApiDefinition(_merged(from_body, from_resources))
        apis[api_id] = api
    routes, merged = build_rest_routes([], apis, {}, definitions, source=raw.source, notes=raw.notes)
    return merged, routes
