"""The Lambda proxy integration event (REST API, payload format 1.0), key for key.

Shape (AWS docs, "Input format of a Lambda function for proxy integration"): ``resource``,
``path``, ``httpMethod``, ``headers``, ``multiValueHeaders``, ``queryStringParameters``,
``multiValueQueryStringParameters``, ``pathParameters``, ``stageVariables``, ``requestContext``,
``body``, ``isBase64Encoded``. Where AWS sends ``null`` this sends ``None``: no query string,
no path parameters, no stage variables, an empty body. Mistakes of other emulators avoided on
purpose: a frozen ``requestId`` (SAM), a fake user agent (SAM), ``requestContext.path`` without
the stage (SAM, serverless-offline), lower-cased headers (Chalice), ``stageVariables: {}``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from emulator import ids
from emulator.apigateway.binary import BinaryMediaTypes
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.routing import RouteMatch

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def stable_id(text: str, length: int) -> str:
    """A short lower-case alphanumeric id derived from ``text`` (API ids, resource ids)."""
    number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:12], "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 36)
        chars.append(_BASE36[digit])
    return "".join(chars)


def api_id_for(logical_id: str) -> str:
    """A 10-character REST API id, stable across runs (like ``abc123defg.execute-api...``)."""
    return stable_id(f"api:{logical_id}", 10)


def method_arn(region: str, account_id: str, api_id: str, stage: str, method: str, path: str) -> str:
    """What a Lambda authorizer gets as ``methodArn``:
    ``arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{request path}``."""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method}/{path.lstrip('/')}"


def clf_time(epoch_s: float) -> str:
    """``requestTime`` in Common Log Format, always UTC: ``25/Nov/2026:12:00:00 +0000``."""
    return _clf_second(int(epoch_s))


@functools.lru_cache(maxsize=4)  # one per second of requests
def _clf_second(epoch_s: int) -> str:
    t = time.gmtime(epoch_s)
    day = f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}"
    return f"{day}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def multi_value_query(query_string: str) -> dict[str, list[str]] | None:
    if not query_string:
        return None
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        values.setdefault(key, []).append(value)
    return values or None


class ProxyEventBuilder:
    """Builds the event for one REST API (one stage) from a request and its route."""

    def __init__(
        self,
        *,
        api_logical_id: str,
        stage: str,
        account_id: str,
        region: str,
        stage_variables: Mapping[str, str] | None,
        binary_media_types: BinaryMediaTypes,
    ) -> None:
        self.api_id = api_id_for(api_logical_id)
        self.stage = stage
        self.account_id = account_id
        self.region = region
        # AWS sends null, never {}, when the stage defines no variables.
        self.stage_variables = dict(stage_variables) if stage_variables else None
        self.binary_media_types = binary_media_types
        self._resource_ids: dict[str, str] = {}

    def method_arn(self, match: RouteMatch, request: GatewayRequest) -> str:
        return method_arn(self.region, self.account_id, self.api_id, self.stage, request.method, match.path)

    def resource_id(self, resource_path: str) -> str:
        rid = self._resource_ids.get(resource_path)
        if rid is None:
            rid = self._resource_ids[resource_path] = stable_id(f"{self.api_id}:{resource_path}", 6)
        return rid

    def build(self, request: GatewayRequest, match: RouteMatch, *, request_id: str | None = None) -> dict:
        now = time.time()
        headers = dict(request.headers) or None
        if request.multi_headers is not None:
            multi_headers = {name: list(values) for name, values in request.multi_headers.items()} or None
        else:
            multi_headers = {name: [value] for name, value in request.headers.items()} or None
        multi_query = multi_value_query(request.query_string)
        # Last value wins in the single-value map, as API Gateway does.
        query = {key: values[-1] for key, values in multi_query.items()} if multi_query else None

        body: str | None
        is_base64 = False
        if not request.body:
            body = None
        elif self.binary_media_types.request_is_binary(request.header("Content-Type")):
            body = base64.b64encode(request.body).decode("ascii")
            is_base64 = True
        else:
            body = request.body.decode("utf-8", errors="replace")

        host = request.header("Host") or "localhost"
        request_context: dict[str, Any] = {
            "accountId": self.account_id,
            "apiId": self.api_id,
            "resourceId": self.resource_id(match.resource_path),
            "resourcePath": match.resource_path,
            "httpMethod": request.method,
            "extendedRequestId": ids.extended_request_id(),
            "requestTime": clf_time(now),
            "requestTimeEpoch": int(now * 1000),
            # AWS puts the stage in requestContext.path (the path the client called).
            "path": f"/{self.stage}{match.path}" if match.path != "/" else f"/{self.stage}/",
            "protocol": request.protocol,
            "stage": self.stage,
            "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
            "domainName": host,
            "requestId": request_id or ids.request_id(),
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": request.header("User-Agent"),
                "user": None,
            },
        }
        return {
            "resource": match.resource_path,
            "path": match.path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_query,
            "pathParameters": dict(match.path_parameters) if match.path_parameters else None,
            "stageVariables": dict(self.stage_variables) if self.stage_variables else None,
            "requestContext": request_context,
            "body": body,
            "isBase64Encoded": is_base64,
        }
