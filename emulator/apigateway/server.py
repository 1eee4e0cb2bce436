"""The HTTP server under the gateway: HTTP/1.1 on one asyncio event loop, in this process.

Why this shape: a request's critical path is client -> gateway -> a warm Lambda worker
process -> gateway -> client, and on a 2-core laptop every thread hand-off on it costs more than
the gateway's own work. Here the loop that parses the request also writes the event to the
worker's pipe and is woken by its answer: no thread switch at all. Measured on 2 cores with an
echo function (``python -m benchmarks shim``): granian's WSGI (Rust I/O thread -> Python
blocking thread -> worker pipe) stayed at ~2,300 req/s with 8 connections; this loop serves
several times that. uvicorn was measured too: its ASGI plumbing costs ~100 µs per request
(~30 %) at one connection, and ASGI lower-cases header names, which API Gateway does not.

The HTTP parsing is httptools (llhttp, Node's parser; what uvicorn uses); the loop is uvloop
when installed (libuv), else asyncio's own. This module only does the connection's
bookkeeping: keep-alive, pipelined requests answered in order, ``Expect: 100-continue``, the
10 MB limit checked before the body is read, and flow control both ways.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http
import http.client
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import httptools

from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import MAX_PAYLOAD_BYTES, GatewayRequest
from emulator.errors import UserError

# Pipelined requests read ahead of the one being answered before reading pauses.
MAX_PIPELINED = 16


def _status_line(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"HTTP/1.1 {status} {phrase}\r\n".encode()


_STATUS_LINES = {code: _status_line(code) for code in range(100, 600)}
# Hop-by-hop and framing headers are the server's to write (API Gateway sets them itself too).
_SERVER_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "date"})


class _HttpDate:
    """The ``Date`` header value, formatted once per second."""

    def __init__(self) -> None:
        self._second = 0
        self._value = b""

    def now(self) -> bytes:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._value = email.utils.formatdate(second, usegmt=True).encode()
        return self._value


_DATE = _HttpDate()


def encode_response(response: GatewayResponse, *, head: bool, keep_alive: bool) -> bytes:
    """The status line, headers and body on the wire (one buffer: one write)."""
    status = response.status
    lines = [_STATUS_LINES.get(status) or _status_line(status), b"Date: ", _DATE.now(), b"\r\n"]
    for name, value in response.headers:
        if name.lower() in _SERVER_HEADERS:
            continue
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            continue  # never let a value split the response (header injection)
        lines.append(f"{name}: {value}\r\n".encode("latin-1", "replace"))
    body = response.body
    bodiless = status < 200 or status in (204, 304)
    if not bodiless:
        lines.append(b"Content-Length: %d\r\n" % len(body))
    lines.append(b"Connection: keep-alive\r\n\r\n" if keep_alive else b"Connection: close\r\n\r\n")
    if not (head or bodiless):
        lines.append(body)
    return b"".join(lines)


class _Pending:
    """A request read off the connection, waiting for its turn to be answered."""

    __slots__ = ("keep_alive", "request", "too_large")

    def __init__(self, request: GatewayRequest, keep_alive: bool, too_large: bool) -> None:
        self.request = request
        self.keep_alive = keep_alive
        self.too_large = too_large


class HttpConnection(asyncio.Protocol):
    """One client connection: parses requests, answers them in order through the gateway."""

    def __init__(self, gateway: Any, server_port: int, connections: set[HttpConnection]) -> None:
        self._gateway = gateway
        self._server_port = server_port
        self._connections = connections
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()  # made by the loop's server, on its thread
        self._parser = httptools.HttpRequestParser(self)
        self._source_ip = "127.0.0.1"
        self._queue: deque[_Pending] = deque()
        self._busy = False
        self._closed = False
        self._reading_paused = False
        self._can_write: asyncio.Event | None = None  # set while the transport accepts writes
        # The request being parsed.
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._body_size = 0
        self._too_large = False

    # -- asyncio.Protocol ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        self._connections.add(self)
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self._source_ip = str(peer[0])
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._connections.discard(self)
        if self._can_write is not None:
            self._can_write.set()

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._refuse(400)  # no WebSocket or h2c on a REST API
        except httptools.HttpParserError:
            self._refuse(400)

    def pause_writing(self) -> None:
        if self._can_write is None:
            self._can_write = asyncio.Event()
        self._can_write.clear()

    def resume_writing(self) -> None:
        if self._can_write is not None:
            self._can_write.set()

    # -- httptools callbacks ------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._body = []
        self._body_size = 0
        self._too_large = False

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        expects_continue = False
        for name, value in self._headers:
            lower = name.lower()
            if lower == b"content-length" and value.strip().isdigit() and int(value) > MAX_PAYLOAD_BYTES:
                self._too_large = True  # refused without keeping a byte of the body
            elif lower == b"expect" and value.lower() == b"100-continue":
                expects_continue = True
        if expects_continue and self._transport is not None:
            if not self._too_large:
                # curl sends this for larger bodies and waits (1 s) for the go-ahead.
                self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            elif not self._busy and not self._queue:
                # The client holds the body back until told: refuse it now (RFC 9110 10.1.1).
                self._busy = True
                self._queue.append(_Pending(self._parsed_request(), False, True))
                self._loop.create_task(self._answer_queue())

    def on_body(self, body: bytes) -> None:
        if self._too_large:
            return
        self._body_size += len(body)
        if self._body_size > MAX_PAYLOAD_BYTES:  # chunked, no Content-Length to judge by
            self._too_large = True
            self._body = []
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._closed:
            return
        self._queue.append(
            _Pending(self._parsed_request(), self._parser.should_keep_alive(), self._too_large)
        )
        if len(self._queue) >= MAX_PIPELINED and not self._reading_paused and self._transport is not None:
            self._reading_paused = True
            self._transport.pause_reading()
        if not self._busy:
            self._busy = True
            self._loop.create_task(self._answer_queue())

    def _parsed_request(self) -> GatewayRequest:
        parser = self._parser
        try:
            parsed = httptools.parse_url(self._url or b"/")
            raw_path, raw_query = parsed.path or b"/", parsed.query
        except httptools.HttpParserInvalidURLError:
            raw_path, raw_query = self._url or b"/", None
        return GatewayRequest.from_http(
            method=parser.get_method().decode("ascii", "replace"),
            raw_path=raw_path,
            raw_query=raw_query,
            raw_headers=self._headers,
            body=b"".join(self._body),
            source_ip=self._source_ip,
            protocol=f"HTTP/{parser.get_http_version()}",
            server_port=self._server_port,
        )

    # -- answering ----------------------------------------------------------------------------
    async def _answer_queue(self) -> None:
        try:
            await self._answer_pending()
        except Exception:  # a bug here must not leave the client waiting forever
            import traceback

            print(f"[gateway] connection error:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
            self._close()
        finally:
            self._busy = False

    async def _answer_pending(self) -> None:
        while self._queue and not self._closed:
            pending = self._queue.popleft()
            if self._reading_paused and len(self._queue) < MAX_PIPELINED // 2 and self._transport:
                self._reading_paused = False
                self._transport.resume_reading()
            if pending.too_large:
                response = self._gateway.payload_too_large(pending.request)
                keep_alive = False
            else:
                response = await self._gateway.handle_async(pending.request)
                keep_alive = pending.keep_alive
            if not self._write(response, pending.request.method == "HEAD", keep_alive):
                return
            if self._can_write is not None and not self._can_write.is_set():
                await self._can_write.wait()  # the client reads slowly: do not pile up answers

    def _write(self, response: GatewayResponse, head: bool, keep_alive: bool) -> bool:
        transport = self._transport
        if self._closed or transport is None or transport.is_closing():
            return False
        transport.write(encode_response(response, head=head, keep_alive=keep_alive))
        if not keep_alive:
            self._close()
            return False
        return True

    def _refuse(self, status: int) -> None:
        if self._transport is not None and not self._transport.is_closing():
            body = b'{"message":"Bad Request"}'
            response = GatewayResponse(status, [("Content-Type", "application/json")], body)
            self._transport.write(encode_response(response, head=False, keep_alive=False))
        self._close()

    def _close(self) -> None:
        self._closed = True
        if self._transport is not None:
            self._transport.close()

    def shutdown(self) -> None:
        """Server shutdown: idle connections close now, a busy one after its answer."""
        if not self._busy:
            self._close()
        else:
            self._queue.clear()


class GatewayServer:
    """Binds at construction; ``serve_forever`` blocks until SIGINT/SIGTERM or :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 3000, *, backlog: int = 1024) -> None:
        self.host = host
        self.backlog = backlog
        # Bound and listening here: a port in use is a clean one-line error, the port is known
        # before the template is loaded ({{emulator.url}}), and a connection made before the
        # loop runs waits in the backlog instead of failing.
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            self._socket = socket.socket(family, socket.SOCK_STREAM)
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            self._socket.listen(backlog)
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.port: int = self._socket.getsockname()[1]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._stop_requested = False

    @property
    def local_host(self) -> str:
        """The address a local client uses (0.0.0.0 / :: are not connectable)."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host

    @property
    def url(self) -> str:
        return f"http://{self.local_host}:{self.port}"

    def serve_forever(self, gateway: Any, *, on_ready: Callable[[], None] | None = None) -> None:
        try:
            import uvloop
        except ImportError:  # not on every platform: asyncio's own loop serves the same
            asyncio.run(self._serve(gateway, on_ready))
        else:
            uvloop.run(self._serve(gateway, on_ready))

    async def _serve(self, gateway: Any, on_ready: Callable[[], None] | None) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stopping = asyncio.Event()
        if self._stop_requested:
            self._stopping.set()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self._stopping.set)
        connections: set[HttpConnection] = set()
        server = await loop.create_server(
            lambda: HttpConnection(gateway, self.port, connections), sock=self._socket, backlog=self.backlog
        )
        if on_ready is not None:
            threading.Thread(target=self._announce_when_answering, args=(on_ready,), daemon=True).start()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            for connection in list(connections):
                connection.shutdown()

    def _announce_when_answering(self, on_ready: Callable[[], None]) -> None:
        # "Ready" means a request was really answered, through the loop, not only accepted.
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
        """Stop serving (from any thread)."""
        self._stop_requested = True
        if self._loop is not None and self._stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stopping.set)
