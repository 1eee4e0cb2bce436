"""API Gateway (REST) Lambda authorizers: TOKEN and REQUEST, as API Gateway runs them.

The order of things follows API Gateway's documented behaviour:

1. Identity sources are checked first. A missing/empty token header (TOKEN), a token that
   fails the ``ValidationExpression``, or any missing/empty identity source (REQUEST) gives
   401 ``{"message":"Unauthorized"}`` and the authorizer function is not invoked.
2. A cached result for the same identity-source values (``ReauthorizeEvery`` seconds; 0 means no
   cache) is reused. The cache keeps the *policy*, which is evaluated again against each request's
   method ARN, so a policy that allows only ``GET /a`` denies ``GET /b`` from the cache too.
3. Otherwise the function is invoked with the authorizer event. If it fails with the message
   exactly ``Unauthorized``: 401. Any other failure, or an output that is not a principal + an
   IAM policy: 500 ``{"message": null}`` (``x-amzn-ErrorType: AuthorizerConfigurationException``).
4. The policy is evaluated against the method ARN: an explicit Deny wins (403 "...with an explicit
   deny"), an Allow lets the request through, no matching statement is an implicit deny (403).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from emulator import log
from emulator.lambda_runtime.api import LambdaRuntime
from emulator.lambda_runtime.traces import InvocationTrace
from emulator.template.model import AuthorizerSpec, FunctionSpec, RestApiSpec

if TYPE_CHECKING:
    from emulator.dashboard.history import AuthorizerTrace

UNAUTHORIZED_BODY: dict[str, Any] = {"message": "Unauthorized"}
EXPLICIT_DENY_BODY: dict[str, Any] = {
    "Message": "User is not authorized to access this resource with an explicit deny"
}
IMPLICIT_DENY_BODY: dict[str, Any] = {"Message": "User is not authorized to access this resource"}
CONFIGURATION_ERROR_BODY: dict[str, Any] = {"message": None}

PolicyDecision = Literal["ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY"]
_LOG = logging.getLogger(log.GATEWAY)


@dataclass(frozen=True)
class AuthorizationOutcome:
    allowed: bool
    status: int | None  # the gateway's answer when not allowed
    body: dict[str, Any] | None
    authorizer_context: dict[str, Any] | None  # requestContext.authorizer when allowed


def _refused(status: int, body: dict[str, Any]) -> AuthorizationOutcome:
    return AuthorizationOutcome(allowed=False, status=status, body=dict(body), authorizer_context=None)


# -- IAM policy evaluation ---------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _wildcard_pattern(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    # IAM wildcards: "*" any run of characters (including "/"), "?" exactly one character.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    return _wildcard_pattern(pattern, case_sensitive).fullmatch(value) is not None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statement_matches(statement: Mapping[str, Any], method_arn: str) -> bool:
    # Action names are case-insensitive in IAM; resource ARNs are case-sensitive.
    actions = [str(a) for a in _as_list(statement.get("Action"))]
    resources = [str(r) for r in _as_list(statement.get("Resource"))]
    action_ok = any(wildcard_match(a, "execute-api:Invoke", case_sensitive=False) for a in actions)
    return action_ok and any(wildcard_match(r, method_arn) for r in resources)


def evaluate_policy(policy_document: Mapping[str, Any], method_arn: str) -> PolicyDecision:
    allowed = False
    for statement in _as_list(policy_document.get("Statement")):
        if not isinstance(statement, dict) or not _statement_matches(statement, method_arn):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return "EXPLICIT_DENY"
        allowed = allowed or effect == "allow"
    return "ALLOW" if allowed else "IMPLICIT_DENY"


# -- authorizer output ---------------------------------------------------------------------------


class MalformedAuthorizerOutput(ValueError):
    """The function's output is not what API Gateway accepts (AuthorizerConfigurationException)."""


@dataclass(frozen=True)
class AuthorizerOutput:
    principal_id: str
    policy_document: Mapping[str, Any]
    context: Mapping[str, str | None]


