"""HTTP APIs (API Gateway v2): routing, CORS, authorizers and the Lambda integration.

Per request, in API Gateway's order: a CORS preflight is answered by the API when it has a
``CorsConfiguration`` -> the route: the most specific ``METHOD /path`` (a literal segment before
``{param}`` before ``{proxy+}``, an exact method before ``ANY``), else the ``$default`` route, else
404 ``{"message":"Not Found"}`` -> the authorizer (JWT or Lambda) -> the event (payload 2.0 or 1.0)
-> the function, awaited at most the integration timeout (503 ``Service Unavailable`` after it) ->
its answer read (:mod:`.http_response`) -> the CORS headers of the configuration added.

Stages: the ``$default`` stage is served at the root; a named stage under ``/{stage}`` (and, as
for REST APIs here, without the prefix too). When two APIs would answer the same path, a path with
a stage prefix goes to that stage's API; see the README ("Several APIs in one template").
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from emulator import log
from emulator.apigateway import http_response
from emulator.apigateway.binary import BinaryMediaTypes
from emulator.apigateway.events import ProxyEventBuilder, api_id_for
from emulator.apigateway.events_v2 import build_v2_event, route_key
from emulator.apigateway.http_authorizers import (
    HttpAuthorization,
    JwksKeys,
    LambdaHttpAuthorizers,
    verify_jwt,
)
from emulator.apigateway.proxy_response import GatewayResponse, MalformedProxyResponse, translate
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.routing import ResourceTree, RouteMatch
from emulator.clock import EmulatorClock
from emulator.dashboard.history import AuthorizerTrace, RequestRecord, note_failure
from emulator.lambda_runtime.api import InvocationResult, LambdaRuntime
from emulator.template.model import (
    DEFAULT_ROUTE,
    HttpApiSpec,
    HttpAuthorizerSpec,
    HttpCorsConfig,
    Route,
    SamApp,
)

_LOG = logging.getLogger(log.GATEWAY)
_NO_BINARY = BinaryMediaTypes(())


@dataclass(frozen=True)
class HttpMatch:
    stage: HttpApiStage
    route: Route
    path: str  # without the stage prefix
    path_parameters: dict[str, str] | None


class HttpApiStage:
    def __init__(
        self, spec: HttpApiSpec, app: SamApp, runtime: LambdaRuntime, jwks: JwksKeys, clock: EmulatorClock
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.app = app
        routes = [route for route in app.routes if route.api_id == spec.logical_id]
        self.default_route = next((route for route in routes if route.path == DEFAULT_ROUTE), None)
        self.tree = ResourceTree(spec.logical_id, [route for route in routes if route.path != DEFAULT_ROUTE])
        self.lambda_authorizers = LambdaHttpAuthorizers(runtime, app.functions, cache_clock=clock.monotonic)
        self.jwks = jwks
        stage = spec.stage_name
        self.v1_events = ProxyEventBuilder(
            api_logical_id=spec.logical_id,
            stage=stage,
            account_id=app.account_id,
            region=app.region,
            stage_variables=spec.stage_variables,
            binary_media_types=_NO_BINARY,
        )

    def find(self, method: str, path: str) -> HttpMatch | None:
        found = self.tree.find(method, path)
        if found is not None:
            matched, params = found
            assert matched.route is not None
            return HttpMatch(self, matched.route, path, params or None)
        if self.default_route is not None:
            return HttpMatch(self, self.default_route, path, None)
        return None

    def route_arn(self, method: str, path: str) -> str:
        api_id = api_id_for(self.spec.logical_id)
        where = f"{self.app.region}:{self.app.account_id}:{api_id}"
        return f"arn:aws:execute-api:{where}/{self.spec.stage_name}/{method}{path}"


class HttpApis:
    """Every HTTP API of the app."""

    def __init__(
        self,
        app: SamApp,
        runtime: LambdaRuntime,
        integration_timeout_s: float,
        clock: EmulatorClock | None = None,
    ) -> None:
        jwks = JwksKeys()
        clock = clock or EmulatorClock()
        self.stages = [HttpApiStage(spec, app, runtime, jwks, clock) for spec in app.http_apis.values()]
        self.runtime = runtime
        self.integration_timeout_s = integration_timeout_s

    def __bool__(self) -> bool:
        return bool(self.stages)

    def route(self, method: str, request_path: str, *, prefixed_only: bool) -> HttpMatch | None:
        """With ``prefixed_only``, only named stages addressed by the path's first segment."""
        segments = request_path.split("/", 2)
        first = segments[1] if len(segments) > 1 else ""
        for stage in self.stages:
            name = stage.spec.stage_name
            if name != DEFAULT_ROUTE and name == first:
                match = stage.find(method, "/" + (segments[2] if len(segments) > 2 else ""))
                if match is not None:
                    return match
        if prefixed_only:
            return None
        for stage in self.stages:  # routes first, then the $default routes
            found = stage.tree.find(method, request_path or "/")
            if found is not None:
                matched, params = found
                assert matched.route is not None
                return HttpMatch(stage, matched.route, request_path, params or None)
        return next(
            (HttpMatch(s, s.default_route, request_path, None) for s in self.stages if s.default_route), None
        )

    def addresses_a_stage(self, request_path: str) -> bool:
        """The path's first segment names one of the HTTP APIs' named stages."""
        segments = request_path.split("/", 2)
        first = segments[1] if len(segments) > 1 else ""
        return any(s.spec.stage_name == first for s in self.stages if s.spec.stage_name != DEFAULT_ROUTE)

    def preflight(self, request: GatewayRequest) -> GatewayResponse | None:
        """API Gateway's own answer to a CORS preflight, for the first API with a CORS configuration."""
        if request.method != "OPTIONS" or not request.header("Origin"):
            return None
        if not request.header("Access-Control-Request-Method"):
            return None
        cors = next((s.spec.cors for s in self.stages if s.spec.cors is not None), None)
        if cors is None:
            return None
        headers = _cors_headers(cors, request.header("Origin"))
        if headers:
            if cors.allow_methods:
                headers.append(("Access-Control-Allow-Methods", ",".join(cors.allow_methods)))
            if cors.allow_headers:
                headers.append(("Access-Control-Allow-Headers", ",".join(cors.allow_headers)))
            if cors.max_age is not None:
                headers.append(("Access-Control-Max-Age", str(cors.max_age)))
        return GatewayResponse(204, headers, b"")

    async def respond(
        self, request: GatewayRequest, request_id: str, match: HttpMatch, record: RequestRecord | None = None
    ) -> GatewayResponse:
        """``record``: the dashboard's, noted on as the request goes (None: not recorded)."""
        response = await self._respond(request, request_id, match, record)
        if match.stage.spec.cors is not None:
            response.headers.extend(_cors_headers(match.stage.spec.cors, request.header("Origin")))
        response.headers.append(("apigw-requestid", request_id))
        return response

    async def _respond(
        self, request: GatewayRequest, request_id: str, match: HttpMatch, record: RequestRecord | None
    ) -> GatewayResponse:
        stage, route = match.stage, match.route
        key = route_key(route.method, route.path)
        event = build_v2_event(
            request,
            api_logical_id=stage.spec.logical_id,
            stage=stage.spec.stage_name,
            route_key=key,
            path_parameters=match.path_parameters,
            stage_variables=stage.spec.stage_variables,
            account_id=stage.app.account_id,
            request_id=request_id,
        )
        v1_event = self._v1_event(request, request_id, match) if route.payload_format == "1.0" else None
        if route.authorizer is not None:
            outcome = await self._authorize(stage, route, event, v1_event, request, match, record)
            if outcome.status is not None:
                _LOG.info(
                    "authorizer %s refused %s %s: %s",
                    route.authorizer,
                    request.method,
                    request.path,
                    outcome.reason,
                )
                return _refusal(outcome.status)
            target = v1_event if v1_event is not None else event
            target["requestContext"]["authorizer"] = outcome.context
        if route.failure is not None:
            _LOG.error("Execution failed (%s %s): %s", route.method, route.path, route.failure)
            return http_response.internal_server_error()
        function = stage.app.functions[route.function_id]
        if function.unavailable is not None:
            _LOG.error(
                "Execution failed: function %s cannot run here: %s", function.logical_id, function.unavailable
            )
            return http_response.internal_server_error()
        function_name = function.function_name
        payload = v1_event if v1_event is not None else event
        trace = None
        if record is not None:  # the dashboard's: the event sent, the raw result, the log lines
            record.route, record.function = key, function_name
            trace = record.invoked(event_has_headers=v1_event is not None)
        future = await self.runtime.call_async(
            function_name, payload, wait_s=self.integration_timeout_s, trace=trace
        )
        return self._translate(function_name, future, route, record)

    def _v1_event(self, request: GatewayRequest, request_id: str, match: HttpMatch) -> dict[str, Any]:
        from emulator.apigateway.routing import Method

        method = Method(match.route.method, match.route.path, match.route)
        route_match = RouteMatch(
            match.stage.spec.logical_id,
            match.stage.spec.stage_name,
            method,
            match.path,
            match.path_parameters,
        )
        event = match.stage.v1_events.build(request, route_match, request_id=request_id)
        return {"version": "1.0", **event}

    async def _authorize(
        self,
        stage: HttpApiStage,
        route: Route,
        event: dict[str, Any],
        v1_event: dict[str, Any] | None,
        request: GatewayRequest,
        match: HttpMatch,
        record: RequestRecord | None,
    ) -> HttpAuthorization:
        authorizer = stage.spec.authorizers[str(route.authorizer)]
        trace = None
        if record is not None:  # the dashboard's: what the authorizer got, said and decided
            trace = record.authorizer = AuthorizerTrace(authorizer.name)
        if authorizer.kind == "JWT":
            outcome = await verify_jwt(authorizer, route, event, stage.jwks, now=stage.clock.now())
        else:
            route_arn = stage.route_arn(request.method, match.path)
            outcome = await stage.lambda_authorizers.authorize(
                authorizer, route, event, route_arn, v1_event, trace=trace
            )
        if trace is not None:
            trace.allowed, trace.status = outcome.status is None, outcome.status
            trace.context = outcome.context
            trace.reason = outcome.reason or trace.reason or _allowed_because(authorizer)
        return outcome

    def _translate(
        self,
        function_name: str,
        future: Future[InvocationResult],
        route: Route,
        record: RequestRecord | None,
    ) -> GatewayResponse:
        try:
            result = future.result(timeout=0)
        except FutureTimeout:
            _LOG.warning("%s: integration timed out after %.0f s", function_name, self.integration_timeout_s)
            note_failure(record, f"integration timed out after {self.integration_timeout_s:.0f} s")
            return http_response.service_unavailable()
        except Exception:
            _LOG.exception("Execution failed invoking %s:", function_name)
            return http_response.internal_server_error()
        if result.error is not None:
            _LOG.warning(
                "%s failed: %s: %s", function_name, result.error.error_type, result.error.error_message
            )
            note_failure(record, f"Lambda function error ({result.error.kind}): {result.error.error_type}")
            return http_response.internal_server_error()
        try:
            if route.payload_format == "1.0":
                return translate(result.payload, accept=None, binary_media_types=_NO_BINARY)
            return http_response.translate_v2(result.payload)
        except MalformedProxyResponse as exc:
            _LOG.warning("Malformed Lambda response (%s): %s", function_name, exc)
            note_failure(record, f"Malformed Lambda proxy response: {exc}")
            return http_response.internal_server_error()


def _allowed_because(authorizer: HttpAuthorizerSpec) -> str:
    if authorizer.kind == "JWT":
        return f"the token verified against {authorizer.issuer}: its claims are in the context"
    return "the function's answer allows the route"


def _refusal(status: int) -> GatewayResponse:
    if status == 401:
        return http_response.unauthorized()
    if status == 403:
        return http_response.forbidden()
    return http_response.internal_server_error()


def _cors_headers(cors: HttpCorsConfig, origin: str | None) -> list[tuple[str, str]]:
    """The response headers of a CORS configuration for a request from ``origin`` (none if not allowed)."""
    if not origin:
        return []
    if "*" in cors.allow_origins:
        allowed = "*"
    elif origin in cors.allow_origins:
        allowed = origin
    else:
        return []
    headers = [("Access-Control-Allow-Origin", allowed)]
    if cors.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.expose_headers:
        headers.append(("Access-Control-Expose-Headers", ",".join(cors.expose_headers)))
    return headers
