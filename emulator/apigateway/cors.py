"""SAM's ``Cors``: an OPTIONS MOCK method per path, answered by API Gateway itself.

SAM turns an API's ``Cors`` property into an ``OPTIONS`` method with a MOCK integration on every
path; its integration response sets ``Access-Control-Allow-Origin``/``-Methods``/``-Headers``/
``-Max-Age``/``-Allow-Credentials`` from the configuration, so a preflight never reaches a
function. When ``AllowMethods`` is not set SAM lists every method of that path plus OPTIONS
(all of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT for ``ANY``).

Faithfully to SAM, only the preflight gets CORS headers: SAM's ``Cors`` does NOT add
``Access-Control-Allow-Origin`` to the function's own (GET/POST...) responses -- the function
must return it itself, exactly as once deployed. Adding it here would hide a bug that only
shows up on AWS.
"""

from __future__ import annotations

from collections.abc import Iterable

from emulator.apigateway.proxy_response import DEFAULT_CONTENT_TYPE, GatewayResponse
from emulator.template.model import CorsConfig

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods_for(methods: Iterable[str]) -> str:
    """SAM's default AllowMethods for one path: its methods + OPTIONS, sorted, comma-joined."""
    verbs = {m.upper() for m in methods}
    if "ANY" in verbs:
        return ",".join(ALL_METHODS)
    verbs.add("OPTIONS")
    return ",".join(sorted(verbs))


class CorsPreflight:
    """The MOCK OPTIONS answer of one API, per resource path."""

    def __init__(self, config: CorsConfig, methods_by_path: dict[str, list[str]]) -> None:
        self.config = config
        self._responses: dict[str, GatewayResponse] = {}
        for path, methods in methods_by_path.items():
            self._responses[path] = self._build(methods)

    def _build(self, methods: Iterable[str]) -> GatewayResponse:
        config = self.config
        headers = [
            ("Content-Type", DEFAULT_CONTENT_TYPE),
            ("Access-Control-Allow-Origin", config.allow_origin),
            ("Access-Control-Allow-Methods", config.allow_methods or allowed_methods_for(methods)),
        ]
        if config.allow_headers:
            headers.append(("Access-Control-Allow-Headers", config.allow_headers))
        if config.max_age is not None:
            headers.append(("Access-Control-Max-Age", str(config.max_age)))
        if config.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return GatewayResponse(200, headers, b"")

    def respond(self, resource_path: str) -> GatewayResponse:
        response = self._responses.get(resource_path)
        if response is None:
            response = self._responses[resource_path] = self._build(ALL_METHODS)
        # A copy: the caller appends per-request headers.
        return GatewayResponse(response.status, list(response.headers), response.body)
