"""A REST API's OpenAPI definition (Swagger 2.0 or OpenAPI 3.0, with API Gateway's extensions) read
into methods, authorizers, binary media types and gateway responses.

What API Gateway reads from an imported definition ("OpenAPI extensions for API Gateway" in the
developer guide): per path and method (``x-amazon-apigateway-any-method`` is ``ANY``) the
``x-amazon-apigateway-integration`` -- ``aws_proxy`` to a Lambda function (its ``uri`` names the
function's ARN) or ``mock`` with its integration responses --, ``security`` (a method's own, else the
definition's), the authorizers of ``securityDefinitions`` (Swagger) or ``components.securitySchemes``
(OpenAPI 3) with ``x-amazon-apigateway-authorizer``, ``x-amazon-apigateway-binary-media-types`` and
``x-amazon-apigateway-gateway-responses``. Other integration types are noted and not served.

The definition arrives with its intrinsics resolved, method by method: a method whose integration
``uri`` cannot be resolved (``${Missing.Arn}``) is kept as a method that fails, not as a template error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.template.model import AuthorizerSpec, GatewayResponseSpec, MockIntegration

ANY_METHOD = "x-amazon-apigateway-any-method"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", ANY_METHOD})
_FUNCTION_IN_URI = re.compile(r"functions/(?P<arn>.+?)/invocations")
_HEADER_PARAMETER = "method.response.header."
_GATEWAY_HEADER = "gatewayresponse.header."
DEFAULT_AUTHORIZER_TTL_S = 300

# Which function an integration uri names: the logical id, or None (with the uri, for the message).
FunctionLookup = Callable[[str], str | None]


@dataclass
class MethodDraft:
    """One method of a REST API before authorization defaults are applied."""

    path: str
    method: str  # upper case, or ANY
    function_id: str | None = None  # a Lambda proxy integration
    mock: MockIntegration | None = None
    failure: str | None = None  # why the integration cannot run here (it answers 502)
    security: list[Any] | None = None  # the method's own security requirement, if it has one
    event_name: str = "definition"


@dataclass
class Definition:
    methods: list[MethodDraft] = field(default_factory=list)
    authorizers: dict[str, AuthorizerSpec] = field(default_factory=dict)
    unsupported_authorizers: dict[str, str] = field(default_factory=dict)  # name -> what it is
    api_key_schemes: set[str] = field(default_factory=set)
    security: list[Any] | None = None  # the definition's default (top-level) security
    binary_media_types: list[str] = field(default_factory=list)
    gateway_responses: dict[str, GatewayResponseSpec] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # "<what> (<where>)" for the notes


def unquote(value: Any) -> str:
    """A mapping expression's literal: ``"'*'"`` -> ``*`` (API Gateway quotes static values)."""
    text = str(value).strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return text


def function_name_in_uri(uri: Any) -> str | None:
    """``arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations`` -> the
    function's name in ARN (a qualifier ``:alias`` dropped); a bare ARN or name is taken too."""
    text = str(uri)
    match = _FUNCTION_IN_URI.search(text)
    arn = match.group("arn") if match else text
    if ":function:" in arn:
        return arn.split(":function:", 1)[1].split(":", 1)[0]
    return arn if arn and "/" not in arn and ":" not in arn else None


def _is_mapping(value: Any) -> bool:
    return isinstance(value, dict)


def _security_schemes(document: Mapping[str, Any]) -> Mapping[str, Any]:
    schemes = document.get("securityDefinitions")
    if schemes is None:
        components = document.get("components")
        schemes = components.get("securitySchemes") if _is_mapping(components) else None
    return schemes if _is_mapping(schemes) else {}


