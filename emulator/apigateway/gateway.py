"""The gateway: API Gateway's request pipeline for every REST API.

Per request, in API Gateway's order: payload limit (413) -> resource + method selection (403
Missing Authentication Token) -> stage throttling (429) -> CORS preflight MOCK (no function
call) -> Lambda authorizer (401/403, else ``requestContext.authorizer``) -> the Lambda proxy
integration (event, invoke, wait at most 29 s) -> the proxy response checked and translated.

The hot path is plain asyncio on the server's loop (no web framework, no thread hand-off): the
gateway must add as little as possible to the Lambda round trip. Emulator-owned paths
(``/_emulator/...``) go to a separate small WSGI app (health, the local identity provider).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from emulator import ids, log
from emulator.apigateway.authorizers import LambdaAuthorizers
from emulator.apigateway.availability import WAIT_S, Availability, service_unavailable
from emulator.apigateway.binary import BinaryMediaTypes
from emulator.apigateway.cors import CorsPreflight
from emulator.apigateway.events import ProxyEventBuilder
from emulator.apigateway.gateway_responses import GatewayResponses
from emulator.apigateway.http_api import HttpApis
from emulator.apigateway.http_response import not_found as http_not_found
from emulator.apigateway.proxy_response import (
    GatewayResponse,
    MalformedProxyResponse,
    describe_failure,
    endpoint_timed_out,
    error_response_for,
    forbidden,
    internal_server_error,
    missing_authentication_token,
    mock_response,
    request_too_large,
    too_many_requests,
    translate,
)
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.route_hints import RouteHints
from emulator.apigateway.routing import ResourceTree, RouteMatch, Router, StagedApi
from emulator.apigateway.throttling import StageThrottle
from emulator.apigateway.wsgi_bridge import WsgiApp, call_wsgi
from emulator.clock import EmulatorClock
from emulator.dashboard.history import AuthorizerTrace, RequestHistory, RequestRecord, note_failure
from emulator.lambda_runtime.api import InvocationResult, LambdaRuntime
from emulator.template.model import RestApiSpec, SamApp

# API Gateway's default integration timeout for REST APIs (the most it allows unless raised by
# a quota increase, "Amazon API Gateway quotas").
INTEGRATION_TIMEOUT_S = 29.0
EMULATOR_PREFIX = "/_emulator/"
AUTHORIZER_RESPONSE_TYPES = {401: "UNAUTHORIZED", 403: "ACCESS_DENIED", 500: "AUTHORIZER_CONFIGURATION_ERROR"}

_LOG = logging.getLogger(log.GATEWAY)
_ACCESS = logging.getLogger(log.ACCESS)


class ApiStage:
    """One REST API's deployed stage: its event builder, binary types, CORS, throttle, authorizers."""

    def __init__(
        self, spec: RestApiSpec, app: SamApp, tree: ResourceTree, runtime: LambdaRuntime, clock: EmulatorClock
    ) -> None:
        self.spec = spec
        self.binary_media_types = BinaryMediaTypes(spec.binary_media_types)
        self.events = ProxyEventBuilder(
            api_logical_id=spec.logical_id,
            stage=spec.stage_name,
            account_id=app.account_id,
            region=app.region,
            stage_variables=spec.stage_variables,
            binary_media_types=self.binary_media_types,
        )
        self.cors = CorsPreflight(spec.cors, tree.methods_by_path()) if spec.cors else None
        self.throttle = StageThrottle(spec.throttling)
        self.gateway_responses = GatewayResponses(spec.gateway_responses, api=spec.logical_id)
        self.authorizers: LambdaAuthorizers | None = None
        # SAM puts the DefaultAuthorizer on its CORS OPTIONS method too, unless
        # AddDefaultAuthorizerToCorsPreflight is false: then a browser's preflight (which never
        # carries credentials) gets 401, on AWS as here.
        self.preflight_authorizer: str | None = None
        default = spec.default_authorizer
        if spec.cors and default in spec.authorizers and spec.add_default_authorizer_to_cors_preflight:
            self.preflight_authorizer = spec.default_authorizer
        if spec.authorizers:
            self.authorizers = LambdaAuthorizers(spec, runtime, app.functions, clock=clock.monotonic)


