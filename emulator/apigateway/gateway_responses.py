"""An API's ``GatewayResponses``: headers (and status) on API Gateway's OWN answers.

API Gateway's errors (403 Missing Authentication Token, 401 Unauthorized, 429, 413, 502, 504...)
are "gateway responses" of a type; a template can add headers to them per type or through
``DEFAULT_4XX`` / ``DEFAULT_5XX`` -- typically ``Access-Control-Allow-Origin``, so that a browser
can read an error at all. Responses produced by the function itself are never touched.

The template side is ``RestApiSpec.gateway_responses``: a mapping of response type
(``"DEFAULT_4XX"``, ``"UNAUTHORIZED"``...) to an object with ``headers`` (a mapping, SAM's
quotes removed) and ``status_code`` (``int | None``) -- ``GatewayResponseSpec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.apigateway.proxy_response import GatewayResponse

# The gateway response type of each of the gateway's own answers, by status where it is unique.
TYPE_BY_STATUS = {
    401: "UNAUTHORIZED",
    413: "REQUEST_TOO_LARGE",
    429: "THROTTLED",
    504: "INTEGRATION_TIMEOUT",
}


def response_type_for(response: GatewayResponse) -> str | None:
    if response.gateway_response_type is not None:
        return response.gateway_response_type
    return TYPE_BY_STATUS.get(response.status)


class GatewayResponses:
    """The customised gateway responses of one API."""

    def __init__(self, configured: Mapping[str, Any] | None) -> None:
        self._by_type = dict(configured or {})

    def __bool__(self) -> bool:
        return bool(self._by_type)

    def apply(self, response: GatewayResponse) -> GatewayResponse:
        """Add the configured headers/status to one of the gateway's own answers."""
        if not response.from_gateway or not self._by_type:
            return response
        entry = self._by_type.get(response_type_for(response) or "")
        if entry is None:
            entry = self._by_type.get("DEFAULT_4XX" if response.status < 500 else "DEFAULT_5XX")
        if entry is None:
            return response
        headers: Mapping[str, str] = getattr(entry, "headers", None) or {}
        names = {name.lower() for name in headers}
        pairs = [(n, v) for n, v in response.headers if n.lower() not in names]
        pairs.extend((name, str(value)) for name, value in headers.items())
        status = getattr(entry, "status_code", None) or response.status
        return GatewayResponse(status, pairs, response.body, from_gateway=True)
