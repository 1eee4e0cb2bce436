"""HTTP APIs: ``AWS::Serverless::HttpApi`` (and the implicit ``ServerlessHttpApi``), their
``HttpApi`` events and their OpenAPI definitions, read into :class:`HttpApiSpec` and routes.

SAM's rules (``aws-sam-translator``'s ``HttpApi`` event and ``http_api_generator``): an event
without ``Path`` and ``Method`` is the ``$default`` route (any method); ``PayloadFormatVersion``
defaults to ``2.0``; events are added to the API's definition even when the template gives one
(an event wins over the definition's method); ``Auth.DefaultAuthorizer`` covers every route whose
event names no authorizer (``NONE`` opts out); a JWT route's scopes are its event's
``AuthorizationScopes``, else its authorizer's. ``StageName`` defaults to ``$default`` (no stage
in the path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.errors import TemplateError
from emulator.template.model import (
    DEFAULT_ROUTE,
    IMPLICIT_HTTP_API_ID,
    HttpApiSpec,
    HttpAuthorizerSpec,
    HttpCorsConfig,
    Route,
    TemplateNotes,
)
from emulator.template.openapi import ANY_METHOD, HTTP_METHODS

DEFAULT_IDENTITY = "$request.header.Authorization"
DEFAULT_LAMBDA_TTL_S = 300


@dataclass(frozen=True)
class HttpApiEvent:
    function_id: str
    event_name: str
    properties: Mapping[str, Any]


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(item) for item in (value if isinstance(value, list) else [value]))


def _cors(value: Any, where: str) -> HttpCorsConfig | None:
    if value is None or value is False or str(value).lower() == "false":
        return None
    if value is True or str(value).lower() == "true":
        return HttpCorsConfig(allow_origins=("*",))
    if not isinstance(value, dict):
        raise TemplateError(f"{where}: CorsConfiguration must be true or a mapping")

    def get(*names: str) -> Any:  # SAM's PascalCase, or the OpenAPI extension's camelCase
        return next((value[name] for name in names if name in value), None)

    max_age = get("MaxAge", "maxAge")
    return HttpCorsConfig(
        allow_origins=_strings(get("AllowOrigins", "allowOrigins")),
        allow_methods=tuple(m.upper() for m in _strings(get("AllowMethods", "allowMethods"))),
        allow_headers=_strings(get("AllowHeaders", "allowHeaders")),
        expose_headers=_strings(get("ExposeHeaders", "exposeHeaders")),
        max_age=None if max_age is None else int(max_age),
        allow_credentials=str(get("AllowCredentials", "allowCredentials")).lower() == "true",
    )


def _identity_list(identity: Mapping[str, Any]) -> tuple[str, ...]:
    sources = [f"$request.header.{h}" for h in _strings(identity.get("Headers"))]
    sources += [f"$request.querystring.{q}" for q in _strings(identity.get("QueryStrings"))]
    sources += [f"$context.{c}" for c in _strings(identity.get("Context"))]
    sources += [f"$stageVariables.{s}" for s in _strings(identity.get("StageVariables"))]
    return tuple(sources)


def _sam_authorizer(
    name: str, spec: Any, lookup: Callable[[str], str | None], where: str
) -> tuple[HttpAuthorizerSpec, tuple[str, ...]]:
    """An ``Auth.Authorizers`` entry and its default scopes."""
    if not isinstance(spec, dict):
        raise TemplateError(f"{where}: authorizer {name} must be a mapping")
    scopes = _strings(spec.get("AuthorizationScopes"))
    jwt = spec.get("JwtConfiguration")
    if isinstance(jwt, dict):
        source = spec.get("IdentitySource", DEFAULT_IDENTITY)
        issuer = jwt.get("issuer", jwt.get("Issuer"))
        audiences = _strings(jwt.get("audience", jwt.get("Audience")))
        return HttpAuthorizerSpec(name, "JWT", _strings(source), str(issuer or ""), audiences), scopes
    if "FunctionArn" not in spec:
        raise TemplateError(f"{where}: authorizer {name} needs JwtConfiguration or FunctionArn")
    function_id = lookup(str(spec["FunctionArn"]))
    if function_id is None:
        raise TemplateError(f"{where}: authorizer {name}: FunctionArn names no function of the template")
    identity = spec.get("Identity") or {}
    if not isinstance(identity, dict):
        raise TemplateError(f"{where}: authorizer {name}: Identity must be a mapping")
    sources = _identity_list(identity)
    # Without identity sources a result cannot be cached (API Gateway requires TTL 0 then).
    ttl = int(identity.get("ReauthorizeEvery", DEFAULT_LAMBDA_TTL_S)) if sources else 0
    authorizer = HttpAuthorizerSpec(
        name,
        "LAMBDA",
        sources,
        function_id=function_id,
        payload_format=str(spec.get("AuthorizerPayloadFormatVersion", "2.0")),
        simple_responses=str(spec.get("EnableSimpleResponses", False)).lower() == "true",
        ttl_s=ttl,
    )
    return authorizer, scopes


def _definition_authorizer(
    name: str, scheme: Mapping[str, Any], lookup: Callable[[str], str | None]
) -> HttpAuthorizerSpec | None:
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    if not isinstance(authorizer, dict):
        return None
    kind = str(authorizer.get("type", "")).lower()
    sources = _strings(authorizer.get("identitySource", DEFAULT_IDENTITY))
    sources = tuple(part.strip() for source in sources for part in source.split(","))
    if kind == "jwt":
        jwt = authorizer.get("jwtConfiguration") or {}
        return HttpAuthorizerSpec(
            name, "JWT", sources, str(jwt.get("issuer", "")), _strings(jwt.get("audience"))
        )
    if kind == "request":
        function_id = lookup(str(authorizer.get("authorizerUri", "")))
        if function_id is None:
            return None
        return HttpAuthorizerSpec(
            name,
            "LAMBDA",
            sources,
            function_id=function_id,
            payload_format=str(authorizer.get("authorizerPayloadFormatVersion", "2.0")),
            simple_responses=bool(authorizer.get("enableSimpleResponses", False)),
            ttl_s=int(authorizer.get("authorizerResultTtlInSeconds", 0)),
        )
    return None


def _variables(value: Any) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) and value else None


@dataclass
class _RouteDraft:
    path: str
    method: str
    function_id: str
    event_name: str
    payload_format: str
    authorizer: str | None  # None: not said; "NONE": none
    scopes: tuple[str, ...] | None
    failure: str | None = None


def build_http_api(
    logical_id: str,
    properties: Mapping[str, Any],
    definition: Mapping[str, Any] | None,
    events: list[HttpApiEvent],
    *,
    lookup: Callable[[str], str | None],
    source: str,
    notes: TemplateNotes,
) -> tuple[HttpApiSpec, list[Route]]:
    """The API and its routes (``definition``: the resolved DefinitionBody/DefinitionUri, if any)."""
    where = f"{source}: HTTP API {logical_id}"
    auth = properties.get("Auth") or {}
    if not isinstance(auth, dict):
        raise TemplateError(f"{where}: Auth must be a mapping")
    authorizers: dict[str, HttpAuthorizerSpec] = {}
    default_scopes: dict[str, tuple[str, ...]] = {}
    for name, spec in (auth.get("Authorizers") or {}).items():
        authorizers[str(name)], default_scopes[str(name)] = _sam_authorizer(str(name), spec, lookup, where)
    if str(auth.get("EnableIamAuthorizer", False)).lower() == "true":
        notes.ignore("IAM authorization of HTTP APIs is not emulated", logical_id)
    default = auth.get("DefaultAuthorizer")
    if default is not None and str(default) not in authorizers:
        raise TemplateError(f"{where}: Auth.DefaultAuthorizer {default} is not defined in Auth.Authorizers")
    drafts: dict[tuple[str, str], _RouteDraft] = {}
    cors = _cors(properties.get("CorsConfiguration"), where)
    if definition:
        cors = cors or _cors(definition.get("x-amazon-apigateway-cors"), where)
        _read_definition(definition, lookup, drafts, authorizers)
    for event in events:
        draft = _event_draft(event, f"{source}: function {event.function_id}, event {event.event_name}")
        drafts[(draft.path, draft.method)] = draft
    variables = properties.get("StageVariables")
    spec = HttpApiSpec(
        logical_id=logical_id,
        stage_name=str(properties.get("StageName") or DEFAULT_ROUTE),
        cors=cors,
        authorizers=authorizers,
        default_authorizer=None if default is None else str(default),
        stage_variables=_variables(variables),
    )
    routes = []
    for draft in drafts.values():
        authorizer = draft.authorizer if draft.authorizer is not None else spec.default_authorizer
        if authorizer == "NONE":
            authorizer = None
        if authorizer is not None and authorizer not in authorizers:
            raise TemplateError(
                f"{where}: route {draft.method} {draft.path}: authorizer {authorizer} is not defined"
            )
        scopes = draft.scopes if draft.scopes is not None else default_scopes.get(authorizer or "", ())
        if draft.failure:
            notes.ignore(
                "routes whose integration cannot run here answer 500",
                f"{logical_id} {draft.method} {draft.path}",
            )
        routes.append(
            Route(
                api_id=logical_id,
                path=draft.path,
                method=draft.method,
                function_id=draft.function_id,
                event_name=draft.event_name,
                authorizer=authorizer,
                payload_format=draft.payload_format,
                authorization_scopes=scopes,
                failure=draft.failure,
            )
        )
    return spec, routes


def _event_draft(event: HttpApiEvent, where: str) -> _RouteDraft:
    props = event.properties
    path, method = props.get("Path"), props.get("Method")
    if not path and not method:
        path, method = DEFAULT_ROUTE, "ANY"
    if not isinstance(path, str) or not (path.startswith("/") or path == DEFAULT_ROUTE):
        raise TemplateError(f"{where}: Path must be a string starting with '/', got {path!r}")
    method = str(method or "ANY").upper()
    method = "ANY" if method == ANY_METHOD.upper() else method
    auth = props.get("Auth") or {}
    if not isinstance(auth, dict):
        raise TemplateError(f"{where}: Auth must be a mapping")
    scopes = auth.get("AuthorizationScopes")
    return _RouteDraft(
        path=path,
        method=method,
        function_id=event.function_id,
        event_name=event.event_name,
        payload_format=str(props.get("PayloadFormatVersion", "2.0")),
        authorizer=None if auth.get("Authorizer") is None else str(auth["Authorizer"]),
        scopes=None if scopes is None else _strings(scopes),
    )


def _read_definition(
    definition: Mapping[str, Any],
    lookup: Callable[[str], str | None],
    drafts: dict[tuple[str, str], _RouteDraft],
    authorizers: dict[str, HttpAuthorizerSpec],
) -> None:
    schemes = (definition.get("components") or {}).get("securitySchemes") or {}
    for name, scheme in schemes.items() if isinstance(schemes, dict) else ():
        read = _definition_authorizer(str(name), scheme, lookup) if isinstance(scheme, dict) else None
        if read is not None:
            authorizers.setdefault(str(name), read)
    for path, item in (definition.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for verb, operation in item.items():
            if str(verb).lower() not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            integration = operation.get("x-amazon-apigateway-integration") or {}
            method = "ANY" if verb == ANY_METHOD else str(verb).upper()
            security = operation.get("security") or definition.get("security") or []
            names = [str(key) for entry in security if isinstance(entry, dict) for key in entry]
            scopes = next((tuple(entry[key]) for entry in security for key in entry if entry[key]), None)
            function_id = lookup(str(integration.get("uri", "")))
            kind = str(integration.get("type", "")).lower()
            failure = None
            if kind != "aws_proxy":
                failure = f"{kind or 'an unknown'} integrations are not emulated (only aws_proxy)"
            elif function_id is None:
                failure = f"its integration uri names no function of the template: {integration.get('uri')}"
            drafts[(str(path), method)] = _RouteDraft(
                path=str(path),
                method=method,
                function_id=function_id or "",
                event_name="definition",
                payload_format=str(integration.get("payloadFormatVersion", "2.0")),
                authorizer=names[0] if names else None,
                scopes=scopes,
                failure=failure,
            )


def implicit_http_api_needed(events: list[HttpApiEvent]) -> bool:
    return any(not event.properties.get("ApiId") for event in events)


def events_by_api(events: list[HttpApiEvent], apis: set[str], source: str) -> dict[str, list[HttpApiEvent]]:
    grouped: dict[str, list[HttpApiEvent]] = {}
    for event in events:
        api_id = str(event.properties.get("ApiId") or IMPLICIT_HTTP_API_ID)
        if api_id not in apis:
            raise TemplateError(
                f"{source}: function {event.function_id}, event {event.event_name}: ApiId '{api_id}' is "
                "not an AWS::Serverless::HttpApi of the template"
            )
        grouped.setdefault(api_id, []).append(event)
    return grouped
