"""HTTP API authorizers: JWT (verified against the issuer's JWKS) and Lambda (payload 1.0 / 2.0).

JWT, as API Gateway documents it ("Controlling access to HTTP APIs with JWT authorizers"): the
token is the first identity source (``$request.header.Authorization``, a ``Bearer `` prefix
allowed); its signing key is found through the issuer's
``{issuer}/.well-known/openid-configuration`` -> ``jwks_uri`` (the key with the token's ``kid``);
the signature, ``exp``, ``nbf`` and ``iat`` are checked, ``iss`` must equal the issuer, ``aud`` --
or ``client_id`` -- must be one of the audiences, and a route with scopes needs one of them in the
token's ``scope`` (or ``scp``). A missing or invalid token: 401 ``{"message":"Unauthorized"}``;
missing scopes: 403 ``{"message":"Forbidden"}``. The claims reach the function as
``requestContext.authorizer.jwt`` (2.0) or ``requestContext.authorizer`` (1.0).

Lambda ("Working with AWS Lambda authorizers for HTTP APIs"): a missing identity source is 401
without calling the function; the function gets the 2.0 or 1.0 authorizer event; a simple response
(``{"isAuthorized": bool, "context": {...}}``) or an IAM policy evaluated against the route ARN
decides; ``false`` or a deny is 403 ``{"message":"Forbidden"}``; a failure is 500. Results are
cached per identity-source values for ``ReauthorizeEvery`` seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator import log
from emulator.apigateway.authorizers import (
    AuthorizerCache,
    MalformedAuthorizerOutput,
    evaluate_policy,
    parse_authorizer_output,
)
from emulator.dashboard.history import AuthorizerTrace
from emulator.lambda_runtime.api import LambdaRuntime
from emulator.lambda_runtime.traces import InvocationTrace
from emulator.template.model import FunctionSpec, HttpAuthorizerSpec, Route

_LOG = logging.getLogger(log.GATEWAY)
JWKS_CACHE_S = 3600.0
_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512")


@dataclass(frozen=True)
class HttpAuthorization:
    status: int | None  # None: allowed; else 401/403/500
    context: dict[str, Any] | None = None  # requestContext.authorizer
    reason: str = ""


def identity_value(source: str, event: Mapping[str, Any]) -> str | None:
    """One ``$request.header.X`` / ``$request.querystring.x`` / ``$context.x`` / ``$stageVariables.x``
    of a 2.0 event (header names are lower case there)."""
    if source.startswith("$request.header."):
        return (event.get("headers") or {}).get(source.removeprefix("$request.header.").lower())
    if source.startswith("$request.querystring."):
        return (event.get("queryStringParameters") or {}).get(source.removeprefix("$request.querystring."))
    if source.startswith("$stageVariables."):
        return (event.get("stageVariables") or {}).get(source.removeprefix("$stageVariables."))
    if source.startswith("$context."):
        value: Any = event.get("requestContext") or {}
        for part in source.removeprefix("$context.").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None or isinstance(value, dict | list) else str(value)
    return None


class JwksKeys:
    """The issuers' signing keys, fetched through OpenID discovery and kept for an hour."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[float, dict[str, Any]]] = {}

    def _fetch(self, issuer: str) -> dict[str, Any]:
        import jwt

        with urllib.request.urlopen(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=5) as r:  # noqa: S310
            jwks_uri = json.loads(r.read())["jwks_uri"]
        with urllib.request.urlopen(jwks_uri, timeout=5) as r:  # noqa: S310
            jwks = json.loads(r.read())
        return {str(k.get("kid")): jwt.PyJWK(k).key for k in jwks.get("keys", []) if isinstance(k, dict)}

    async def key(self, issuer: str, kid: str) -> Any:
        cached = self._keys.get(issuer)
        if cached is None or time.monotonic() - cached[0] > JWKS_CACHE_S or kid not in cached[1]:
            keys = await asyncio.get_running_loop().run_in_executor(None, self._fetch, issuer)
            self._keys[issuer] = (time.monotonic(), keys)
            cached = self._keys[issuer]
        return cached[1].get(kid)


def _token(authorizer: HttpAuthorizerSpec, event: Mapping[str, Any]) -> str | None:
    value = identity_value(authorizer.identity_sources[0], event) if authorizer.identity_sources else None
    if not value:
        return None
    return value[7:].strip() if value[:7].lower() == "bearer " else value.strip()


def _scopes(claims: Mapping[str, Any]) -> list[str]:
    raw = claims.get("scope", claims.get("scp", ""))
    return [str(s) for s in raw] if isinstance(raw, list) else str(raw).split()


def _time_claims_problem(claims: Mapping[str, Any], now: float) -> str | None:
    """``exp``, ``nbf`` and ``iat`` against ``now`` (the emulator clock), as PyJWT checks them
    against real time: numbers of seconds; expired at ``exp``; not before ``nbf`` or ``iat``."""
    for claim in ("exp", "nbf", "iat"):
        value = claims.get(claim)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"the {claim} claim must be a number"
    if claims["exp"] <= now:
        return "Signature has expired"
    for claim in ("nbf", "iat"):
        if claims.get(claim) is not None and claims[claim] > now:
            return f"The token is not yet valid ({claim})"
    return None


