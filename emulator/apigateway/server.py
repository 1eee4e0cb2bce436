"""The HTTP server under the gateway: HTTP/1.1 on one asyncio event loop, in this process.

Why this shape: a request's critical path is client -> gateway -> a warm Lambda worker
process -> gateway -> client, and on a 2-core laptop every thread hand-off on it costs more than
the gateway's own work. Here the loop that parses the request also writes the event to the
worker's pipe and is woken by its answer: no thread switch at all. The servers measured against
it (a WSGI server with its threads, uvicorn's ASGI) and their figures are in the README
(Benchmarks); ASGI also lower-cases header names, which API Gateway does not.

The HTTP parsing is httptools (llhttp, Node's parser; what uvicorn uses), each connection an
:class:`~emulator.apigateway.connection.HttpConnection`; the loop is uvloop when installed
(libuv), else asyncio's own. Accepting within the descriptor limit and the graceful shutdown
(SIGINT/SIGTERM: finish what is in flight for up to ``graceful_timeout_s``; a second signal stops
at once) are :mod:`.lifecycle`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import logging
import signal
import socket
import threading
from collections.abc import Callable

from emulator import log
from emulator.apigateway.api import Gateway
from emulator.apigateway.connection import HttpConnection
from emulator.apigateway.lifecycle import Acceptor, OpenConnections, drain
from emulator.apigateway.limits import BODY_TIMEOUT_S, HEAD_TIMEOUT_S, ClientTimeouts
from emulator.errors import UserError

# A keep-alive connection idle this long is closed (a phone that went to sleep mid-connection
# leaves one behind); clients reconnect transparently.
IDLE_TIMEOUT_S = 120.0
# How long a shutdown waits for the requests in flight (uvicorn's --timeout-graceful-shutdown,
# gunicorn's --graceful-timeout); past it they get 503.
GRACEFUL_TIMEOUT_S = 10.0


def listen(host: str, port: int, *, backlog: int = 1024) -> socket.socket:
    """A socket bound and listening: a port in use is a clean one-line error, the port is known
    before the template is loaded ({{emulator.url}}), and a connection made before the server
    runs waits in the backlog instead of failing."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


class ListeningAddress:
    """Where a front listens (``host`` as bound, ``port``) and the URL a local client uses."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    @property
    def local_host(self) -> str:
        """The address a local client uses (0.0.0.0 / :: are not connectable)."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host

    @property
    def url(self) -> str:
        return f"http://{self.local_host}:{self.port}"


class GatewayServer(ListeningAddress):
    """Binds at construction; ``serve_forever`` blocks until SIGINT/SIGTERM or :meth:`stop`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 3000,
        *,
        backlog: int = 1024,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        head_timeout_s: float = HEAD_TIMEOUT_S,
        body_timeout_s: float = BODY_TIMEOUT_S,
        graceful_timeout_s: float = GRACEFUL_TIMEOUT_S,
    ) -> None:
        self._socket = listen(host, port, backlog=backlog)
        super().__init__(host, self._socket.getsockname()[1])
        self.backlog = backlog
        self.idle_timeout_s = idle_timeout_s
        self.timeouts = ClientTimeouts(idle_s=idle_timeout_s, head_s=head_timeout_s, body_s=body_timeout_s)
        self.graceful_timeout_s = graceful_timeout_s
        self.stopped_at_once = False  # a second signal cut the graceful shutdown short
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._now_please: asyncio.Event | None = None
        self._stop_requested = False

    def serve_forever(self, gateway: Gateway, *, on_ready: Callable[[], None] | None = None) -> None:
        try:
            import uvloop
        except ImportError:  # not on every platform: asyncio's own loop serves the same
            asyncio.run(self.serve(gateway, on_ready))
        else:
            uvloop.run(self.serve(gateway, on_ready))

    async def serve(self, gateway: Gateway, on_ready: Callable[[], None] | None = None) -> None:
        """Serve on the running loop until :meth:`stop` (or SIGINT/SIGTERM on the main thread):
        ``serve_forever``'s body, for a caller that owns the loop (the Flask front's)."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stopping = asyncio.Event()
        self._now_please = asyncio.Event()
        if self._stop_requested:
            self._stopping.set()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self._on_signal)
        connections = OpenConnections()
        timeouts = self.timeouts
        acceptor = Acceptor(self._socket, lambda: HttpConnection(gateway, self.port, connections, timeouts))
        acceptor.start()
        if on_ready is not None:
            announce = (self.local_host, self.port, on_ready)
            threading.Thread(target=announce_when_answering, args=announce, daemon=True).start()
        sweep_every_s = min(timeouts.sweep_every_s, 15.0)

        def sweep() -> None:
            # One timer for all connections, not one per request: the hot path stays free of it.
            now = loop.time()
            for connection in list(connections):
                connection.sweep(now)
            sweeper[0] = loop.call_later(sweep_every_s, sweep)

        sweeper = [loop.call_later(sweep_every_s, sweep)]
        try:
            await self._stopping.wait()
            acceptor.close()
            await drain(
                connections, 0.0 if self._now_please.is_set() else self.graceful_timeout_s, self._now_please
            )
            self.stopped_at_once = self._now_please.is_set()
        finally:
            sweeper[0].cancel()
            acceptor.close()

    def _on_signal(self) -> None:
        """SIGINT/SIGTERM: the first shuts down gracefully, a second one at once."""
        assert self._stopping is not None
        assert self._now_please is not None
        if self._stopping.is_set():
            self._now_please.set()
        self._stopping.set()

    def close_unused(self) -> None:
        """Let go of the socket of a server that never served (serving closes it when it ends)."""
        if self._loop is None:
            self._socket.close()

    def stop(self) -> None:
        """Stop serving (from any thread)."""
        self._stop_requested = True
        if self._loop is not None and self._stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stopping.set)


def announce_when_answering(host: str, port: int, on_ready: Callable[[], None]) -> None:
    """Call ``on_ready`` once the server on ``host:port`` answered a request: "ready" means a
    request was really answered, through the server and the gateway, not only accepted."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", "/_emulator/health")
        connection.getresponse().read()
    except OSError as exc:
        logging.getLogger(log.GATEWAY).error("the server never answered: %r", exc)
        return
    finally:
        connection.close()
    on_ready()
