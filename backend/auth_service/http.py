"""API Gateway REST proxy events in, proxy responses out (payload format 1.0).

API Gateway's ``Cors`` setting only answers preflight ``OPTIONS`` requests; with a Lambda
proxy integration the function itself must add ``Access-Control-Allow-Origin`` to real
responses (AWS docs, "Enabling CORS for a REST API resource"), so that happens here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping
from typing import Any

from auth_service.errors import ApiError, invalid_json, unsupported_media_type, validation_error

MAX_BODY_BYTES = 16 * 1024
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# Token responses must not be cached (RFC 6749 §5.1); no response of this API should be.
_BASE_HEADERS = {
    "Content-Type": JSON_CONTENT_TYPE,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def header(event: Mapping[str, Any], name: str) -> str | None:
    """A request header, case-insensitively (REST APIs pass header names as the client sent them)."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted and value is not None:
            return str(value)
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == wanted and values:
            return str(values[0])
    return None


def source_ip(event: Mapping[str, Any]) -> str:
    identity = (event.get("requestContext") or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def authorizer_context(event: Mapping[str, Any]) -> Mapping[str, Any]:
    return (event.get("requestContext") or {}).get("authorizer") or {}


def _is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _raw_body(event: Mapping[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(str(body), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise invalid_json() from exc
    return str(body).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_body(event: Mapping[str, Any], *, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object; ``{}`` for an absent body when ``optional``."""
    raw = _raw_body(event)
    if not raw.strip():
        if optional:
            return {}
        raise validation_error("body", "a JSON object is required")
    content_type = header(event, "Content-Type")
    if content_type is None or not _is_json_media_type(content_type):
        raise unsupported_media_type()
    if len(raw) > MAX_BODY_BYTES:
        raise validation_error("body", f"must be at most {MAX_BODY_BYTES} bytes")
    try:
        parsed = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid_json() from exc
    except RecursionError as exc:
        # A few thousand nested brackets (well within the body limit) exhaust the recursion of
        # Python's JSON decoder: still malformed input, never a 500.
        raise invalid_json() from exc
    if not isinstance(parsed, dict):
        raise validation_error("body", "must be a JSON object")
    return parsed


def cors_headers(request_origin: str | None, allowed_origins: Collection[str]) -> dict[str, str]:
    if "*" in allowed_origins:
        return {"Access-Control-Allow-Origin": "*"}
    if request_origin and request_origin in allowed_origins:
        return {"Access-Control-Allow-Origin": request_origin, "Vary": "Origin"}
    return {"Vary": "Origin"} if allowed_origins else {}


def json_response(status: int, body: Any, *, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**_BASE_HEADERS, **(headers or {})},
        "body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        "isBase64Encoded": False,
    }


def empty_response(status: int = 204, *, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    merged = {
        key: value for key, value in {**_BASE_HEADERS, **(headers or {})}.items() if key != "Content-Type"
    }
    return {"statusCode": status, "headers": merged, "body": "", "isBase64Encoded": False}


def error_response(error: ApiError, *, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    return json_response(error.status, error.body(), headers={**error.headers, **(headers or {})})
