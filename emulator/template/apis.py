"""REST APIs: ``AWS::Serverless::Api`` resources and the implicit ``ServerlessRestApi`` (their SAM
properties; the routes are :mod:`.rest_routes`).

All inputs are already resolved (intrinsics evaluated, Globals.Api merged). ``Ref`` of an API
evaluates to its logical id, so an event's ``RestApiId: !Ref MyApi`` arrives as "MyApi".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.errors import TemplateError
from emulator.template.model import (
    AuthorizerSpec,
    CorsConfig,
    GatewayResponseSpec,
    RestApiSpec,
    TemplateNotes,
    ThrottleSettings,
)

# API Gateway's account-level defaults, used when MethodSettings sets only one of the two.
_DEFAULT_RATE_LIMIT = 10000.0
_DEFAULT_BURST_LIMIT = 5000


def _unquote(value: Any) -> str:
    # SAM writes CORS values as "'value'" because they become integration response mappings.
    text = str(value).strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return text


def _cors(value: Any, where: str) -> CorsConfig | None:
    if value is None:
        return None
    if isinstance(value, str):  # the string form is the allowed origin
        return CorsConfig(allow_origin=_unquote(value))
    if not isinstance(value, dict):
        raise TemplateError(f"{where}: Cors must be a string or a mapping")
    if "AllowOrigin" not in value:
        raise TemplateError(f"{where}: Cors.AllowOrigin is required")
    max_age = value.get("MaxAge")
    try:
        max_age_seconds = None if max_age is None else int(_unquote(max_age))
    except ValueError:
        raise TemplateError(f"{where}: Cors.MaxAge must be a number of seconds, got {max_age!r}") from None
    return CorsConfig(
        allow_origin=_unquote(value["AllowOrigin"]),
        allow_methods=None if value.get("AllowMethods") is None else _unquote(value["AllowMethods"]),
        allow_headers=None if value.get("AllowHeaders") is None else _unquote(value["AllowHeaders"]),
        max_age=max_age_seconds,
        allow_credentials=str(value.get("AllowCredentials", False)).lower() == "true",
    )


def _strings(value: Any, what: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TemplateError(f"{where}: {what} must be a list")
    return tuple(str(v) for v in value)


def _function_id_from_arn(value: Any, function_ids_by_name: Mapping[str, str]) -> str:
    """FunctionArn is usually ``!GetAtt Fn.Arn``: map the ARN back to the logical id."""
    text = str(value)
    if ":function:" in text:
        text = text.split(":function:", 1)[1].split(":", 1)[0]
    return function_ids_by_name.get(text, text)


def _authorizer(
    name: str, spec: Any, function_ids_by_name: Mapping[str, str], where: str
) -> AuthorizerSpec | None:
    if not isinstance(spec, dict):
        raise TemplateError(f"{where}: authorizer {name} must be a mapping")
    if "FunctionArn" not in spec:
        return None  # Cognito (UserPoolArn) and others: not emulated, noted, refused where used
    payload_type = str(spec.get("FunctionPayloadType", "TOKEN")).upper()
    if payload_type not in ("TOKEN", "REQUEST"):
        raise TemplateError(f"{where}: authorizer {name}: FunctionPayloadType must be TOKEN or REQUEST")
    identity = spec.get("Identity") or {}
    if not isinstance(identity, dict):
        raise TemplateError(f"{where}: authorizer {name}: Identity must be a mapping")
    try:
        reauthorize_every = int(identity.get("ReauthorizeEvery", 300))
    except (TypeError, ValueError):
        raise TemplateError(f"{where}: authorizer {name}: ReauthorizeEvery must be seconds") from None
    if payload_type == "TOKEN":
        headers: tuple[str, ...] = (str(identity.get("Header", "Authorization")),)
    else:
        headers = _strings(identity.get("Headers"), "Identity.Headers", where)
    query_strings = _strings(identity.get("QueryStrings"), "Identity.QueryStrings", where)
    stage_variables = _strings(identity.get("StageVariables"), "Identity.StageVariables", where)
    context = _strings(identity.get("Context"), "Identity.Context", where)
    if (
        payload_type == "REQUEST"
        and reauthorize_every > 0
        and not (headers or query_strings or stage_variables or context)
    ):
        # SAM refuses this too: the identity sources are the cache key when caching is on.
        raise TemplateError(
            f"{where}: authorizer {name} must specify Identity with at least one of Headers, QueryStrings, "
            "StageVariables or Context (or ReauthorizeEvery: 0)"
        )
    validation = identity.get("ValidationExpression")
    return AuthorizerSpec(
        name=name,
        function_id=_function_id_from_arn(spec["FunctionArn"], function_ids_by_name),
        type=payload_type,  # type: ignore[arg-type]
        identity_headers=headers,
        identity_query_strings=query_strings,
        identity_stage_variables=stage_variables,
        identity_context=context,
        validation_expression=None if validation is None else str(validation),
        reauthorize_every=reauthorize_every,
    )


def _throttling(method_settings: Any, where: str) -> tuple[ThrottleSettings, ...]:
    if method_settings is None:
        return ()
    if not isinstance(method_settings, list):
        raise TemplateError(f"{where}: MethodSettings must be a list")
    settings = []
    for entry in method_settings:
        if not isinstance(entry, dict):
            continue
        if "ThrottlingRateLimit" not in entry and "ThrottlingBurstLimit" not in entry:
            continue
        # MethodSettings paths are "/" + the resource path with "/" escaped as "~1" (JSON Pointer
        # style): "/~1items~1{id}" is the resource "/items/{id}"; "/*" means every resource.
        resource_path = str(entry.get("ResourcePath", "/*"))
        if resource_path.startswith("/~1"):
            resource_path = resource_path[1:].replace("~1", "/")
        try:
            rate_limit = float(entry.get("ThrottlingRateLimit", _DEFAULT_RATE_LIMIT))
            burst_limit = int(entry.get("ThrottlingBurstLimit", _DEFAULT_BURST_LIMIT))
        except (TypeError, ValueError):
            raise TemplateError(f"{where}: MethodSettings throttling limits must be numbers") from None
        settings.append(
            ThrottleSettings(
                rate_limit=rate_limit,
                burst_limit=burst_limit,
                resource_path=resource_path or "/*",
                http_method=str(entry.get("HttpMethod", "*")).upper(),
            )
        )
    return tuple(settings)


def _gateway_responses(value: Any, where: str) -> dict[str, GatewayResponseSpec]:
    """``GatewayResponses``: {TYPE: {ResponseParameters: {Headers: {...}}, ResponseTemplates, StatusCode}}.

    Header values are mapping expressions in AWS ("'*'" is the literal *), hence the unquoting.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TemplateError(f"{where}: GatewayResponses must be a mapping of response type to settings")
    responses = {}
    for response_type, settings in value.items():
        settings = settings or {}
        if not isinstance(settings, dict):
            raise TemplateError(f"{where}: GatewayResponses.{response_type} must be a mapping")
        headers = (settings.get("ResponseParameters") or {}).get("Headers") or {}
        if not isinstance(headers, dict):
            raise TemplateError(f"{where}: GatewayResponses.{response_type}.ResponseParameters.Headers")
        status = settings.get("StatusCode")
        try:
            status_code = None if status is None else int(str(status))
        except ValueError:
            raise TemplateError(
                f"{where}: GatewayResponses.{response_type}.StatusCode must be a number"
            ) from None
        templates = settings.get("ResponseTemplates") or {}
        if not isinstance(templates, dict):
            raise TemplateError(
                f"{where}: GatewayResponses.{response_type}.ResponseTemplates must be a mapping"
            )
        responses[str(response_type)] = GatewayResponseSpec(
            headers={str(k): _unquote(v) for k, v in headers.items()},
            status_code=status_code,
            templates={str(k): str(v) for k, v in templates.items()},
        )
    return responses


