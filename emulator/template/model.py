"""What the emulator needs from a SAM template, resolved and typed.

``emulator.template.load_app(path, ...)`` turns a template into a :class:`SamApp`: intrinsic
functions resolved the way the deployed stack would resolve them (parameters, pseudo
parameters, ``Ref``/``GetAtt`` of the template's own resources), ``Globals`` merged, and SAM
defaults applied (Timeout 3 s, MemorySize 128 MB, ``Prod`` stage for the implicit API...).
Everything downstream (gateway, runtime, embedded AWS) reads these objects, never raw YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# The implicit API that SAM creates for ``Type: Api`` events with no ``RestApiId``.
IMPLICIT_API_ID = "ServerlessRestApi"
# ... and for ``Type: HttpApi`` events with no ``ApiId``.
IMPLICIT_HTTP_API_ID = "ServerlessHttpApi"
DEFAULT_ROUTE = "$default"  # an HTTP API's catch-all route (and its root stage)


@dataclass(frozen=True)
class CorsConfig:
    """``Cors`` of an API (``Globals.Api.Cors`` or ``AWS::Serverless::Api``), quotes removed.

    SAM writes these values as quoted strings (``"'*'"``) because they become integration
    response mappings; here they are plain header values.
    """

    allow_origin: str
    allow_methods: str | None = None
    allow_headers: str | None = None
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class ThrottleSettings:
    """Stage throttling (``MethodSettings`` ``ThrottlingRateLimit``/``ThrottlingBurstLimit``)."""

    rate_limit: float
    burst_limit: int
    resource_path: str = "/*"  # "/*" applies to every method, else "/path"
    http_method: str = "*"


@dataclass(frozen=True)
class GatewayResponseSpec:
    """One entry of an API's ``GatewayResponses`` (SAM syntax), quotes removed from header values.

    These customise API Gateway's OWN answers (401 Unauthorized, 403 Missing Authentication Token,
    429, 5xx...) by response type, e.g. ``DEFAULT_4XX``; functions' responses are never touched.
    """

    headers: Mapping[str, str] = field(default_factory=dict)
    status_code: int | None = None
    templates: Mapping[str, str] = field(default_factory=dict)  # ResponseTemplates: content type -> body


@dataclass(frozen=True)
class AuthorizerSpec:
    """A Lambda authorizer from ``Auth.Authorizers`` (SAM syntax)."""

    name: str
    function_id: str  # logical id of the authorizer function (from FunctionArn: !GetAtt X.Arn)
    type: Literal["TOKEN", "REQUEST"]
    # TOKEN: the single header carrying the token (default "Authorization").
    # REQUEST: Identity.Headers / QueryStrings / StageVariables / Context.
    identity_headers: tuple[str, ...] = ()
    identity_query_strings: tuple[str, ...] = ()
    identity_stage_variables: tuple[str, ...] = ()
    identity_context: tuple[str, ...] = ()
    validation_expression: str | None = None
    reauthorize_every: int = 300  # seconds; 0 disables the cache


@dataclass(frozen=True)
class RestApiSpec:
    """One REST API: the implicit ``ServerlessRestApi`` or an ``AWS::Serverless::Api``."""

    logical_id: str
    stage_name: str
    cors: CorsConfig | None = None
    binary_media_types: tuple[str, ...] = ()
    authorizers: Mapping[str, AuthorizerSpec] = field(default_factory=dict)
    default_authorizer: str | None = None
    add_default_authorizer_to_cors_preflight: bool = True
    stage_variables: Mapping[str, str] | None = None  # None unless the stage defines Variables
    throttling: tuple[ThrottleSettings, ...] = ()
    gateway_responses: Mapping[str, GatewayResponseSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class MockIntegration:
    """A MOCK integration's answer: its selected integration response, as API Gateway sends it
    (header values are the static ``'...'`` mappings, unquoted; the body is the response template)."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""


@dataclass(frozen=True)
class Route:
    """One method of an API: a function's ``Api`` event or a method of the API's definition."""

    api_id: str
    path: str  # template path, e.g. "/users/{id}" or "/{proxy+}"
    method: str  # upper-case HTTP method, or "ANY"
    function_id: str  # "" for a mock or a method that cannot run
    event_name: str  # the Api event's name, or "definition"
    authorizer: str | None = None  # authorizer name after DefaultAuthorizer/"NONE" resolution
    api_key_required: bool = False
    mock: MockIntegration | None = None  # a MOCK integration: answered by the gateway
    failure: str | None = None  # why this method's integration cannot run (it answers 502)
    payload_format: str = "1.0"  # HTTP APIs: the event and response format, "2.0" or "1.0"
    authorization_scopes: tuple[str, ...] = ()  # HTTP APIs: scopes a JWT must carry (any of them)


