"""What API Gateway makes of a Lambda proxy integration's result, and its own error answers.

A proxy response is a JSON object with ``statusCode``, ``headers``, ``multiValueHeaders``,
``body`` and ``isBase64Encoded`` (AWS docs, "Output format of a Lambda function for proxy
integration"), none of them required. API Gateway reads it leniently, as a JSON binder does: a
``statusCode`` of ``"200"`` is 200, a missing one is 200, a number or boolean ``body`` is its
text (``42`` -> ``"42"``). Anything else -- a function error, a non-object, an unknown key, an
object or array as ``body``, a status that is not a number -- makes API Gateway log "Execution
failed due to configuration error: Malformed Lambda proxy response" and answer 502
``{"message": "Internal server error"}``.
A throttled Lambda (its 429) becomes 500 with the same body: API Gateway does not pass
Lambda's status through. Its own 29 s integration timeout is 504 "Endpoint request timed out".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.apigateway.binary import BinaryMediaTypes
from emulator.lambda_runtime.api import InvocationResult
from emulator.template.model import MockIntegration

ALLOWED_KEYS = frozenset(
    {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "base64Encoded"}
)
# API Gateway answers with JSON when the function names no content type.
DEFAULT_CONTENT_TYPE = "application/json"
# Headers API Gateway owns on the client connection: a function's value is passed on renamed
# ``x-amzn-Remapped-<name>`` (and here, the HTTP server sets the real ones).
REMAPPED_HEADERS = frozenset({"connection", "content-length", "date", "server", "transfer-encoding"})


@dataclass
class GatewayResponse:
    """What goes back to the client: status, header pairs (repeatable), body bytes."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    from_gateway: bool = False  # API Gateway's own answer (GatewayResponses apply), not the function's
    gateway_response_type: str | None = None  # e.g. "MISSING_AUTHENTICATION_TOKEN"
    # The bytes the asyncio front wrote for it (status line, headers, body): the dashboard's
    # history keeps them as sent (emulator.dashboard.sealed). None: not written by that front.
    wire: bytes | None = field(default=None, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


def gateway_error(
    status: int, message: str, error_type: str, *, spaced: bool = False, response_type: str | None = None
) -> GatewayResponse:
    """One of API Gateway's own gateway responses: ``{"message": "..."}`` + ``x-amzn-ErrorType``.

    Byte-for-byte as AWS sends them: most are compact (``{"message":"Missing Authentication
    Token"}``) but the integration failures carry a space (``{"message": "Internal server
    error"}``), and clients that compare bodies notice.
    """
    separators = (", ", ": ") if spaced else (",", ":")
    body = json.dumps({"message": message}, separators=separators).encode()
    return GatewayResponse(
        status,
        [("Content-Type", DEFAULT_CONTENT_TYPE), ("x-amzn-ErrorType", error_type)],
        body,
        from_gateway=True,
        gateway_response_type=response_type,
    )


def missing_authentication_token() -> GatewayResponse:
    return gateway_error(
        403,
        "Missing Authentication Token",
        "MissingAuthenticationTokenException",
        response_type="MISSING_AUTHENTICATION_TOKEN",
    )


def forbidden() -> GatewayResponse:
    """A missing API key (ApiKeyRequired)."""
    return gateway_error(403, "Forbidden", "ForbiddenException", response_type="INVALID_API_KEY")


def internal_server_error(status: int = 502) -> GatewayResponse:
    return gateway_error(status, "Internal server error", "InternalServerErrorException", spaced=True)


def endpoint_timed_out() -> GatewayResponse:
    return gateway_error(504, "Endpoint request timed out", "IntegrationTimeout", spaced=True)


def too_many_requests() -> GatewayResponse:
    return gateway_error(429, "Too Many Requests", "TooManyRequestsException")


def request_too_large() -> GatewayResponse:
    # Enforced before API Gateway's (customisable) gateway responses: a plain-text body, the
    # one AWS clients report for an oversized payload.
    body = b"HTTP content length exceeded 10485760 bytes."
    return GatewayResponse(413, [("Content-Type", "text/plain")], body, from_gateway=True)


def mock_response(mock: MockIntegration) -> GatewayResponse:
    """A MOCK integration's answer: its integration response's status, headers and template body."""
    headers = list(mock.headers)
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", DEFAULT_CONTENT_TYPE))
    return GatewayResponse(mock.status, headers, mock.body.encode("utf-8"))


class MalformedProxyResponse(Exception):
    """The function returned something API Gateway cannot turn into an HTTP response."""


def _header_value(name: str, value: Any) -> str:
    # API Gateway stringifies scalar header values; objects and lists are malformed.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise MalformedProxyResponse(f"header {name!r} has a non-scalar value: {value!r}")


def _is_mapping(value: Any) -> bool:
    # dict first: what a JSON decoder returns, found without the ABC check (on every request)
    return isinstance(value, (dict, Mapping))


def parse_proxy_response(payload: Any) -> tuple[int, list[tuple[str, str]], str | None, bool]:
    """Validate a proxy response; return (status, header pairs, body text, isBase64Encoded)."""
    if not _is_mapping(payload):
        raise MalformedProxyResponse(f"the response is a {type(payload).__name__}, not a JSON object")
    unknown = sorted(set(payload) - ALLOWED_KEYS)
    if unknown:
        raise MalformedProxyResponse(f"unknown key(s) {', '.join(unknown)}; allowed: {sorted(ALLOWED_KEYS)}")
    status = _status_code(payload.get("statusCode"))
    body = payload.get("body")
    if body is not None and not isinstance(body, str):
        body = _scalar_text(body)
        if body is None:
            raise MalformedProxyResponse(f"body must be a string, got {type(payload['body']).__name__}")
    # REST APIs also bind "base64Encoded" (a Java bean's name for isBase64Encoded), and it wins;
    # SAM CLI found the same by trying it on AWS.
    is_base64 = payload.get("base64Encoded")
    if is_base64 is None:
        is_base64 = payload.get("isBase64Encoded", False)
    if is_base64 is None:
        is_base64 = False
    if isinstance(is_base64, str) and is_base64.lower() in ("true", "false"):
        is_base64 = is_base64.lower() == "true"
    if not isinstance(is_base64, bool):
        raise MalformedProxyResponse(f"isBase64Encoded must be a boolean, got {is_base64!r}")

    headers = payload.get("headers") or {}
    multi = payload.get("multiValueHeaders") or {}
    if not _is_mapping(headers) or not _is_mapping(multi):
        raise MalformedProxyResponse("headers and multiValueHeaders must be JSON objects")
    # "If you specify values for both headers and multiValueHeaders, API Gateway merges them into
    # a single list. If the same key-value pair is specified in both, only the values from
    # multiValueHeaders will appear in the merged list." (AWS docs, same page): the multi-value
    # list first, then the single value unless the list has it already.
    pairs: list[tuple[str, str]] = []
    multi_values: dict[str, list[str]] = {}
    for name, values in multi.items():
        if values is None:
            continue
        if not isinstance(values, list):
            raise MalformedProxyResponse(f"multiValueHeaders[{name!r}] must be a list")
        texts = [_header_value(name, value) for value in values if value is not None]
        multi_values.setdefault(str(name).lower(), []).extend(texts)
        pairs.extend((str(name), text) for text in texts)
    for name, value in headers.items():
        if value is None:  # a null header is not sent
            continue
        text = _header_value(name, value)
        if text not in multi_values.get(str(name).lower(), ()):
            pairs.append((str(name), text))
    return status, pairs, body, is_base64


def _status_code(value: Any) -> int:
    """``statusCode`` as API Gateway binds it: a number or a numeric string; absent is 200."""
    if value is None:
        return 200
    status: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        status = value
    elif isinstance(value, float) and value.is_integer():
        status = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        status = int(value.strip())
    if status is None or not 100 <= status <= 599:
        raise MalformedProxyResponse(f"statusCode must be an HTTP status, got {value!r}")
    return status


def _scalar_text(value: Any) -> str | None:
    """A number or boolean body as the text API Gateway sends (JSON's spelling); None otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return None


def translate(payload: Any, *, accept: str | None, binary_media_types: BinaryMediaTypes) -> GatewayResponse:
    """A valid proxy response -> the HTTP response (raises MalformedProxyResponse otherwise)."""
    status, pairs, body, is_base64 = parse_proxy_response(payload)
    # AWS decodes to bytes only when the client's Accept names a binary media type; otherwise the
    # base64 text itself is the body.
    return response_of(
        status, pairs, body, decode=is_base64 and binary_media_types.response_is_binary(accept)
    )


def response_of(
    status: int, pairs: list[tuple[str, str]], body: str | None, *, decode: bool
) -> GatewayResponse:
    """The HTTP response: the body (base64-decoded if ``decode``), connection headers remapped,
    ``Content-Type`` defaulted to JSON."""
    if body is None:
        data = b""
    elif decode:
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedProxyResponse(f"isBase64Encoded body is not valid base64: {exc}") from exc
    else:
        data = body.encode("utf-8")
    pairs = [(f"x-amzn-Remapped-{n}" if n.lower() in REMAPPED_HEADERS else n, v) for n, v in pairs]
    if not any(name.lower() == "content-type" for name, _ in pairs):
        pairs.append(("Content-Type", DEFAULT_CONTENT_TYPE))
    return GatewayResponse(status, pairs, data)


def describe_failure(result: InvocationResult) -> str:
    """The log text for a function error, with the function's traceback when there is one."""
    error = result.error
    if error is None:
        return ""
    lines = [f"{error.error_type}: {error.error_message}"]
    lines.extend(line.rstrip("\n") for line in error.stack_trace)
    return "\n".join(lines)


def error_response_for(result: InvocationResult) -> GatewayResponse:
    """The client's answer for a failed invocation: 500 when Lambda refused the invocation (its
    throttle, an event over 6 MB), else 502 ("Handling Lambda errors with an API Gateway API")."""
    assert result.error is not None
    if result.error.kind in ("Throttled", "RequestTooLarge"):
        return internal_server_error(500)
    return internal_server_error(502)
