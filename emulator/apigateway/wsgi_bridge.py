"""Run a WSGI application (the emulator's own Flask pages) for a :class:`GatewayRequest`.

Werkzeug builds the PEP 3333 environ and runs the application; this only maps the request in
and the answer out. Called on a thread: a WSGI application blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import EnvironBuilder, run_wsgi_app

from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import GatewayRequest

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def call_wsgi(app: WsgiApp, request: GatewayRequest) -> GatewayResponse:
    host = request.header("Host") or "localhost"
    builder = EnvironBuilder(
        path=request.path,
        base_url=f"http://{host}",
        query_string=request.query_string,
        method=request.method,
        headers=[(name, value) for name, value in request.headers.items() if name.lower() != "host"],
        data=request.body,
        environ_base={"REMOTE_ADDR": request.source_ip, "SERVER_PROTOCOL": request.protocol},
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    # buffered: werkzeug reads the whole body and closes the application's iterable itself
    chunks, status, headers = run_wsgi_app(app, environ, buffered=True)
    return GatewayResponse(int(status.split(" ", 1)[0]), list(headers.items()), b"".join(chunks))