@dataclass(frozen=True)
class HttpCorsConfig:
    """An HTTP API's ``CorsConfiguration``: API Gateway answers preflights and adds the headers."""

    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class HttpAuthorizerSpec:
    """An HTTP API authorizer: a JWT one (issuer + audiences) or a Lambda one (payload 1.0/2.0)."""

    name: str
    kind: Literal["JWT", "LAMBDA"]
    identity_sources: tuple[str, ...] = ("$request.header.Authorization",)
    issuer: str = ""
    audiences: tuple[str, ...] = ()
    function_id: str = ""
    payload_format: str = "2.0"
    simple_responses: bool = False
    ttl_s: int = 0


@dataclass(frozen=True)
class HttpApiSpec:
    """An HTTP API (``AWS::Serverless::HttpApi``, or the implicit ``ServerlessHttpApi``)."""

    logical_id: str
    stage_name: str = "$default"  # "$default": served at the root, no stage in the path
    cors: HttpCorsConfig | None = None
    authorizers: Mapping[str, HttpAuthorizerSpec] = field(default_factory=dict)
    default_authorizer: str | None = None
    stage_variables: Mapping[str, str] | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """An ``AWS::Serverless::Function`` with Globals merged and intrinsics resolved."""

    logical_id: str
    function_name: str  # FunctionName if set, else the logical id (as sam local does)
    handler: str  # "module.path.function"
    runtime: str  # e.g. "python3.12"
    code_uri: Path  # absolute directory
    timeout: float = 3.0
    memory_size: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    architectures: tuple[str, ...] = ("x86_64",)
    unavailable: str | None = None  # why it cannot run here (a container image...): its routes answer 502
    layers: tuple[Path, ...] = ()  # its local layers' directories, in the function's order


@dataclass(frozen=True)
class ResourceSpec:
    """Any other resource the emulator may provision (tables, secrets, rotation schedules).

    ``physical_name`` is what ``Ref`` resolves to (table name, secret ARN...); ``properties``
    are the resource's ``Properties`` with intrinsics resolved.
    """

    logical_id: str
    type: str  # e.g. "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"
    physical_name: str
    properties: Mapping[str, Any] = field(default_factory=dict)


class TemplateNotes:
    """What a template holds that serve does not run, gathered while it loads.

    ``ignored``: not emulated, one warning line per kind (a resource type, a property, an event
    type) naming every logical id concerned -- "never silently". ``without_local_effect``:
    settings that only matter to a deployment (IAM, logging, tags...), listed by ``serve --check``.
    """

    def __init__(self) -> None:
        self.ignored: dict[str, list[str]] = {}
        self.without_local_effect: dict[str, list[str]] = {}

    def ignore(self, what: str, logical_id: str) -> None:
        ids = self.ignored.setdefault(what, [])
        if logical_id not in ids:
            ids.append(logical_id)

    def no_local_effect(self, what: str, logical_id: str) -> None:
        ids = self.without_local_effect.setdefault(what, [])
        if logical_id not in ids:
            ids.append(logical_id)

    def warnings(self) -> list[str]:
        """``"<what>: <id>, <id>"``, one line per kind, in the order they were found."""
        return [f"{what}: {', '.join(ids)}" for what, ids in self.ignored.items()]


@dataclass(frozen=True)
class SamApp:
    template_path: Path
    stack_name: str
    region: str
    account_id: str
    parameters: Mapping[str, str]
    functions: Mapping[str, FunctionSpec]
    apis: Mapping[str, RestApiSpec]
    routes: tuple[Route, ...]
    resources: Mapping[str, ResourceSpec]  # everything that is not a function or an API
    notes: TemplateNotes = field(default_factory=TemplateNotes, compare=False)
    http_apis: Mapping[str, HttpApiSpec] = field(default_factory=dict)  # their routes are in ``routes``
    outputs: Mapping[str, Any] = field(default_factory=dict)  # the template's Outputs, values resolved
    # The files read (watched for reload): the template, its includes and definitions, its nested stacks'.
    source_files: tuple[Path, ...] = ()

    def resources_of_type(self, *types: str) -> list[ResourceSpec]:
        return [r for r in self.resources.values() if r.type in types]