def _identity_sources(source: Any) -> dict[str, list[str]]:
    """``method.request.header.X, method.request.querystring.y, stageVariables.z, context.w``."""
    found: dict[str, list[str]] = {"header": [], "querystring": [], "stage": [], "context": []}
    for item in str(source or "").split(","):
        item = item.strip()
        if item.startswith("method.request.header."):
            found["header"].append(item.removeprefix("method.request.header."))
        elif item.startswith("method.request.querystring."):
            found["querystring"].append(item.removeprefix("method.request.querystring."))
        elif item.startswith("stageVariables."):
            found["stage"].append(item.removeprefix("stageVariables."))
        elif item.startswith("context."):
            found["context"].append(item.removeprefix("context."))
    return found


def read_authorizer(name: str, scheme: Mapping[str, Any], lookup: FunctionLookup) -> AuthorizerSpec | str:
    """A Lambda authorizer of the definition, or what it is when it is not one (for the notes)."""
    auth_type = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    if auth_type == "awssigv4":
        return "AWS_IAM authorization"
    if not _is_mapping(authorizer):
        return (
            "an API key" if scheme.get("type") == "apiKey" else f"security scheme type {scheme.get('type')}"
        )
    kind = str(authorizer.get("type", "token")).lower()
    if kind == "cognito_user_pools":
        return "a Cognito user pool authorizer"
    if kind not in ("token", "request"):
        return f"an authorizer of type {kind}"
    function_id = lookup(str(authorizer.get("authorizerUri", "")))
    if function_id is None:
        return f"a Lambda authorizer whose authorizerUri names no function of the template ({name})"
    sources = _identity_sources(authorizer.get("identitySource"))
    try:
        ttl = int(authorizer.get("authorizerResultTtlInSeconds", DEFAULT_AUTHORIZER_TTL_S))
    except (TypeError, ValueError):
        ttl = DEFAULT_AUTHORIZER_TTL_S
    headers = tuple(sources["header"])
    if kind == "token" and not headers:
        headers = (str(scheme.get("name") or "Authorization"),)
    validation = authorizer.get("identityValidationExpression")
    return AuthorizerSpec(
        name=name,
        function_id=function_id,
        type="TOKEN" if kind == "token" else "REQUEST",
        identity_headers=headers[:1] if kind == "token" else headers,
        identity_query_strings=tuple(sources["querystring"]),
        identity_stage_variables=tuple(sources["stage"]),
        identity_context=tuple(sources["context"]),
        validation_expression=None if validation is None else str(validation),
        reauthorize_every=ttl,
    )


def _integration_status(integration: Mapping[str, Any]) -> int:
    """A MOCK's status: the ``statusCode`` its request template writes (200 unless it says)."""
    templates = integration.get("requestTemplates")
    if not _is_mapping(templates) or not templates:
        return 200
    template = templates.get("application/json", next(iter(templates.values())))
    try:
        return int(json.loads(str(template)).get("statusCode", 200))
    except (ValueError, TypeError, AttributeError):
        return 200  # a template with VTL: API Gateway would evaluate it; 200 is its usual outcome


def read_mock(integration: Mapping[str, Any]) -> MockIntegration | str:
    """The answer of a MOCK integration: the integration response selected by its status."""
    status = str(_integration_status(integration))
    responses = integration.get("responses")
    responses = responses if _is_mapping(responses) else {}
    chosen = None
    for pattern, response in responses.items():
        if pattern != "default" and re.fullmatch(str(pattern), status):
            chosen = response
            break
    chosen = chosen if chosen is not None else responses.get("default")
    if not _is_mapping(chosen):
        # "No match for output mapping and no default output mapping configured": 500.
        return f"no integration response matches status {status} and there is no default"
    headers = []
    for name, value in (chosen.get("responseParameters") or {}).items():
        if str(name).startswith(_HEADER_PARAMETER):
            headers.append((str(name)[len(_HEADER_PARAMETER) :], unquote(value)))
    templates = chosen.get("responseTemplates")
    body = ""
    if _is_mapping(templates) and templates:
        body = str(templates.get("application/json", next(iter(templates.values()))) or "")
    try:
        response_status = int(str(chosen.get("statusCode", status)))
    except ValueError:
        response_status = 200
    return MockIntegration(status=response_status, headers=tuple(headers), body=body)


