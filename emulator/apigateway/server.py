"""The HTTP server under the gateway: granian (Rust, hyper) running WSGI on threads of THIS process.

Why granian, and why in-process: the gateway must stay in the process that holds the Lambda
runtime (its worker pool, hot reload, the embedded AWS child), and a production HTTP server
is needed to meet the latency budget (measured on 2 cores, trivial WSGI app, 1 connection:
Werkzeug's dev server ~1,100 req/s, granian ~6,300 req/s). Granian normally runs its workers
as processes; its thread-worker server (``MTServer``, meant for free-threaded builds) is used
here with one worker so the app runs on granian's blocking threads inside this process. The
listening socket is bound up front in Python and handed to granian (``port=0`` works, the port
is known before the template is loaded so ``{{emulator.url}}`` can be substituted).

This leans on granian internals of the pinned version (2.8.x): ``MTServer``, ``SocketHolder``.
"""

from __future__ import annotations

import http.client
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from emulator.errors import UserError


def _granian_server_class() -> Any:
    """granian's MTServer adapted to run here; imported on first use (granian costs ~30 ms to
    import, paid while the embedded AWS child starts rather than before it is launched)."""
    from granian.server.common import AbstractServer
    from granian.server.mt import MTServer

    class _InProcessGranian(MTServer):  # type: ignore[misc]
        """MTServer on a regular (GIL) build, serving a socket bound beforehand."""

        holder: Any

        def _check_gil(self) -> None:
            # MTServer refuses GIL builds; with one worker thread the GIL is not a correctness
            # issue (the WSGI app runs on granian's blocking threads exactly as in a process worker).
            return None

        def _init_shared_socket(self) -> None:
            self._ssp = None
            self._shd = self.holder

        def serve_app(self, app: Callable[..., Any]) -> None:
            # Skip MTServer.serve (free-threaded warnings); AbstractServer.serve does the rest.
            AbstractServer.serve(self, target_loader=lambda *_a, **_k: app, wrap_loader=False)

    return _InProcessGranian


class GatewayServer:
    """Binds at construction; ``serve_forever`` blocks until SIGINT/SIGTERM or :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 3000, *, threads: int = 64, backlog: int = 1024):
        self.host = host
        self.threads = threads
        self.backlog = backlog
        # Bound and listening here, in Python: a port in use is a clean one-line error, and a
        # connection made before granian's worker runs waits in the backlog instead of failing.
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            self._socket = socket.socket(family, socket.SOCK_STREAM)
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            self._socket.listen(backlog)
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.port: int = self._socket.getsockname()[1]
        self._server: Any = None

    @property
    def local_host(self) -> str:
        """The address a local client uses (0.0.0.0 / :: are not connectable)."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host

    @property
    def url(self) -> str:
        return f"http://{self.local_host}:{self.port}"

    def serve_forever(self, app: Callable[..., Any], *, on_ready: Callable[[], None] | None = None) -> None:
        from granian._granian import SocketHolder
        from granian.constants import Interfaces, RuntimeModes

        server = _granian_server_class()(
            "emulator.apigateway:gateway",
            address=self.host,
            port=self.port,
            interface=Interfaces.WSGI,
            # One Rust I/O thread: on a 2-core laptop every extra thread competes with the
            # Lambda workers (measured: equal or better req/s than the multi-threaded runtime).
            runtime_mode=RuntimeModes.st,
            workers=1,
            blocking_threads=self.threads,
            backlog=self.backlog,
            log_enabled=False,
        )
        server.holder = SocketHolder(self._socket.fileno(), False, self.backlog)
        self._server = server
        if on_ready is not None:
            threading.Thread(target=self._announce_when_answering, args=(on_ready,), daemon=True).start()
        server.serve_app(app)

    def _announce_when_answering(self, on_ready: Callable[[], None]) -> None:
        # "Ready" means a request was really answered (the socket already listens, so this
        # request waits in the backlog until granian's worker thread accepts it).
        connection = http.client.HTTPConnection(self.local_host, self.port, timeout=30)
        try:
            connection.request("GET", "/_emulator/health")
            connection.getresponse().read()
        except OSError as exc:
            print(f"[gateway] the server never answered: {exc!r}", file=sys.stderr, flush=True)
            return
        finally:
            connection.close()
        on_ready()

    def stop(self) -> None:
        if self._server is not None:
            self._server.signal_handler_interrupt()
