"""``serve --server flask``: the gateway's Flask app (:mod:`emulator.flask_app`) on Werkzeug's
threaded server, so that the two fronts can be compared on the same core.

Werkzeug's development server answers each request on a thread of its own and closes the
connection after each answer (it does not do keep-alive). Its request handler here adds the
headers as they came on the wire to the WSGI environ (PEP 3333 keeps neither their case nor
repeated values apart), and leaves the access log to the gateway's ``emulator.access`` logger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from emulator.apigateway.server import ListeningAddress, announce_when_answering, listen
from emulator.apigateway.wsgi_request import RAW_HEADERS
from emulator.core import EmulatorCore
from emulator.flask_app import app_for


class RawHeadersRequestHandler(WSGIRequestHandler):
    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[RAW_HEADERS] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The gateway logs each request itself (``emulator.access``), as under the asyncio server."""


def serve_flask(
    core: EmulatorCore, host: str, port: int, *, announce: Callable[[ListeningAddress], None]
) -> None:
    """Serve until SIGINT/SIGTERM (raised in this thread by serve's handlers); ``announce`` once
    a request was answered. Closes the app's loop and the core on the way out."""
    listener = listen(host, port)  # before the app exists: its URL is {{emulator.url}}
    address = ListeningAddress(host, listener.getsockname()[1])
    app = app_for(core, base_url=address.url)
    try:
        server = make_server(
            host,
            address.port,
            app,
            threaded=True,
            request_handler=RawHeadersRequestHandler,
            fd=listener.fileno(),
        )
    finally:
        listener.close()  # Werkzeug serves on its own duplicate of the descriptor
    ready = (address.local_host, address.port, lambda: announce(address))
    threading.Thread(target=announce_when_answering, args=ready, daemon=True).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        app.extensions["emulator"].close()