class ApiGateway:
    """Every REST API of a SAM app: ``await gateway.handle(request)`` answers one client request.

    The pipeline reads top to bottom (:meth:`_pipeline`, then :meth:`_routed`), like Chalice's
    ``LocalGateway.handle_request`` made async: the Lambda authorizer and the integration are
    each one ``await`` of ``runtime.call_async``. It runs on the caller's event loop -- the
    server's, or a blocking front's private one -- and never leaves that loop's thread: a warm
    worker's answer is awaited on its pipe. Only the emulator's WSGI pages (``/_emulator/...``)
    run on a small thread pool.
    """

    def __init__(
        self,
        app: SamApp,
        runtime: LambdaRuntime,
        *,
        emulator_app: WsgiApp | None = None,
        integration_timeout_s: float | None = None,
        blocking_threads: int = 8,
        availability: Availability | None = None,
        clock: EmulatorClock | None = None,
        history: RequestHistory | None = None,
    ) -> None:
        """``clock``: the emulator clock, by which the authorizer caches age and JWTs expire (default:
        real time)."""
        clock = clock or EmulatorClock()
        self.app = app
        self.history = history  # the dashboard's request records (None: --no-dashboard)
        self.availability = availability  # serve's AWS endpoint, which may be restarting
        self.runtime = runtime
        self.emulator_app = emulator_app
        self.integration_timeout_s = integration_timeout_s or INTEGRATION_TIMEOUT_S
        self._blocking = ThreadPoolExecutor(blocking_threads, thread_name_prefix="gateway-blocking")
        self.stages: dict[str, ApiStage] = {}
        staged: list[StagedApi] = []
        for api_id, spec in app.apis.items():
            routes = [route for route in app.routes if route.api_id == api_id]
            tree = ResourceTree(api_id, routes, cors=spec.cors is not None)
            self.stages[api_id] = ApiStage(spec, app, tree, runtime, clock)
            staged.append(StagedApi(api_id, spec.stage_name, tree))
        self.router = Router(staged)
        self.route_hints = RouteHints(
            [api.tree.methods_by_path() for api in staged], [api.stage for api in staged]
        )
        self.http_apis = HttpApis(app, runtime, self.integration_timeout_s, clock)

    # -- the server's entry points ------------------------------------------------------------
    async def handle(
        self, request: GatewayRequest, *, loop: asyncio.AbstractEventLoop | None = None
    ) -> GatewayResponse:
        """Answer one client request (never raises: an emulator bug is a logged 500).

        ``loop``: the event loop this runs on, when the caller holds it (the server's
        connections do). Otherwise asyncio is asked for it, which is a getpid() system call
        each time: its check for a forked process."""
        started = time.perf_counter()
        if request.path.startswith(EMULATOR_PREFIX):
            return await self._emulator(request)
        request_id = ids.request_id()
        # The dashboard's (None: --no-dashboard), handed down the pipeline: each step that has
        # something to show notes it there.
        record = None if self.history is None else RequestRecord(request_id, request)
        try:
            if self.availability is not None and not await self.availability.wait_until_up(WAIT_S):
                response = service_unavailable()
            else:
                response = await self._pipeline(request, request_id, record)
        except Exception:
            # A bug in the emulator itself: say so loudly and answer as API Gateway does for
            # an internal failure.
            _LOG.exception("emulator error while handling the request:")
            response = internal_server_error(500)
        response.headers.append(("x-amzn-RequestId", request_id))
        elapsed_ms = (time.perf_counter() - started) * 1000
        line = _access_line(request, response.status, elapsed_ms)
        # The record is kept and the access line written once the answer is on its way: the
        # loop runs them before it reads the next request, so a client's next request overlaps
        # them. One callback for both.
        if record is not None or line is not None:
            (loop or asyncio.get_running_loop()).call_soon(self._answered, record, response, elapsed_ms, line)
        return response

    def _answered(
        self, record: RequestRecord | None, response: GatewayResponse, elapsed_ms: float, line: str | None
    ) -> None:
        if record is not None:
            self.history.add(record, response, elapsed_ms)  # type: ignore[union-attr]  # recorded: a history
        if line is not None:
            log.emit(_ACCESS, line)

    def payload_too_large(self, request: GatewayRequest) -> GatewayResponse:
        """API Gateway's 413 for a body over 10 MB (the server refuses it before reading it)."""
        response = self._unrouted(request_too_large(), request.path)
        response.headers.append(("x-amzn-RequestId", ids.request_id()))
        line = _access_line(request, response.status, 0.0)
        if line is not None:
            asyncio.get_running_loop().call_soon(log.emit, _ACCESS, line)
        return response

    def close(self) -> None:
        self._blocking.shutdown(wait=False, cancel_futures=True)

    async def _emulator(self, request: GatewayRequest) -> GatewayResponse:
        if request.path == "/_emulator/health":
            status, body = self.availability.health() if self.availability else (200, {"status": "ok"})
            return GatewayResponse(status, [("Content-Type", "application/json")], json.dumps(body).encode())
        if self.emulator_app is None:
            return GatewayResponse(404, [("Content-Type", "application/json")], b'{"message": "Not Found"}')
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._blocking, call_wsgi, self.emulator_app, request)

    # -- the pipeline -------------------------------------------------------------------------
    async def _pipeline(
        self, request: GatewayRequest, request_id: str, record: RequestRecord | None
    ) -> GatewayResponse:
        http_apis = self.http_apis
        if http_apis and http_apis.addresses_a_stage(request.path):  # an HTTP API's named stage first
            preflight = http_apis.preflight(request)
            if preflight is not None:
                return preflight
            staged = http_apis.route(request.method, request.path, prefixed_only=True)
            if staged is None:
                return http_not_found()
            return await http_apis.respond(request, request_id, staged, record)
        match = self.router.route(request.method, request.path)
        if match is None and http_apis:
            preflight = http_apis.preflight(request)
            if preflight is not None:
                return preflight
            http_match = http_apis.route(request.method, request.path, prefixed_only=False)
            if http_match is not None:
                return await http_apis.respond(request, request_id, http_match, record)
            if not self._addresses_a_rest_stage(request.path):
                return http_not_found()
        if match is None:
            _LOG.info("%s", self.route_hints.line(request.method, request.path))
            return self._unrouted(missing_authentication_token(), request.path)
        stage = self.stages[match.api_id]
        response = await self._routed(request, request_id, match, stage, record)
        # The API's GatewayResponses apply to the gateway's own answers, not to the function's.
        return stage.gateway_responses.apply(response) if response.from_gateway else response

    def _addresses_a_rest_stage(self, path: str) -> bool:
        first = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        return any(stage.spec.stage_name == first for stage in self.stages.values())

    def _unrouted(self, response: GatewayResponse, path: str) -> GatewayResponse:
        """A gateway answer before any route matched: the addressed API's GatewayResponses apply."""
        first = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        candidates = [s for s in self.stages.values() if s.gateway_responses]
        addressed = [s for s in candidates if s.spec.stage_name == first] or candidates[:1]
        return addressed[0].gateway_responses.apply(response) if addressed else response

    async def _routed(
        self,
        request: GatewayRequest,
        request_id: str,
        match: RouteMatch,
        stage: ApiStage,
        record: RequestRecord | None,
    ) -> GatewayResponse:
        route = match.method.route
        if stage.throttle and not stage.throttle.allow(match.resource_path, request.method):
            return too_many_requests()

        event = stage.events.build(request, match, request_id=request_id)
        if record is not None:
            record.route = match.method.resource_path
        if route is None:  # SAM's CORS MOCK: answered here, the function is never invoked
            assert stage.cors is not None
            if stage.preflight_authorizer:
                name = stage.preflight_authorizer
                denied = await self._authorize(stage, name, event, match, request, record)
                if denied is not None:
                    return denied
            return stage.cors.respond(match.resource_path)

        if route.api_key_required and not request.header("X-Api-Key"):
            # Usage plans are not emulated: any key is accepted, a missing one is refused.
            return forbidden()
        if route.authorizer:
            denied = await self._authorize(stage, route.authorizer, event, match, request, record)
            if denied is not None:
                return denied
        if route.mock is not None:  # a MOCK integration: API Gateway answers it itself
            return mock_response(route.mock)
        if route.failure is not None:
            # A deployment would have refused it; here the other routes run and this one is a 502.
            reason = f"{route.method} {route.path}: {route.failure}"
            _LOG.error("Execution failed due to configuration error (%s)", reason)
            note_failure(record, f"Execution failed due to configuration error ({reason})")
            return internal_server_error(502)

        function = self.app.functions[route.function_id]
        if function.unavailable is not None:
            _LOG.error(
                "Execution failed: function %s cannot run here: %s", function.logical_id, function.unavailable
            )
            note_failure(record, f"function {function.logical_id} cannot run here: {function.unavailable}")
            return internal_server_error(502)
        function_name = function.function_name
        trace = None
        if record is not None:  # the dashboard's: the event sent, the raw result, the log lines
            record.function = function_name
            trace = record.invoked(event_has_headers=True)
        future = await self.runtime.call_async(
            function_name, event, wait_s=self.integration_timeout_s, trace=trace
        )
        response = self._translate(function_name, future, request, stage, record)
        response.headers.append(("x-amz-apigw-id", event["requestContext"]["extendedRequestId"]))
        return response

    async def _authorize(
        self,
        stage: ApiStage,
        name: str,
        event: dict[str, Any],
        match: RouteMatch,
        request: GatewayRequest,
        record: RequestRecord | None,
    ) -> GatewayResponse | None:
        """None when the request may go on (``requestContext.authorizer`` then set), else the refusal."""
        if stage.authorizers is None:
            _LOG.error("authorizer %r is not defined on API %s", name, stage.spec.logical_id)
            return internal_server_error(500)
        arn = stage.events.method_arn(match, request)
        trace = None
        if record is not None:  # the dashboard's: what the authorizer got, said and decided
            trace = record.authorizer = AuthorizerTrace(name)
        outcome = await stage.authorizers.authorize(name, event, arn, trace=trace)
        if trace is not None:
            trace.allowed, trace.status, trace.context = (
                outcome.allowed,
                outcome.status,
                outcome.authorizer_context,
            )
        if not outcome.allowed:
            status = outcome.status or 401
            body = outcome.body if outcome.body is not None else {"message": "Unauthorized"}
            return GatewayResponse(
                status,
                [("Content-Type", "application/json")],
                json.dumps(body, separators=(",", ":")).encode(),
                from_gateway=True,
                gateway_response_type=AUTHORIZER_RESPONSE_TYPES.get(status),
            )
        if outcome.authorizer_context is not None:
            event["requestContext"]["authorizer"] = dict(outcome.authorizer_context)
        return None

    def _translate(
        self,
        function_name: str,
        future: Future[InvocationResult],
        request: GatewayRequest,
        stage: ApiStage,
        record: RequestRecord | None,
    ) -> GatewayResponse:
        """The integration's answer: the future is done unless the integration timeout passed."""
        try:
            result = future.result(timeout=0)
        except FutureTimeout:
            # API Gateway stops waiting; the function runs on to its own Timeout.
            _LOG.warning(
                "Execution failed due to a timeout error (%s, %.0f s integration timeout): "
                "Endpoint request timed out",
                function_name,
                self.integration_timeout_s,
            )
            note_failure(
                record, f"Endpoint request timed out ({self.integration_timeout_s:.0f} s integration timeout)"
            )
            return endpoint_timed_out()
        except Exception:
            _LOG.exception("Execution failed invoking %s:", function_name)
            note_failure(record, f"Execution failed invoking {function_name} (emulator error, see the log)")
            return internal_server_error(502)
        if result.error is not None and result.error.kind == "RequestTooLarge":
            _LOG.warning(
                "Execution failed: Lambda refused to invoke %s (%s): %s",
                function_name,
                result.error.error_type,
                result.error.error_message,
            )
            note_failure(record, f"Lambda refused to invoke {function_name}: {result.error.error_type}")
            return error_response_for(result)
        if result.error is not None:
            _LOG.warning(
                "Lambda execution failed with status 200 due to customer function error (%s, %s):\n%s",
                function_name,
                result.error.kind,
                describe_failure(result),
            )
            note_failure(record, f"Lambda function error ({result.error.kind}): {result.error.error_type}")
            return error_response_for(result)
        try:
            return translate(
                result.payload,
                accept=request.header("Accept"),
                binary_media_types=stage.binary_media_types,
            )
        except MalformedProxyResponse as exc:
            _LOG.warning(
                "Execution failed due to configuration error: Malformed Lambda proxy response (%s): %s\n"
                "response shape: %s",
                function_name,
                exc,
                _payload_shape(result.payload),
            )
            note_failure(record, f"Malformed Lambda proxy response: {exc}")
            return internal_server_error(502)


def _payload_shape(payload: Any) -> str:
    """The malformed response's keys and value types, never its values: a body or header may
    carry tokens, and the log must not (the reason above already names the offending value)."""
    if isinstance(payload, dict):
        return "{" + ", ".join(f"{key!r}: {type(value).__name__}" for key, value in payload.items()) + "}"
    return type(payload).__name__


def _access_line(request: GatewayRequest, status: int, elapsed_ms: float) -> str | None:
    """The access log's line for an answered request (None: the access log is off, ``--quiet``)."""
    if not _ACCESS.isEnabledFor(logging.INFO):
        return None
    return (
        f'{request.source_ip} "{request.method} {request.path} {request.protocol}" {status} '
        f"{elapsed_ms:.1f}ms"
    )
