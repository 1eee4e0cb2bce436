"""``serve --server flask``: the gateway's Flask app (:mod:`emulator.flask_app`) on Werkzeug's
threaded server, so that the two fronts can be compared on the same core.

Werkzeug's development server answers each request on a thread of its own and closes the
connection after each answer (it does not do keep-alive). Its request handler here adds the
headers as they came on the wire to the WSGI environ (PEP 3333 keeps neither their case nor
repeated values apart), and leaves the access log to the gateway's ``emulator.access`` logger.

It stops as the asyncio server does (:mod:`emulator.apigateway.lifecycle`): at the first SIGINT or
SIGTERM, or when the AWS endpoint's watchdog gives up (serve then exits 1), it stops accepting and
lets the requests in flight finish for up to ``--graceful-timeout``; past it, or at a second
signal, the app's loop stops under the ones still running and they get 503. There are no idle
keep-alive connections to close (Werkzeug closes each after its answer). What does not apply here:
the asyncio server's own accept loop for when descriptors run out and its slow-client deadlines
(Werkzeug's socketserver accepts, and holds a thread per connection); use the default front for those.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from emulator.apigateway.lifecycle import ABANDON_LINGER_S, say_abandoned, say_waiting
from emulator.apigateway.server import ListeningAddress, announce_when_answering, listen
from emulator.apigateway.wsgi_request import RAW_HEADERS
from emulator.core import EmulatorCore
from emulator.flask_app import FlaskEmulator, app_for


class RawHeadersRequestHandler(WSGIRequestHandler):
    in_flight: InFlight  # set on the subclass each server uses

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[RAW_HEADERS] = list(self.headers.items())
        return environ

    def run_wsgi(self) -> None:
        with self.in_flight.one():
            super().run_wsgi()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The gateway logs each request itself (``emulator.access``), as under the asyncio server."""


class InFlight:
    """How many requests are being answered, and a wait until none is."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.count = 0

    @contextlib.contextmanager
    def one(self) -> Iterator[None]:
        with self._changed:
            self.count += 1
        try:
            yield
        finally:
            with self._changed:
                self.count -= 1
                self._changed.notify_all()

    def wait_until_none(self, timeout_s: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count == 0, timeout_s)


class _Stop(BaseException):
    """SIGINT/SIGTERM while this front serves (raised in the main thread by its handlers)."""


class FlaskServer(ListeningAddress):
    """Binds at construction (its URL is ``{{emulator.url}}``); :meth:`serve_forever` serves the
    Flask app over a core until SIGINT/SIGTERM or :meth:`stop`, then shuts it down gracefully."""

    def __init__(self, host: str, port: int, *, graceful_timeout_s: float) -> None:
        self._listener = listen(host, port)
        super().__init__(host, self._listener.getsockname()[1])
        self.graceful_timeout_s = graceful_timeout_s
        self.stopped_at_once = False  # a second signal cut the graceful shutdown short
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._stop_requested = False
        self._closing = False  # the drain is over: a signal now changes nothing

    def serve_forever(self, core: EmulatorCore, *, on_ready: Callable[[], None]) -> None:
        """Start the core (the watchdog's give-up stops serving), serve; ``on_ready`` once a request
        was answered. Closes the app's loop and the core on the way out."""
        try:
            app = app_for(core, base_url=self.url, on_aws_give_up=self.stop)
        except BaseException:
            self._listener.close()
            raise
        emulator: FlaskEmulator = app.extensions["emulator"]
        in_flight = InFlight()
        handler = type("RequestHandler", (RawHeadersRequestHandler,), {"in_flight": in_flight})
        try:
            server = make_server(
                self.host, self.port, app, threaded=True, request_handler=handler, fd=self._listener.fileno()
            )
        except BaseException:
            emulator.close()
            raise
        finally:
            self._listener.close()  # Werkzeug serves on its own duplicate of the descriptor
        # Not socketserver's join of every request thread at server_close(), which has no time
        # limit: the graceful timeout below bounds the wait.
        server.block_on_close = False  # type: ignore[attr-defined]  # socketserver.ThreadingMixIn's
        with self._lock:
            self._server = server
            stop_requested = self._stop_requested
        handlers = self._install_signal_handlers()
        try:
            try:
                if not stop_requested:
                    ready = (self.local_host, self.port, on_ready)
                    threading.Thread(target=announce_when_answering, args=ready, daemon=True).start()
                    server.serve_forever()  # returns on stop(); _Stop at a signal
            except _Stop:
                pass
            server.server_close()  # no new connection from now on
            self._drain(in_flight)
        except _Stop:  # a second signal before the drain waited
            self.stopped_at_once = True
        finally:
            self._closing = True
            left = in_flight.count
            if left:
                say_abandoned(left)
            emulator.close(wait=not self.stopped_at_once)  # the app's loop stops: those get 503
            if left:
                in_flight.wait_until_none(ABANDON_LINGER_S)  # their threads write the 503s
            for signum, previous in handlers.items():
                signal.signal(signum, previous)

    def _drain(self, in_flight: InFlight) -> None:
        if not in_flight.count:
            return
        say_waiting(in_flight.count, self.graceful_timeout_s)
        try:
            in_flight.wait_until_none(self.graceful_timeout_s)
        except _Stop:  # a second Ctrl-C
            self.stopped_at_once = True

    def _install_signal_handlers(self) -> dict[int, Any]:
        """SIGINT and SIGTERM: the first stops serving, a second one cuts the drain short."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {signum: signal.signal(signum, self._on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}

    def _on_signal(self, _signum: int, _frame: Any) -> None:
        if not self._closing:  # closing: the workers and the endpoint stop in bounded time anyway
            raise _Stop

    def stop(self) -> None:
        """Stop serving (from any thread), as a first SIGINT would."""
        with self._lock:
            self._stop_requested = True
            server = self._server
        if server is not None:  # shutdown() waits for serve_forever to end: not on its thread
            threading.Thread(target=server.shutdown, name="flask-front-stop", daemon=True).start()