async def verify_jwt(
    authorizer: HttpAuthorizerSpec,
    route: Route,
    event: Mapping[str, Any],
    keys: JwksKeys,
    *,
    now: float | None = None,
) -> HttpAuthorization:
    """``now``: the time the token's ``exp``, ``nbf`` and ``iat`` are checked at (default: real time)."""
    import jwt

    token = _token(authorizer, event)
    if token is None:
        return HttpAuthorization(401, reason="no token")
    try:
        header = jwt.get_unverified_header(token)
        algorithm = str(header.get("alg"))
        if algorithm not in _ALGORITHMS:
            return HttpAuthorization(401, reason=f"signing algorithm {algorithm} is not accepted")
        key = await keys.key(authorizer.issuer, str(header.get("kid")))
        if key is None:
            return HttpAuthorization(401, reason="no key of the issuer's JWKS signed this token")
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=authorizer.issuer,
            # The time claims are checked below, at ``now``: PyJWT only knows real time.
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "require": ["exp", "iss"],
            },
        )
    except (OSError, ValueError, KeyError) as exc:
        return HttpAuthorization(401, reason=f"the issuer's keys cannot be fetched: {exc}")
    except jwt.PyJWTError as exc:
        return HttpAuthorization(401, reason=f"invalid token: {exc}")
    problem = _time_claims_problem(claims, time.time() if now is None else now)
    if problem is not None:
        return HttpAuthorization(401, reason=f"invalid token: {problem}")
    audiences = claims.get("aud", [])
    audiences = [audiences] if isinstance(audiences, str) else list(audiences)
    if claims.get("client_id") is not None:
        audiences.append(claims["client_id"])
    if authorizer.audiences and not set(map(str, audiences)) & set(authorizer.audiences):
        return HttpAuthorization(401, reason="the token's audience is not one of the authorizer's")
    scopes = _scopes(claims)
    if route.authorization_scopes and not set(route.authorization_scopes) & set(scopes):
        return HttpAuthorization(403, reason="the token has none of the route's scopes")
    claims_text = {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()}
    if route.payload_format == "1.0":
        return HttpAuthorization(None, {"claims": claims_text, "scopes": scopes or None})
    return HttpAuthorization(None, {"jwt": {"claims": claims_text, "scopes": scopes or None}})


class LambdaHttpAuthorizers:
    """The Lambda authorizers of one HTTP API."""

    def __init__(
        self,
        runtime: LambdaRuntime,
        functions: Mapping[str, FunctionSpec],
        *,
        cache_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._runtime = runtime
        self._functions = functions
        self._cache = AuthorizerCache(cache_clock)

    async def authorize(
        self,
        authorizer: HttpAuthorizerSpec,
        route: Route,
        event_v2: dict[str, Any],
        route_arn: str,
        event_v1: dict[str, Any] | None,
        *,
        trace: AuthorizerTrace | None = None,
    ) -> HttpAuthorization:
        """``trace``: the dashboard's record of it (the event, the function's output and log, the policy)."""
        values = [identity_value(source, event_v2) for source in authorizer.identity_sources]
        if any(not value for value in values):
            return HttpAuthorization(401, reason="an identity source is missing: the function is not invoked")
        identity = tuple(str(value) for value in values)
        cached = self._cache.get(authorizer.name, identity) if authorizer.ttl_s > 0 else None
        output = cached
        if trace is not None:
            trace.cached = cached is not None
        if output is None:
            payload = self._event(authorizer, event_v2, event_v1, route_arn, list(identity))
            function = self._functions[authorizer.function_id]
            invocation = None
            if trace is not None:
                invocation = trace.invocation = InvocationTrace()
            answer = await self._runtime.call_async(function.function_name, payload, trace=invocation)
            result = answer.result()
            if result.error is not None:
                status = 401 if result.error.error_message == "Unauthorized" else 500
                return HttpAuthorization(
                    status, reason=f"{result.error.error_type}: {result.error.error_message}"
                )
            output = result.payload
            if authorizer.ttl_s > 0:
                self._cache.put(authorizer.name, identity, output, authorizer.ttl_s)
        if trace is not None and isinstance(output, dict):
            trace.policy = output.get("policyDocument")  # an IAM policy answer's (none: a simple response)
        return self._decide(authorizer, route, output, route_arn)

    @staticmethod
    def _event(
        authorizer: HttpAuthorizerSpec,
        event_v2: dict[str, Any],
        event_v1: dict[str, Any] | None,
        route_arn: str,
        identity: list[str],
    ) -> dict[str, Any]:
        if authorizer.payload_format == "1.0" and event_v1 is not None:
            from emulator.apigateway.authorizers import build_request_event

            event = build_request_event(event_v1, route_arn)
            return {"version": "1.0", **event, "identitySource": ",".join(identity)}
        skipped = ("body", "isBase64Encoded")
        rest = {key: value for key, value in event_v2.items() if key not in skipped and key != "version"}
        return {
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": route_arn,
            "identitySource": identity,
            **rest,
        }

    @staticmethod
    def _decide(
        authorizer: HttpAuthorizerSpec, route: Route, output: Any, route_arn: str
    ) -> HttpAuthorization:
        if authorizer.simple_responses and authorizer.payload_format == "2.0":
            if not isinstance(output, dict) or not isinstance(output.get("isAuthorized"), bool):
                return HttpAuthorization(500, reason="a simple response needs a boolean isAuthorized")
            if not output["isAuthorized"]:
                return HttpAuthorization(403, reason="isAuthorized is false")
            context = output.get("context") or {}
        else:
            try:
                parsed = parse_authorizer_output(output)
            except MalformedAuthorizerOutput as exc:
                return HttpAuthorization(500, reason=str(exc))
            if evaluate_policy(parsed.policy_document, route_arn) != "ALLOW":
                return HttpAuthorization(403, reason="the policy does not allow the route")
            context = {"principalId": parsed.principal_id, **parsed.context}
        if route.payload_format == "1.0":
            return HttpAuthorization(None, dict(context))
        return HttpAuthorization(None, {"lambda": dict(context)})