def _context_text(value: Any) -> str:
    # API Gateway hands context values to the integration as strings ("true", "42").
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_authorizer_output(payload: Any) -> AuthorizerOutput:
    if not isinstance(payload, dict):
        raise MalformedAuthorizerOutput(f"the output is not a JSON object: {payload!r}")
    principal_id = payload.get("principalId")
    if principal_id is None or isinstance(principal_id, dict | list):
        raise MalformedAuthorizerOutput("the output has no principalId")
    policy = payload.get("policyDocument")
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), dict | list):
        raise MalformedAuthorizerOutput("the output has no policyDocument with a Statement")
    context = payload.get("context") or {}
    if not isinstance(context, dict):
        raise MalformedAuthorizerOutput("context must be a JSON object")
    for key, value in context.items():
        # Only strings, numbers and booleans are allowed as context values (no objects/arrays).
        if value is not None and not isinstance(value, str | int | float | bool):
            raise MalformedAuthorizerOutput(f"context value of {key!r} is not a string, number or boolean")
    return AuthorizerOutput(
        principal_id=_context_text(principal_id),
        policy_document=policy,
        # A null value stays null (observed on AWS); the others arrive as strings.
        context={str(k): None if v is None else _context_text(v) for k, v in context.items()},
    )


# -- events and identity sources ------------------------------------------------------------------


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    lowered = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == lowered:
            return None if value is None else str(value)
    return None


def _context_value(request_context: Mapping[str, Any] | None, path: str) -> str | None:
    value: Any = request_context or {}
    for part in path.removeprefix("$").removeprefix("context.").split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return None if value is None or isinstance(value, dict | list) else str(value)


