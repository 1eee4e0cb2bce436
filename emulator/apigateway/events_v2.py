"""The HTTP API Lambda event, payload format 2.0, key for key.

Shape (AWS docs, "Working with AWS Lambda proxy integrations for HTTP APIs", payload format
version 2.0): ``version``, ``routeKey``, ``rawPath``, ``rawQueryString``, ``cookies``, ``headers``,
``queryStringParameters``, ``requestContext`` (``accountId``, ``apiId``, ``authorizer``,
``domainName``, ``domainPrefix``, ``http`` {method, path, protocol, sourceIp, userAgent},
``requestId``, ``routeKey``, ``stage``, ``time``, ``timeEpoch``), ``body``, ``pathParameters``,
``isBase64Encoded``, ``stageVariables``. Unlike 1.0: header names are lower case and a repeated
header's values are joined with commas, as are a repeated query parameter's; the ``Cookie`` header
becomes the ``cookies`` list; keys with nothing to say are left out (never ``null``); ``rawPath``
keeps the stage of a named stage.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from emulator import ids
from emulator.apigateway.events import api_id_for, clf_time
from emulator.apigateway.request import GatewayRequest
from emulator.template.model import DEFAULT_ROUTE

# Content types whose bodies arrive as text; any other body is base64-encoded (isBase64Encoded).
_TEXT_TYPES = (
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-www-form-urlencoded",
)


def is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    essence = content_type.split(";", 1)[0].strip().lower()
    return essence.startswith("text/") or essence in _TEXT_TYPES or essence.endswith(("+json", "+xml"))


def route_key(method: str, path: str) -> str:
    return DEFAULT_ROUTE if path == DEFAULT_ROUTE else f"{method} {path}"


def build_v2_event(
    request: GatewayRequest,
    *,
    api_logical_id: str,
    stage: str,
    route_key: str,
    path_parameters: Mapping[str, str] | None,
    stage_variables: Mapping[str, str] | None,
    account_id: str,
    request_id: str,
) -> dict[str, Any]:
    now = time.time()
    headers: dict[str, str] = {}
    cookies: list[str] = []
    multi = request.multi_headers or {name: [value] for name, value in request.headers.items()}
    for name, values in multi.items():
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(part.strip() for value in values for part in value.split(";") if part.strip())
            continue
        joined = ",".join(values)
        headers[lower] = f"{headers[lower]},{joined}" if lower in headers else joined
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.query_string, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    host = request.header("Host") or "localhost"
    api_id = api_id_for(api_logical_id)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("User-Agent") or "",
        },
        "requestId": request_id or ids.request_id(),
        "routeKey": route_key,
        "stage": stage,
        "time": clf_time(now),
        "timeEpoch": int(now * 1000),
    }
    is_base64 = False
    if request.body:
        is_base64 = not is_text(request.header("Content-Type"))
        if is_base64:
            event["body"] = base64.b64encode(request.body).decode("ascii")
        else:
            event["body"] = request.body.decode("utf-8", errors="replace")
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event["isBase64Encoded"] = is_base64
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    return event