def _read_method(path: str, verb: str, operation: Mapping[str, Any], lookup: FunctionLookup) -> MethodDraft:
    method = "ANY" if verb == ANY_METHOD else verb.upper()
    security = operation.get("security")
    draft = MethodDraft(path, method, security=security if isinstance(security, list) else None)
    integration = operation.get("x-amazon-apigateway-integration")
    if not _is_mapping(integration):
        draft.failure = "it has no x-amazon-apigateway-integration"
        return draft
    kind = str(integration.get("type", "")).lower()
    if kind == "aws_proxy":
        function_id = lookup(str(integration.get("uri", "")))
        if function_id is None:
            draft.failure = (
                f"its integration uri names no function of the template ({integration.get('uri')})"
            )
        draft.function_id = function_id
    elif kind == "mock":
        mock = read_mock(integration)
        if isinstance(mock, str):
            draft.failure = mock
        else:
            draft.mock = mock
    else:
        draft.failure = f"{kind or 'an unknown'} integrations are not emulated (only aws_proxy and mock)"
    return draft


def read_gateway_responses(value: Any) -> dict[str, GatewayResponseSpec]:
    responses: dict[str, GatewayResponseSpec] = {}
    for response_type, settings in (value or {}).items() if _is_mapping(value) else ():
        if not _is_mapping(settings):
            continue
        headers = {
            str(name)[len(_GATEWAY_HEADER) :]: unquote(header_value)
            for name, header_value in (settings.get("responseParameters") or {}).items()
            if str(name).startswith(_GATEWAY_HEADER)
        }
        status = settings.get("statusCode")
        try:
            status_code = None if status is None else int(str(status))
        except ValueError:
            status_code = None
        templates = settings.get("responseTemplates")
        responses[str(response_type)] = GatewayResponseSpec(
            headers=headers,
            status_code=status_code,
            templates={str(k): str(v) for k, v in templates.items()} if _is_mapping(templates) else {},
        )
    return responses


def read_definition(
    document: Mapping[str, Any],
    lookup: FunctionLookup,
    resolve_operation: Callable[[str, str, Any], Any] = lambda path, verb, operation: operation,
) -> Definition:
    """Read a resolved definition; ``resolve_operation(path, verb, raw)`` resolves one method's
    intrinsics (raising :class:`ValueError` with the reason when it cannot)."""
    definition = Definition()
    for name, scheme in _security_schemes(document).items():
        if not _is_mapping(scheme):
            continue
        read = read_authorizer(str(name), scheme, lookup)
        if isinstance(read, AuthorizerSpec):
            definition.authorizers[str(name)] = read
        elif read == "an API key":
            definition.api_key_schemes.add(str(name))
        else:
            definition.unsupported_authorizers[str(name)] = read
    security = document.get("security")
    definition.security = security if isinstance(security, list) else None
    paths = document.get("paths")
    for path, item in (paths or {}).items() if _is_mapping(paths) else ():
        if not _is_mapping(item):
            continue
        for verb, raw_operation in item.items():
            if str(verb).lower() not in HTTP_METHODS:
                continue  # "parameters", "summary", vendor extensions of the path item
            try:
                operation = resolve_operation(str(path), str(verb), raw_operation)
            except ValueError as exc:
                draft = MethodDraft(str(path), _method_name(str(verb)), failure=str(exc))
            else:
                if not _is_mapping(operation):
                    continue
                draft = _read_method(str(path), str(verb).lower(), operation, lookup)
            definition.methods.append(draft)
    binary = document.get("x-amazon-apigateway-binary-media-types")
    if isinstance(binary, list):
        definition.binary_media_types = [str(media_type) for media_type in binary]
    responses = document.get("x-amazon-apigateway-gateway-responses")
    definition.gateway_responses = read_gateway_responses(responses)
    return definition


def _method_name(verb: str) -> str:
    return "ANY" if verb.lower() == ANY_METHOD else verb.upper()