def identity_values(authorizer: AuthorizerSpec, proxy_event: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The identity-source values in order, or None when one is missing/empty (-> 401)."""
    values: list[str | None] = [_header(proxy_event.get("headers"), h) for h in authorizer.identity_headers]
    if authorizer.type == "REQUEST":
        query = proxy_event.get("queryStringParameters") or {}
        stage_variables = proxy_event.get("stageVariables") or {}
        values += [query.get(q) for q in authorizer.identity_query_strings]
        values += [stage_variables.get(s) for s in authorizer.identity_stage_variables]
        values += [_context_value(proxy_event.get("requestContext"), c) for c in authorizer.identity_context]
    if any(v is None or v == "" for v in values):
        return None
    return tuple(str(v) for v in values)


def build_token_event(token: str, method_arn: str) -> dict[str, Any]:
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}


def build_request_event(proxy_event: Mapping[str, Any], method_arn: str) -> dict[str, Any]:
    request_context = dict(proxy_event.get("requestContext") or {})
    request_context.pop("authorizer", None)
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "resource": proxy_event.get("resource"),
        "path": proxy_event.get("path"),
        "httpMethod": proxy_event.get("httpMethod"),
        "headers": proxy_event.get("headers"),
        "multiValueHeaders": proxy_event.get("multiValueHeaders"),
        "queryStringParameters": proxy_event.get("queryStringParameters"),
        "multiValueQueryStringParameters": proxy_event.get("multiValueQueryStringParameters"),
        "pathParameters": proxy_event.get("pathParameters"),
        "stageVariables": proxy_event.get("stageVariables"),
        "requestContext": request_context,
    }


# -- cache -----------------------------------------------------------------------------------------


class AuthorizerCache:
    """Authorizer outputs by (authorizer, identity-source values), each kept for its TTL.

    Each method is one dict operation, atomic under the GIL: no lock, even with gateways on
    several loops."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, tuple[str, ...]], tuple[float, AuthorizerOutput]] = {}

    def get(self, name: str, identity: tuple[str, ...]) -> AuthorizerOutput | None:
        entry = self._entries.get((name, identity))
        if entry is None:
            return None
        expires_at, output = entry
        if self._clock() >= expires_at:
            self._entries.pop((name, identity), None)
            return None
        return output

    def put(self, name: str, identity: tuple[str, ...], output: AuthorizerOutput, ttl_s: float) -> None:
        if ttl_s > 0:
            self._entries[(name, identity)] = (self._clock() + ttl_s, output)


# -- the authorizers of one API ---------------------------------------------------------------------


class LambdaAuthorizers:
    """Runs the Lambda authorizers of one REST API through a LambdaRuntime."""

    def __init__(
        self,
        api: RestApiSpec,
        runtime: LambdaRuntime,
        functions: Mapping[str, FunctionSpec],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._runtime = runtime
        self._functions = functions
        self._cache = AuthorizerCache(clock)

    async def authorize(
        self,
        authorizer_name: str,
        proxy_event: dict,
        method_arn: str,
        *,
        trace: AuthorizerTrace | None = None,
    ) -> AuthorizationOutcome:
        """Authorize one request, awaiting the function's answer if the cache holds none.

        ``trace``: the dashboard's, told what the authorizer got, said and decided (None: not kept).
        """
        authorizer = self._api.authorizers[authorizer_name]
        identity = identity_values(authorizer, proxy_event)
        if identity is None:
            if trace is not None:
                trace.reason = "an identity source is missing or empty: the function is not invoked"
            return _refused(401, UNAUTHORIZED_BODY)
        if authorizer.type == "TOKEN":
            token = identity[0]
            if authorizer.validation_expression and not self._token_is_valid(authorizer, token):
                if trace is not None:
                    trace.reason = (
                        "the token does not match the ValidationExpression: the function is not invoked"
                    )
                return _refused(401, UNAUTHORIZED_BODY)
            event = build_token_event(token, method_arn)
        else:
            event = build_request_event(proxy_event, method_arn)

        # Without identity sources a REQUEST result cannot be keyed, so it is never cached.
        cacheable = bool(identity) and authorizer.reauthorize_every > 0
        output = self._cache.get(authorizer.name, identity) if cacheable else None
        latency_ms = 0
        if trace is not None:
            trace.cached = output is not None
        if output is None:
            started = time.perf_counter()
            result = await self._invoke(authorizer, event, trace)
            latency_ms = round((time.perf_counter() - started) * 1000)
            if isinstance(result, AuthorizationOutcome):
                return result
            output = result
            if cacheable:
                self._cache.put(authorizer.name, identity, output, authorizer.reauthorize_every)

        decision = evaluate_policy(output.policy_document, method_arn)
        if trace is not None:
            trace.policy = output.policy_document
            trace.reason = f"policy evaluated for {method_arn}: {decision}"
        if decision == "EXPLICIT_DENY":
            return _refused(403, EXPLICIT_DENY_BODY)
        if decision == "IMPLICIT_DENY":
            return _refused(403, IMPLICIT_DENY_BODY)
        context: dict[str, Any] = {"principalId": output.principal_id, **output.context}
        context["integrationLatency"] = latency_ms
        return AuthorizationOutcome(allowed=True, status=None, body=None, authorizer_context=context)

    def _token_is_valid(self, authorizer: AuthorizerSpec, token: str) -> bool:
        try:
            return re.fullmatch(authorizer.validation_expression or "", token) is not None
        except re.error as exc:
            _LOG.warning("Authorizer %s: invalid ValidationExpression: %s", authorizer.name, exc)
            return False

    async def _invoke(
        self, authorizer: AuthorizerSpec, event: dict[str, Any], trace: AuthorizerTrace | None = None
    ) -> AuthorizerOutput | AuthorizationOutcome:
        function = self._functions.get(authorizer.function_id)
        if function is None:
            _LOG.warning("Authorizer %s: function %s does not exist", authorizer.name, authorizer.function_id)
            return _refused(500, CONFIGURATION_ERROR_BODY)
        invocation = None
        if trace is not None:  # the dashboard's: the event sent, the raw output, the log lines
            invocation = trace.invocation = InvocationTrace()
        result = (await self._runtime.call_async(function.function_name, event, trace=invocation)).result()
        if result.error is not None:
            # Lambda authorizers signal "no/invalid credentials" by failing with exactly this message.
            if result.error.error_message == "Unauthorized":
                return _refused(401, UNAUTHORIZED_BODY)
            _LOG.warning(
                "Authorizer %s: Execution failed due to configuration error: %s: %s",
                authorizer.name,
                result.error.error_type,
                result.error.error_message,
            )
            if trace is not None:
                trace.reason = f"the function failed: {result.error.error_type}"
            return _refused(500, CONFIGURATION_ERROR_BODY)
        try:
            return parse_authorizer_output(result.payload)
        except MalformedAuthorizerOutput as exc:
            _LOG.warning(
                "Authorizer %s: Execution failed due to configuration error: %s", authorizer.name, exc
            )
            if trace is not None:
                trace.reason = f"malformed authorizer output: {exc}"
            return _refused(500, CONFIGURATION_ERROR_BODY)
