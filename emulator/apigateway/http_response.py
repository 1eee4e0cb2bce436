"""What an HTTP API makes of a function's answer, and its own error answers.

Payload format 2.0 (AWS docs, "Working with AWS Lambda proxy integrations for HTTP APIs",
"Lambda function response format"): an object with ``statusCode`` is read as ``statusCode``,
``headers``, ``cookies`` (each one a ``Set-Cookie``), ``body`` and ``isBase64Encoded``, other keys
ignored; anything else -- an object without ``statusCode``, a string, a number, a list -- is
*inferred*: 200, ``content-type: application/json``, the function's JSON answer as the body. A
base64 body is decoded whenever ``isBase64Encoded`` is true (no binary media types on HTTP APIs).
Payload 1.0 answers follow the REST rules, with HTTP API's own error answers.

HTTP API's error answers differ from REST's: ``{"message":"Not Found"}`` 404 for no route,
``{"message":"Internal Server Error"}`` 500 for a failed or malformed integration,
``{"message":"Service Unavailable"}`` 503 when the integration times out.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.apigateway.proxy_response import (
    DEFAULT_CONTENT_TYPE,
    GatewayResponse,
    MalformedProxyResponse,
    parse_proxy_response,
    response_of,
)


def http_error(status: int, message: str) -> GatewayResponse:
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return GatewayResponse(status, [("Content-Type", DEFAULT_CONTENT_TYPE)], body, from_gateway=True)


def not_found() -> GatewayResponse:
    return http_error(404, "Not Found")


def internal_server_error() -> GatewayResponse:
    return http_error(500, "Internal Server Error")


def service_unavailable() -> GatewayResponse:
    return http_error(503, "Service Unavailable")


def unauthorized() -> GatewayResponse:
    return http_error(401, "Unauthorized")


def forbidden() -> GatewayResponse:
    return http_error(403, "Forbidden")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def translate_v2(payload: Any) -> GatewayResponse:
    """A 2.0 answer -> the HTTP response (raises MalformedProxyResponse on a bad status or body)."""
    if not isinstance(payload, dict) or "statusCode" not in payload:
        # The function's JSON answer as it is (as Python's Lambda runtime serialises it).
        body = json.dumps(payload, ensure_ascii=False)
        return GatewayResponse(200, [("Content-Type", DEFAULT_CONTENT_TYPE)], body.encode("utf-8"))
    known = {
        key: payload[key] for key in ("statusCode", "headers", "body", "isBase64Encoded") if key in payload
    }
    status, pairs, body, is_base64 = parse_proxy_response(known)
    cookies = payload.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedProxyResponse("cookies must be a list")
    pairs.extend(("Set-Cookie", _text(cookie)) for cookie in cookies)
    # HTTP APIs have no binary media types: a base64 body is always decoded.
    return response_of(status, pairs, body, decode=is_base64)