def build_api(
    logical_id: str,
    properties: Mapping[str, Any],
    *,
    function_ids_by_name: Mapping[str, str],
    source: str,
    default_stage: str | None = None,
    notes: TemplateNotes | None = None,
) -> RestApiSpec:
    where = f"{source}: API {logical_id}"
    notes = notes if notes is not None else TemplateNotes()
    stage_name = properties.get("StageName", default_stage)
    if not stage_name:
        raise TemplateError(f"{where}: StageName is required for an AWS::Serverless::Api")
    auth = properties.get("Auth") or {}
    if not isinstance(auth, dict):
        raise TemplateError(f"{where}: Auth must be a mapping")
    authorizer_specs = auth.get("Authorizers") or {}
    if not isinstance(authorizer_specs, dict):
        raise TemplateError(f"{where}: Auth.Authorizers must be a mapping")
    authorizers = {}
    for name, spec in authorizer_specs.items():
        authorizer = _authorizer(str(name), spec, function_ids_by_name, where)
        if authorizer is not None:
            authorizers[str(name)] = authorizer
        else:
            notes.ignore("Cognito user pool authorizers are not emulated", f"{logical_id}.{name}")
    for setting in ("UsagePlan", "ResourcePolicy"):
        if setting in auth:
            notes.ignore(f"Auth.{setting} of an API is not emulated", logical_id)
    default_authorizer = auth.get("DefaultAuthorizer")
    if default_authorizer is not None and not isinstance(default_authorizer, str):
        raise TemplateError(f"{where}: Auth.DefaultAuthorizer must be an authorizer name")
    if default_authorizer is not None and default_authorizer not in authorizers:
        _refuse_authorizer(str(default_authorizer), authorizer_specs, f"{where}: Auth.DefaultAuthorizer")
    variables = properties.get("Variables")
    if variables is not None and not isinstance(variables, dict):
        raise TemplateError(f"{where}: Variables must be a mapping")
    binary = _strings(properties.get("BinaryMediaTypes"), "BinaryMediaTypes", where)
    return RestApiSpec(
        logical_id=logical_id,
        stage_name=str(stage_name),
        cors=_cors(properties.get("Cors"), where),
        # In the template "/" is written "~1" ("image~1png"), as in the OpenAPI extension.
        binary_media_types=tuple(t.replace("~1", "/") for t in binary),
        authorizers=authorizers,
        default_authorizer=None if default_authorizer is None else str(default_authorizer),
        add_default_authorizer_to_cors_preflight=(
            str(auth.get("AddDefaultAuthorizerToCorsPreflight", True)).lower() == "true"
        ),
        stage_variables=None if not variables else {str(k): str(v) for k, v in variables.items()},
        throttling=_throttling(properties.get("MethodSettings"), where),
        gateway_responses=_gateway_responses(properties.get("GatewayResponses"), where),
    )


def _refuse_authorizer(name: str, declared: Mapping[str, Any], where: str) -> None:
    if name == "AWS_IAM" or name in declared:
        return  # declared, not a Lambda authorizer: not emulated (the routes say so)
    raise TemplateError(f"{where}: authorizer {name} is not defined in Auth.Authorizers")
