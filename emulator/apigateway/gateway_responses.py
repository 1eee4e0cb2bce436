"""An API's ``GatewayResponses``: headers, status and body templates on API Gateway's OWN answers.

API Gateway's errors (403 Missing Authentication Token, 401 Unauthorized, 429, 413, 502, 504...)
are "gateway responses" of a type; a template can add headers to them per type or through
``DEFAULT_4XX`` / ``DEFAULT_5XX`` -- typically ``Access-Control-Allow-Origin``, so that a browser
can read an error at all. Responses produced by the function itself are never touched.

The template side is ``RestApiSpec.gateway_responses``: a mapping of response type
(``"DEFAULT_4XX"``, ``"UNAUTHORIZED"``...) to an object with ``headers`` (a mapping, SAM's
quotes removed), ``status_code`` (``int | None``) and ``templates`` (``ResponseTemplates``:
content type -> body) -- ``GatewayResponseSpec``.

A body template replaces the gateway's ``{"message": ...}``. Gateway response templates "are not
processed by the VTL engine" (x-amazon-apigateway-gateway-responses.gatewayResponse object,
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.gatewayResponse.html):
only variables are substituted, among them ``$context.error.message`` (the default message),
``$context.error.messageString`` (the same, quoted as a JSON string) and
``$context.error.responseType`` (Gateway response types, "$context variables for ... gateway
responses": https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from emulator import log
from emulator.apigateway.proxy_response import GatewayResponse

# The gateway response type of each of the gateway's own answers, by status where it is unique.
TYPE_BY_STATUS = {
    401: "UNAUTHORIZED",
    413: "REQUEST_TOO_LARGE",
    429: "THROTTLED",
    504: "INTEGRATION_TIMEOUT",
}


# The ``$context.error.*`` variables substituted here; any other ``$...`` reference is named in a
# warning when the API is loaded (never left silently as text).
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z0-9_.]+)\}|([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*))")
SUPPORTED_VARIABLES = ("context.error.message", "context.error.messageString", "context.error.responseType")
_LOG = logging.getLogger(log.GATEWAY)


def _default_message(response: GatewayResponse) -> str:
    """The message of the gateway's default body (``{"message": ...}``, ``{"Message": ...}``)."""
    try:
        body = json.loads(response.body)
    except ValueError:
        return response.body.decode("utf-8", "replace")
    if isinstance(body, dict):
        message = body.get("message", body.get("Message"))
        return "" if message is None else str(message)
    return ""


def render_template(template: str, *, message: str, response_type: str) -> str:
    """A gateway response body template with its ``$context.error`` variables substituted."""
    values = {
        "context.error.message": message,
        "context.error.messageString": json.dumps(message),
        "context.error.responseType": response_type,
    }

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return values.get(name, match.group(0))

    return _VARIABLE.sub(substitute, template)


def unsupported_variables(template: str) -> list[str]:
    """The ``$`` references of a template that :func:`render_template` leaves as they are."""
    names = (m.group(1) or m.group(2) for m in _VARIABLE.finditer(template))
    return sorted({f"${name}" for name in names if name not in SUPPORTED_VARIABLES})


def _template_for(templates: Mapping[str, str]) -> tuple[str, str] | None:
    """(content type, template): ``application/json`` when there is one, else the first."""
    if not templates:
        return None
    if "application/json" in templates:
        return "application/json", templates["application/json"]
    content_type = next(iter(templates))
    return content_type, templates[content_type]


def response_type_for(response: GatewayResponse) -> str | None:
    if response.gateway_response_type is not None:
        return response.gateway_response_type
    return TYPE_BY_STATUS.get(response.status)


class GatewayResponses:
    """The customised gateway responses of one API."""

    def __init__(self, configured: Mapping[str, Any] | None, *, api: str = "") -> None:
        self._by_type = dict(configured or {})
        for response_type, entry in self._by_type.items():
            for template in (getattr(entry, "templates", None) or {}).values():
                unsupported = unsupported_variables(str(template))
                if unsupported:
                    _LOG.warning(
                        "API %s GatewayResponses.%s: %s not substituted here (only %s)",
                        api or "?",
                        response_type,
                        ", ".join(unsupported),
                        ", ".join(f"${name}" for name in SUPPORTED_VARIABLES),
                    )

    def __bool__(self) -> bool:
        return bool(self._by_type)

    def apply(self, response: GatewayResponse) -> GatewayResponse:
        """Add the configured headers/status/body to one of the gateway's own answers."""
        if not response.from_gateway or not self._by_type:
            return response
        default_type = "DEFAULT_4XX" if response.status < 500 else "DEFAULT_5XX"
        response_type = response_type_for(response) or default_type
        entry = self._by_type.get(response_type)
        if entry is None:
            entry = self._by_type.get(default_type)
        if entry is None:
            return response
        headers: Mapping[str, str] = getattr(entry, "headers", None) or {}
        body = response.body
        chosen = _template_for(getattr(entry, "templates", None) or {})
        if chosen is not None:
            content_type, template = chosen
            message = _default_message(response)
            body = render_template(template, message=message, response_type=response_type).encode()
            headers = {"Content-Type": content_type, **headers}
        names = {name.lower() for name in headers}
        pairs = [(n, v) for n, v in response.headers if n.lower() not in names]
        pairs.extend((name, str(value)) for name, value in headers.items())
        status = getattr(entry, "status_code", None) or response.status
        return GatewayResponse(
            status, pairs, body, from_gateway=True, gateway_response_type=response.gateway_response_type
        )
